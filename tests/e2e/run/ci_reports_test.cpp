// What a CI pipeline relies on: every invalid file or reference in the
// reports while the valid scenarios still run, `check` and `run` counting
// alike, a line per finished run in a log, -q, --tag and --filter, and
// exit 3 when the system under test is not there at all.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "cluster/run_directory.h"
#include "common/errors.h"
#include "net/loopback.h"
#include "support/test_support.h"

namespace sessim {
namespace {

using testing::run_sessim;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::size_t occurrences(const std::string& text, const std::string& part) {
  std::size_t count = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++count;
  return count;
}

// A suite of one valid scenario and three invalid ones: a step that does
// not parse, a `via` and a `crash` naming nodes the cluster lacks.
class Suite {
 public:
  Suite() {
    write("valid.yaml",
          "name: valid\ntags: [smoke]\ncluster: {nodes: 1}\nsteps:\n"
          "  - set: {name: cart, value: book, expect: {status: 200}}\n");
    write("second.yaml",
          "name: second\ntags: [slow]\ncluster: {nodes: 1}\nsteps:\n"
          "  - get: {name: cart, expect: {absent: true}}\n");
    write("via.yaml",
          "name: via\ncluster: {nodes: 2}\nsteps:\n"
          "  - get: {name: cart, via: node-9, expect: {absent: true}}\n");
    write("crash.yaml",
          "name: crash\ncluster: {nodes: 2}\nsteps:\n  - crash: node-5\n"
          "  - get: {name: cart, expect: {absent: true}}\n");
    write("broken.yaml", "name: broken\nsteps:\n  - teleport: node-1\n");
  }
  std::string path() const { return directory_.path(); }
  std::string file(const std::string& name) const { return directory_.file(name); }
  std::string output(const std::string& name) const { return reports_.file(name); }

