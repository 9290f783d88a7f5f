// `sessim run SCENARIO`, `list` and `check` through the real binary.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "common/errors.h"
#include "scenario/scenario_catalog.h"
#include "support/test_support.h"
#include "sys/child_process.h"
#include "sys/run_directory.h"

namespace sessim {
namespace {

using testing::run_sessim;

std::vector<std::string> builtin_names() {
  std::vector<std::string> names;
  std::istringstream lines(run_sessim({"list", "--names"}).out);
  for (std::string line; std::getline(lines, line);) names.push_back(line);
  return names;
}

TEST(ListCommand, ShowsEveryBuiltInWithItsLesson) {
  const auto result = run_sessim({"list"});
  EXPECT_EQ(result.exit_code, kExitOk);
  const auto names = builtin_names();
  EXPECT_GE(names.size(), 8u);
  for (const auto& name : names) EXPECT_NE(result.out.find(name + " "), std::string::npos) << name;
  EXPECT_NE(result.out.find("local fails, redis passes"), std::string::npos);
}

TEST(CheckCommand, AcceptsEveryBuiltInAndTheScenariosFolder) {
  auto arguments = builtin_names();
  arguments.insert(arguments.begin(), "check");
  arguments.push_back(std::string(SESSIM_SOURCE_DIR) + "/scenarios");
  const auto result = run_sessim(arguments);
  EXPECT_EQ(result.exit_code, kExitOk) << result.err;
  EXPECT_EQ(result.err, "");
}

// Every built-in scenario, against both stores, meets its declared outcome.
class BuiltinScenario : public ::testing::TestWithParam<std::string> {};

TEST(CheckCommand, ReportsWhatEachScenarioPlans) {
  const auto result = run_sessim({"check", "sticky-session", "idle-expiry"});
  EXPECT_EQ(result.exit_code, kExitOk) << result.err;
  EXPECT_NE(result.out.find("5 requests planned"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("s of waiting"), std::string::npos) << result.out;
}

// What is not a scenario file is refused before a byte too many is read.
TEST(CheckCommand, RefusesEndlessAndOversizedFiles) {
  const auto endless = run_sessim({"check", "/dev/zero"});
  EXPECT_EQ(endless.exit_code, kExitUsage);
  EXPECT_NE(endless.err.find("/dev/zero: not a regular file"), std::string::npos) << endless.err;

  RunDirectory directory;
  const auto big = directory.path() + "/big.yaml";
  std::ofstream(big) << "# " << std::string(2 << 20, 'x') << "\n";
  const auto oversized = run_sessim({"check", big});
  EXPECT_EQ(oversized.exit_code, kExitUsage);
  EXPECT_NE(oversized.err.find("over 1024 KiB"), std::string::npos) << oversized.err;
}

TEST_P(BuiltinScenario, MeetsItsDeclaredOutcomeInBothStores) {
  RunDirectory directory;
  const auto json_path = directory.file("report.json");
  const auto result = run_sessim({"run", GetParam(), "--store", "local,redis", "--verdict",
                                  "declared", "--json=" + json_path});
  EXPECT_EQ(result.exit_code, kExitOk) << result.out << result.err;
  const auto report = nlohmann::json::parse(testing::read_text_file(json_path));
  ASSERT_EQ(report["runs"].size(), 2u);
  for (const auto& run : report["runs"]) {
    EXPECT_TRUE(run["as_declared"].get<bool>())
        << run["store"] << " declared " << run["declared"] << " got " << run["verdict"];
    EXPECT_NE(run["verdict"], "unknown");
  }
}

// Every scenario of scenarios/, as the library embeds them (known when the
// tests are listed, without starting the binary).
std::vector<std::string> embedded_scenario_names() {
  std::vector<std::string> names;
  for (const auto& scenario : load_builtin_scenarios()) names.push_back(scenario.name);
  return names;
}

INSTANTIATE_TEST_SUITE_P(Library, BuiltinScenario, ::testing::ValuesIn(embedded_scenario_names()),
                         [](const auto& info) {
                           return std::regex_replace(info.param, std::regex("-"), "_");
                         });

TEST(BuiltinScenarios, ReferenceStoryInProcessModeMeetsItsDeclaration) {
  const auto result = run_sessim(
      {"run", "sticky-session", "node-failure", "--mode", "process", "--verdict", "declared"});
  EXPECT_EQ(result.exit_code, kExitOk) << result.out << result.err;
  EXPECT_NE(result.out.find("SIGKILL"), std::string::npos);
}

TEST(ScenarioRun, ActualVerdictFailsOnAnExpectedFailure) {
  const auto result = run_sessim({"run", "sticky-session", "--store", "local"});
  EXPECT_EQ(result.exit_code, kExitChecksFailed);
  EXPECT_NE(result.out.find("FAILED value: expected \"hello\", got absent"), std::string::npos)
      << result.out;
  EXPECT_NE(result.out.find("as declared (fail)"), std::string::npos);
}

// Every ```yaml example in docs/scenarios.md is a complete scenario that
// meets its own declaration in both stores.
TEST(ScenarioDocs, EveryExampleRunsAsDeclared) {
  const auto docs = testing::read_text_file(std::string(SESSIM_SOURCE_DIR) + "/docs/scenarios.md");
  RunDirectory directory;
  const std::regex block("```yaml\n([\\s\\S]*?)```");
  int examples = 0;
  for (std::sregex_iterator it(docs.begin(), docs.end(), block), end; it != end; ++it) {
    std::ofstream(directory.file(fmt::format("example-{:02}.yaml", examples++))) << (*it)[1];
  }
  ASSERT_GE(examples, 15);
  const auto json_path = directory.file("report.json.out");
  const auto result = run_sessim({"run", directory.path(), "--store", "local,redis", "--verdict",
                                  "declared", "--json=" + json_path});
  EXPECT_EQ(result.exit_code, kExitOk) << result.out << result.err;
  const auto report = nlohmann::json::parse(testing::read_text_file(json_path));
  EXPECT_EQ(report["runs"].size(), static_cast<std::size_t>(2 * examples));
}

TEST(ScenarioRun, ScenarioThatChecksNothingIsUnknownAndFails) {
  RunDirectory directory;
  const auto path = directory.file("nothing.yaml");
  std::ofstream(path) << "cluster: {nodes: 1}\nsteps:\n  - set: {name: a, value: b}\n";
  const auto result = run_sessim({"run", path, "--verdict", "declared"});
  EXPECT_EQ(result.exit_code, kExitChecksFailed);
  EXPECT_NE(result.out.find("verdict: unknown"), std::string::npos) << result.out;
}

TEST(ScenarioRun, FailFastStopsAtTheFirstFailedCheck) {
  const auto result = run_sessim({"run", "sticky-session", "--store", "local", "--fail-fast"});
  EXPECT_EQ(result.exit_code, kExitChecksFailed);
  EXPECT_NE(result.out.find("stopped after the first failed check"), std::string::npos);
  EXPECT_EQ(result.out.find("(2/4)"), std::string::npos) << result.out;
}

TEST(ScenarioRun, PrintsTheSeedAndTheCommandThatRerunsIt) {
  const auto result = run_sessim({"run", "two-tabs", "--store", "local", "--seed", "4242"});
  EXPECT_EQ(result.exit_code, kExitOk) << result.out;
  EXPECT_NE(result.out.find("rerun: sessim run two-tabs --store local --seed 4242"),
            std::string::npos)
      << result.out;
}

TEST(ScenarioRun, UnknownScenarioNameSuggestsTheNearestBuiltIn) {
  const auto result = run_sessim({"run", "sticky-sesion"});
  EXPECT_EQ(result.exit_code, kExitUsage);
  EXPECT_NE(result.err.find("did you mean 'sticky-session'?"), std::string::npos) << result.err;
}

TEST(ScenarioRun, JunitReportOfTheWholeLibraryPassesTheSchema) {
  const auto xmllint = find_program("xmllint");
  if (!xmllint) {
    SKIP_FOR_MISSING("xmllint (libxml2-utils) is not installed");
  }
  RunDirectory directory;
  const auto junit = directory.file("out.xml");
  const auto result = run_sessim(
      {"run", std::string(SESSIM_SOURCE_DIR) + "/scenarios", "--store", "redis", "--junit", junit});
  // redis-restart is declared to fail with Redis, so the actual verdict is 1.
  EXPECT_EQ(result.exit_code, kExitChecksFailed) << result.err;
  const auto xml = testing::read_text_file(junit);
  EXPECT_NE(xml.find("<testsuite name=\"redis-restart [store=redis]\""), std::string::npos);
  EXPECT_NE(xml.find("<failure message=\"value: expected"), std::string::npos) << xml;

  ChildSpec spec{
      *xmllint,
      {"--noout", "--schema", std::string(SESSIM_SOURCE_DIR) + "/tests/e2e/junit.xsd", junit},
      directory.file("xmllint.log"),
      false,
      {}};
  ChildProcess validator(spec);
  EXPECT_EQ(validator.wait_for_exit(std::chrono::seconds(30)), 0)
      << testing::read_text_file(directory.file("xmllint.log"));
}

TEST(ScenarioRun, DeclaredVerdictTurnsExpectedFailuresIntoSkippedJunitCases) {
  RunDirectory directory;
  const auto junit = directory.file("out.xml");
  const auto result = run_sessim(
      {"run", "redis-restart", "--store", "redis", "--verdict", "declared", "--junit", junit});
  EXPECT_EQ(result.exit_code, kExitOk) << result.out;
  const auto xml = testing::read_text_file(junit);
  EXPECT_NE(xml.find("<skipped message=\"expected failure (declared fail)"), std::string::npos)
      << xml;
  EXPECT_EQ(xml.find("<failure"), std::string::npos);
}

}  // namespace
}  // namespace sessim
