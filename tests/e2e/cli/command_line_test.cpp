// What a new teacher, CI engineer and app team tripped over on first
// contact (issue 7), each held by a test through the real binary.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>

#include "common/errors.h"
#include "support/test_support.h"
#include "sys/child_process.h"
#include "sys/run_directory.h"

namespace sessim {
namespace {

using testing::run_sessim;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

constexpr const char* kStory =
    "# my story: the user's own work, which no report may destroy\n"
    "steps:\n"
    "  - set: {name: cart, value: book}\n"
    "  - get: {name: cart, expect: {value: book}}\n";

// --- Data loss -------------------------------------------------------------

TEST(ReportFiles, JsonFlagLeavesTheFollowingScenarioAloneAndRunsIt) {
  RunDirectory directory;
  const auto story = directory.file("my-story.yaml");
  write_file(story, kStory);
  const auto result = run_sessim({"run", "--json", story, "--store", "local"});
  EXPECT_EQ(testing::read_text_file(story), kStory);
  EXPECT_EQ(result.exit_code, kExitChecksFailed) << result.err;
  const auto report = nlohmann::json::parse(result.out);
  ASSERT_EQ(report["runs"].size(), 1u);
  EXPECT_EQ(report["runs"][0]["source"], story);
}

TEST(ReportFiles, NeverOverwriteTheScenarioBeingRunEvenWithForce) {
  RunDirectory directory;
  const auto story = directory.file("my-story.yaml");
  write_file(story, kStory);
  const auto result = run_sessim({"run", story, "--json=" + story, "--junit", story, "--force"});
  EXPECT_EQ(result.exit_code, kExitUsage);
  EXPECT_TRUE(contains(result.err, "a scenario this run reads")) << result.err;
  EXPECT_EQ(testing::read_text_file(story), kStory);
  EXPECT_EQ(result.out, "");
}

TEST(ReportFiles, RefuseAFileThatHoldsAScenarioUnlessForced) {
  RunDirectory directory;
  const auto other = directory.file("other-story.yml");
  for (const std::vector<std::string>& flag :
       {std::vector<std::string>{"--json=" + other}, {"--junit", other}}) {
    write_file(other, kStory);
    auto args = std::vector<std::string>{"run", "sticky-session", "--store", "redis"};
    args.insert(args.end(), flag.begin(), flag.end());
    const auto refused = run_sessim(args);
    EXPECT_EQ(refused.exit_code, kExitUsage) << flag[0];
    EXPECT_TRUE(contains(refused.err, "holds a scenario")) << refused.err;
    EXPECT_EQ(testing::read_text_file(other), kStory);
    args.push_back("--force");
    const auto forced = run_sessim(args);
    EXPECT_EQ(forced.exit_code, kExitOk) << forced.err;
    EXPECT_NE(testing::read_text_file(other), kStory);
  }
}

TEST(ReportFiles, CompareMarkdownRefusesAScenarioFile) {
  RunDirectory directory;
  const auto story = directory.file("story.yaml");
  write_file(story, kStory);
  const auto result = run_sessim({"compare", "--markdown", story, "--stores", "local",
                                  "--balancers", "round-robin", "--faults", "none"});
  EXPECT_EQ(result.exit_code, kExitUsage);
  EXPECT_EQ(testing::read_text_file(story), kStory);
}

TEST(ReportFiles, AnUnwritablePathFailsBeforeAnythingStarts) {
  const auto result = run_sessim({"run", "--json=/nonexistent-folder/report.json"});
  EXPECT_EQ(result.exit_code, kExitUsage);
  EXPECT_TRUE(contains(result.err, "--json /nonexistent-folder/report.json: no folder"))
      << result.err;
  EXPECT_EQ(result.out, "");
}

TEST(ReportFiles, TwoReportsToOneFileAreRefused) {
  RunDirectory directory;
  const auto path = directory.file("both");
  const auto result = run_sessim({"run", "sticky-session", "--json=" + path, "--junit", path});
  EXPECT_EQ(result.exit_code, kExitUsage);
  EXPECT_TRUE(contains(result.err, "both write to")) << result.err;
}

TEST(ReportFiles, LastRunsReportIsReplaced) {
  RunDirectory directory;
  const auto path = directory.file("report.json");
  write_file(path, "{\"old\": true}\n");
  const auto result = run_sessim({"run", "--store", "redis", "--json=" + path});
  EXPECT_EQ(result.exit_code, kExitOk) << result.err;
  EXPECT_EQ(nlohmann::json::parse(testing::read_text_file(path))["schema_version"], 1);
}

// --- The lesson must not mislead --------------------------------------------

nlohmann::json compare_cells(const std::vector<std::string>& extra) {
  std::vector<std::string> args{"compare"};
  args.insert(args.end(), extra.begin(), extra.end());
  args.push_back("--json");
  const auto result = run_sessim(args);
  EXPECT_EQ(result.exit_code, kExitOk) << result.err;
  return nlohmann::json::parse(result.out)["cells"];
}

TEST(CompareFaults, CrashOfANodeTheStoryAddressesIsNotApplicableNotAFailedRead) {
  const auto cells = compare_cells({"node-failure", "--stores", "redis", "--balancers",
                                    "round-robin", "--faults", "crash-node"});
  ASSERT_EQ(cells.size(), 1u);
  EXPECT_EQ(cells[0]["verdict"], "n/a");
  EXPECT_TRUE(contains(cells[0]["why"].get<std::string>(), "addresses every node directly"));
}

TEST(CompareFaults, CrashInjectedWhereTheStoryDoesNotLookKeepsRedisSessions) {
  // node-1 is addressed directly by node-failure; with three nodes the crash
  // goes to node-3, which the story never names.
  const auto cells = compare_cells({"node-failure", "--nodes", "3", "--stores", "redis",
                                    "--balancers", "round-robin", "--faults", "crash-node"});
  ASSERT_EQ(cells.size(), 1u);
  EXPECT_EQ(cells[0]["verdict"], "pass") << cells[0];
}

TEST(CompareFaults, ReadmeExampleTeachesThatRedisSurvivesANodeCrash) {
  const auto cells = compare_cells(
      {"sticky-session", "--balancers", "round-robin,ip-hash", "--faults", "crash-node"});
  for (const auto& cell : cells) {
    const auto expected = cell["store"] == "redis" ? "pass" : "fail";
    EXPECT_EQ(cell["verdict"], expected) << cell;
  }
}

TEST(SeededRuns, RepeatTheSessionIdsAndTheHashBalancersChoices) {
  const auto ids_of = [](const std::string& seed) {
    const auto result =
        run_sessim({"run", "--balancer", "hash", "--store", "local", "--seed", seed, "--json"});
    std::vector<std::string> seen;
    const auto report = nlohmann::json::parse(result.out);
    for (const auto& step : report["runs"][0]["steps"]) {
      for (const auto& request : step["requests"]) {
        seen.push_back(request["node"].get<std::string>() + " " +
                       request["session_id_set"].get<std::string>());
      }
    }
    return seen;
  };
  EXPECT_EQ(ids_of("7"), ids_of("7"));
  EXPECT_NE(ids_of("7"), ids_of("8"));
}

TEST(SeededRuns, CompareTableIsTheSameOnARerun) {
  const std::vector<std::string> args{"--balancers", "hash", "--stores", "local",
                                      "--faults",    "none", "--seed",   "7"};
  const auto first = compare_cells(args);
  for (int rerun = 0; rerun < 3; ++rerun) EXPECT_EQ(compare_cells(args), first);
}

TEST(WhyLine, AccountsForEveryFailedRead) {
  int failing_runs = 0;
  for (int seed = 1; seed <= 8; ++seed) {
    const auto result = run_sessim(
        {"run", "--balancer", "hash", "--store", "local", "--seed", std::to_string(seed)});
    std::smatch reads;
    ASSERT_TRUE(std::regex_search(result.out, reads, std::regex("reads: (\\d+)/(\\d+)")));
    const int failed = std::stoi(reads[2]) - std::stoi(reads[1]);
    if (failed == 0) continue;
    ++failing_runs;
    std::smatch why;
    ASSERT_TRUE(std::regex_search(result.out, why, std::regex("why: (\\d+) reads? failed: (.*)")))
        << result.out;
    EXPECT_EQ(std::stoi(why[1]), failed) << result.out;
    // The groups after the colon add up to the same number.
    int counted = 0;
    const std::string groups = why[2];
    const std::regex group("(^|; )(\\d+) ");
    for (std::sregex_iterator it(groups.begin(), groups.end(), group), end; it != end; ++it) {
      counted += std::stoi((*it)[2]);
    }
    EXPECT_EQ(counted, failed) << result.out;
  }
  EXPECT_GT(failing_runs, 0);
}

TEST(Vocabulary, TableScenarioReportAndJsonUseTheSameSessionWords) {
  const auto table = run_sessim({"run", "--store", "redis"});
  EXPECT_TRUE(contains(table.out, " kept ")) << table.out;
  EXPECT_FALSE(contains(table.out, "found")) << table.out;
  const auto scenario = run_sessim({"run", "sticky-session", "--store", "redis"});
  EXPECT_TRUE(contains(scenario.out, "session=kept")) << scenario.out;
  const auto json = run_sessim({"run", "sticky-session", "--store", "redis", "--json"});
  EXPECT_FALSE(contains(json.out, "session_effect"));
  EXPECT_TRUE(contains(json.out, "\"session\": \"kept\""));
}

TEST(Wording, HealthEventsSayWhatHappenedInPlainWords) {
  const auto result = run_sessim({"run", "node-failure", "--store", "redis"});
  EXPECT_TRUE(contains(result.out,
                       "balancer: node-1 down for 10 s after 1 failed attempt "
                       "(connection refused)"))
      << result.out;
  EXPECT_FALSE(contains(result.out, "(Connection")) << result.out;
}

TEST(Wording, OneReadIsOneTime) {
  const auto result = run_sessim({"run", "--reads", "1", "--store", "redis"});
  EXPECT_TRUE(contains(result.out, "read it 1 time\n")) << result.out;
}

// --- Flags and commands -----------------------------------------------------

TEST(ReferenceFlags, AreRefusedWithAScenario) {
  for (const auto* flag : {"--reads", "--value"}) {
    const auto result = run_sessim({"run", "sticky-session", flag, "3"});
    EXPECT_EQ(result.exit_code, kExitUsage) << flag;
    EXPECT_TRUE(contains(result.err, std::string(flag) + " applies to the reference story only"))
        << result.err;
  }
}

TEST(KeepRunning, WithManyClustersIsRefused) {
  const auto result =
      run_sessim({"run", "sticky-session", "--store", "local,redis", "--keep-running"});
  EXPECT_EQ(result.exit_code, kExitUsage);
  EXPECT_TRUE(contains(result.err, "--keep-running leaves one cluster up")) << result.err;
}

TEST(KeepRunning, PrintsEveryNodeAndRedisAndTheyAnswer) {
  RunDirectory logs;
  const auto spec =
      testing::sessim_child(logs, {"run", "sticky-session", "--store", "redis", "--keep-running"});
  ChildProcess sessim(spec);
  ASSERT_TRUE(testing::wait_until([&] {
    return contains(testing::read_text_file(spec.log_path), "try: curl");
  })) << testing::read_text_file(spec.log_path);
  const auto note = testing::read_text_file(spec.log_path);
  std::smatch match;
  for (const auto* name : {"balancer", "node-1", "node-2"}) {
    ASSERT_TRUE(std::regex_search(
        note, match, std::regex(std::string(name) + " +http://127\\.0\\.0\\.1:(\\d+)")))
        << note;
    httplib::Client client("127.0.0.1", std::stoi(match[1]));
    const auto health = client.Get("/healthz");
    ASSERT_TRUE(health) << name;
    EXPECT_EQ(health->status, 200) << name;
  }
  EXPECT_TRUE(std::regex_search(note, std::regex("redis +redis://127\\.0\\.0\\.1:\\d+"))) << note;
  ::kill(sessim.pid(), SIGINT);
  EXPECT_EQ(sessim.wait_for_exit(std::chrono::seconds(10)), 130);
}

TEST(ShowCommand, PrintsTheBuiltinAsShippedWithItsLesson) {
  const auto result = run_sessim({"show", "sticky-session"});
  EXPECT_EQ(result.exit_code, kExitOk);
  EXPECT_EQ(result.out, testing::read_text_file(std::string(SESSIM_SOURCE_DIR) +
                                                "/scenarios/sticky-session.yaml"));
}

TEST(ShowCommand, SuggestsTheNearestName) {
  const auto result = run_sessim({"show", "stiky-session"});
  EXPECT_EQ(result.exit_code, kExitUsage);
  EXPECT_TRUE(contains(result.err, "did you mean 'sticky-session'?")) << result.err;
  // A name cut short suggests the one built-in it begins.
  const auto shortened = run_sessim({"show", "sticky"});
  EXPECT_EQ(shortened.exit_code, kExitUsage);
  EXPECT_TRUE(contains(shortened.err, "did you mean 'sticky-session'?")) << shortened.err;
  // "redis" begins two names: no guess.
  EXPECT_FALSE(contains(run_sessim({"show", "redis"}).err, "did you mean"));
}

TEST(CheckCommand, ReportsEveryInvalidFileOfADirectory) {
  RunDirectory directory;
  write_file(directory.file("a-bad.yaml"), "steps:\n  - teleport: x\n");
  write_file(directory.file("b-good.yaml"), kStory);
  write_file(directory.file("c-bad.yaml"), "steps:\n  - get: {name: cart, expect: {valu: 1}}\n");
  const auto result = run_sessim({"check", directory.path()});
  EXPECT_EQ(result.exit_code, kExitUsage);
  EXPECT_TRUE(contains(result.err, "a-bad.yaml:2:5: unknown step 'teleport'")) << result.err;
  EXPECT_TRUE(contains(result.err, "c-bad.yaml:2:32: unknown key 'valu'")) << result.err;
  EXPECT_TRUE(contains(result.out, "ok  " + directory.file("b-good.yaml"))) << result.out;
}

TEST(CheckCommand, WarnsAboutAScenarioThatChecksNothing) {
  RunDirectory directory;
  const auto path = directory.file("unchecked.yaml");
  write_file(path, "steps:\n  - set: {name: cart, value: book}\n");
  const auto result = run_sessim({"check", path});
  EXPECT_EQ(result.exit_code, kExitOk);
  EXPECT_TRUE(contains(result.err, path + ": warning: the scenario checks nothing")) << result.err;
}

TEST(RunCommandWithInvalidFile, WritesAJunitReportThatNamesIt) {
  RunDirectory directory;
  const auto good = directory.file("good.yaml");
  const auto bad = directory.file("bad.yaml");
  const auto junit = directory.file("junit.xml");
  write_file(good, kStory);
  write_file(bad, "steps:\n  - teleport: x\n");
  const auto result = run_sessim({"run", good, bad, "--junit", junit});
  EXPECT_EQ(result.exit_code, kExitUsage);
  const auto xml = testing::read_text_file(junit);
  EXPECT_TRUE(contains(xml, "name=\"" + bad + "\"")) << xml;
  EXPECT_TRUE(contains(xml, "<error message=\"" + bad + ":2:5: unknown step")) << xml;
}

TEST(ScenarioLoader, RefusesADuplicateKeyWithBothPositions) {
  RunDirectory directory;
  const auto path = directory.file("twice.yaml");
  write_file(path,
             "cluster:\n  store: local\n  store: redis\nsteps:\n  - get: {name: a, expect: "
             "{absent: true}}\n");
  const auto result = run_sessim({"check", path});
  EXPECT_EQ(result.exit_code, kExitUsage);
  EXPECT_TRUE(
      contains(result.err, path + ":3:3: duplicate key 'store' (first at " + path + ":2:3)"))
      << result.err;
}

TEST(CommandLine, UnknownCommandSuggestsTheNearest) {
  const auto bogus = run_sessim({"bogus"});
  EXPECT_EQ(bogus.exit_code, kExitUsage);
  EXPECT_TRUE(contains(bogus.err, "unknown command 'bogus'")) << bogus.err;
  const auto typo = run_sessim({"rnu"});
  EXPECT_TRUE(contains(typo.err, "did you mean 'run'?")) << typo.err;
}

TEST(CommandLine, VersionFromEveryEntry) {
  for (const auto& args : {std::vector<std::string>{"-V"}, {"--version"}, {"version"}}) {
    const auto result = run_sessim(args);
    EXPECT_EQ(result.exit_code, kExitOk) << args[0];
    EXPECT_EQ(result.out, std::string("sessim ") + SESSIM_VERSION + "\n") << args[0];
  }
}

TEST(CommandLine, MisspeltFlagGetsASuggestionAndTheSubcommandsHelp) {
  const auto result = run_sessim({"run", "--nodse", "3"});
  EXPECT_EQ(result.exit_code, kExitUsage);
  EXPECT_EQ(result.err,
            "sessim run: unknown flag --nodse (did you mean --nodes?); see sessim run --help\n");
}

TEST(CommandLine, ExitCodesOnlyInTheTopLevelHelp) {
  EXPECT_TRUE(contains(run_sessim({"--help"}).out, "Exit codes"));
  const auto run_help = run_sessim({"run", "--help"}).out;
  EXPECT_FALSE(contains(run_help, "Exit codes")) << run_help;
  EXPECT_TRUE(contains(run_help, "Reference story (without SCENARIO):")) << run_help;
  EXPECT_TRUE(contains(run_help, "Scenarios:")) << run_help;
}

TEST(JunitReport, RecordsRealDurations) {
  RunDirectory directory;
  const auto junit = directory.file("junit.xml");
  run_sessim({"run", "sticky-session", "--store", "redis", "--junit", junit});
  const auto xml = testing::read_text_file(junit);
  std::smatch match;
  double total = 0;
  auto from = xml.cbegin();
  const std::regex testcase("<testcase [^>]*time=\"([0-9.]+)\"");
  int cases = 0;
  while (std::regex_search(from, xml.cend(), match, testcase)) {
    total += std::stod(match[1]);
    ++cases;
    from = match.suffix().first;
  }
  EXPECT_GT(cases, 0);
  EXPECT_GT(total, 0.0) << xml;
}

TEST(JsonReport, ReferenceStoryAndScenarioShareOneSchema) {
  const auto reference = nlohmann::json::parse(run_sessim({"run", "--json"}).out);
  const auto scenario = nlohmann::json::parse(
      run_sessim({"run", "sticky-session", "--store", "local", "--json"}).out);
  for (const auto* document : {&reference, &scenario}) {
    EXPECT_EQ((*document)["schema_version"], 1);
    EXPECT_EQ((*document)["command"], "run");
    const auto& run = (*document)["runs"][0];
    for (const auto* key : {"scenario", "store", "cluster", "verdict", "reads", "steps"}) {
      EXPECT_TRUE(run.contains(key)) << key;
    }
  }
}

// The balancer's settings are one table's flags on every command that runs
// a balancer, with one grammar: not `balance` alone.
TEST(CommandLine, BalancerSettingsAreTheSameFlagsOnEveryCommand) {
  for (const char* command : {"run", "compare", "bench", "balance"}) {
    const auto help = testing::run_sessim({command, "--help"}).out;
    for (const char* flag : {"--weights", "--max-fails", "--fail-timeout"}) {
      EXPECT_NE(help.find(flag), std::string::npos) << command << " " << flag;
    }
  }
  const auto run = testing::run_sessim({"run", "--nodes", "2", "--store", "redis", "--balancer",
                                        "weighted", "--weights", "3,1", "--max-fails", "2",
                                        "--fail-timeout", "3s", "--json"});
  EXPECT_EQ(run.exit_code, kExitOk) << run.err;
  const auto too_many = testing::run_sessim({"run", "--nodes", "2", "--weights", "1,2,3"});
  EXPECT_EQ(too_many.exit_code, kExitUsage);
  EXPECT_NE(too_many.err.find("--weights has 3 values for 2 nodes"), std::string::npos)
      << too_many.err;
  const auto bad = testing::run_sessim({"run", "--fail-timeout", "abc"});
  EXPECT_EQ(bad.exit_code, kExitUsage);
  EXPECT_NE(bad.err.find("--fail-timeout"), std::string::npos) << bad.err;
  // The node's delay is the same flag as run's, with the same grammar.
  EXPECT_NE(testing::run_sessim({"node", "--help"}).out.find("--node-delay"), std::string::npos);
  EXPECT_EQ(testing::run_sessim({"node", "--port", "0", "--delay-ms", "5"}).exit_code, kExitUsage);
}

}  // namespace
}  // namespace sessim