 private:
  void write(const std::string& name, const std::string& text) {
    std::ofstream(directory_.file(name)) << text;
  }
  RunDirectory directory_;
  RunDirectory reports_;
};

TEST(CiReports, InvalidFilesAndReferencesAreReportedWhileTheValidOnesRun) {
  Suite suite;
  const auto junit = suite.output("suite.xml");
  const auto json_path = suite.output("suite.json");
  const auto result = run_sessim({"run", suite.path(), "--junit", junit, "--json=" + json_path});
  EXPECT_EQ(result.exit_code, kExitUsage) << result.out << result.err;
  EXPECT_TRUE(contains(result.err, "3 scenario files invalid")) << result.err;
  EXPECT_TRUE(contains(result.out, "[1/2] second [store=local]: pass")) << result.out;
  EXPECT_TRUE(contains(result.out, "[2/2] valid [store=local]: pass")) << result.out;

  const auto xml = testing::read_text_file(junit);
  EXPECT_EQ(occurrences(xml, "<error "), 3u) << xml;
  EXPECT_TRUE(contains(xml, "via: no node named &#39;node-9&#39;")) << xml;
  EXPECT_TRUE(contains(xml, "name=\"set cart = book: status\"")) << xml;
  const auto report = nlohmann::json::parse(testing::read_text_file(json_path));
  EXPECT_EQ(report["runs"].size(), 2u);
  ASSERT_EQ(report["invalid"].size(), 3u);
  EXPECT_EQ(report["passed"], false);

  // check counts what run counts.
  const auto checked = run_sessim({"check", suite.path()});
  EXPECT_EQ(checked.exit_code, kExitUsage);
  EXPECT_TRUE(contains(checked.err, "3 of 5 scenario files invalid")) << checked.err;
}

TEST(CiReports, FailFastRunsNothingWhenAFileIsInvalid) {
  Suite suite;
  const auto junit = suite.output("suite.xml");
  const auto result = run_sessim({"run", suite.path(), "--fail-fast", "--junit", junit});
  EXPECT_EQ(result.exit_code, kExitUsage);
  EXPECT_TRUE(contains(result.err, "nothing was run")) << result.err;
  EXPECT_EQ(occurrences(testing::read_text_file(junit), "<error "), 3u);
  EXPECT_FALSE(contains(result.out, "[1/")) << result.out;
}

TEST(CiReports, QuietPrintsVerdictLinesAndTagsAndFiltersChoose) {
  Suite suite;
  const auto quiet = run_sessim({"run", suite.file("valid.yaml"), suite.file("second.yaml"), "-q"});
  EXPECT_EQ(quiet.exit_code, kExitOk) << quiet.err;
  EXPECT_EQ(quiet.out.find("[1/2]"), 0u) << quiet.out;
  EXPECT_EQ(occurrences(quiet.out, "\n"), 3u) << quiet.out;  // two runs and the count
  EXPECT_TRUE(contains(quiet.out, "2 of 2 runs succeeded")) << quiet.out;
  EXPECT_FALSE(contains(quiet.out, "step  1")) << quiet.out;

  const auto tagged = run_sessim(
      {"run", suite.file("valid.yaml"), suite.file("second.yaml"), "--tag", "smoke", "-q"});
  EXPECT_TRUE(contains(tagged.out, "[1/1] valid")) << tagged.out;
  const auto filtered = run_sessim(
      {"run", suite.file("valid.yaml"), suite.file("second.yaml"), "--filter", "sec*", "-q"});
  EXPECT_TRUE(contains(filtered.out, "[1/1] second")) << filtered.out;
  const auto none = run_sessim({"run", suite.file("valid.yaml"), "--tag", "nightly"});
  EXPECT_EQ(none.exit_code, kExitUsage);
  EXPECT_TRUE(contains(none.err, "no scenario matches --tag nightly (of 1 scenario; tags in them: "
                                 "smoke)"))
      << none.err;
}

TEST(CiReports, ATargetOrUpstreamsThatAreNotThereAreAnEnvironmentError) {
  const int port = pick_free_loopback_port();  // nothing listens there
  const auto target = run_sessim({"run", "--target", fmt::format("http://127.0.0.1:{}", port)});
  EXPECT_EQ(target.exit_code, kExitEnvironment) << target.out;
  EXPECT_TRUE(contains(target.err, "nothing answers there (connection refused)")) << target.err;
  const auto upstreams = run_sessim(
      {"run", "sticky-session", "--upstream", fmt::format("a=http://127.0.0.1:{}", port)});
  EXPECT_EQ(upstreams.exit_code, kExitEnvironment) << upstreams.out;
  EXPECT_TRUE(contains(upstreams.err, "no --upstream answers (a at 127.0.0.1:")) << upstreams.err;
}

TEST(CiReports, AStepsOwnBodyIsRefusedWhereTheProfileWritesOne) {
  RunDirectory directory;
  const auto path = directory.file("body.yaml");
  std::ofstream(path) << "cluster: {nodes: 1}\nsteps:\n"
                         "  - set: {name: a, value: b, body: x}\n";
  const auto result = run_sessim({"run", path});
  EXPECT_EQ(result.exit_code, kExitUsage);
  EXPECT_TRUE(contains(result.err, "body.yaml:3:5: set a = b: the body of set comes from the app "
                                   "profile sessim ({value})"))
      << result.err;
}

TEST(CiReports, ValuesAreEscapedAndDurationFlagsTakeUnits) {
  RunDirectory directory;
  const auto path = directory.file("escape.yaml");
  std::ofstream(path) << "cluster: {nodes: 1}\nsteps:\n"
                         "  - request: {path: /healthz, expect: {value: \"nope\\n\"}}\n";
  const auto result = run_sessim({"run", path});
  EXPECT_EQ(result.exit_code, kExitChecksFailed);
  EXPECT_TRUE(contains(result.out, "FAILED value: expected \"nope\\x0a\", got \"ok\\x0a\""))
      << result.out;
  EXPECT_FALSE(contains(result.out, "\"ok\n")) << result.out;

  EXPECT_EQ(run_sessim({"run", "--session-timeout", "30m"}).exit_code, kExitChecksFailed);
  const auto fractional = run_sessim({"run", "--session-timeout", "1.5s"});
  EXPECT_EQ(fractional.exit_code, kExitUsage);
  EXPECT_TRUE(contains(fractional.err, "1.5s is not a whole number of seconds")) << fractional.err;
  const auto bench = run_sessim({"bench", "--duration", "300ms", "--users", "2", "--json"});
  EXPECT_EQ(bench.exit_code, kExitOk) << bench.err;
}

}  // namespace
}  // namespace sessim
