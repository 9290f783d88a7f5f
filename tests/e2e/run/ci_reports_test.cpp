// What a CI pipeline relies on: every invalid file or reference in the
// reports while the valid scenarios still run, `check` and `run` counting
// alike, a line per finished run in a log, -q, --tag and --filter, and
// exit 3 when the system under test is not there at all.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "common/errors.h"
#include "net/loopback.h"
#include "support/test_support.h"
#include "sys/run_directory.h"

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
  EXPECT_TRUE(contains(none.err,
                       "no scenario matches --tag nightly (of 1 scenario; tags in them: "
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
  EXPECT_TRUE(contains(result.err,
                       "body.yaml:3:5: set a = b: the body of set comes from the app "
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
  EXPECT_TRUE(contains(fractional.err, "a whole number of seconds; '1.5s' is 1.5s"))
      << fractional.err;
  const auto bench = run_sessim({"bench", "--duration", "300ms", "--users", "2", "--json"});
  EXPECT_EQ(bench.exit_code, kExitOk) << bench.err;
}

// Exit 3 writes every report asked for, with an <error> case naming what
// was missing and a skipped case per run never played; a report left from
// an earlier run never stays in place.
TEST(CiReports, ExitThreeWritesEveryReportAndReplacesAnEarlierOne) {
  RunDirectory directory;
  const auto junit = directory.file("t.xml");
  const auto json_path = directory.file("t.json");
  std::ofstream(junit) << "<testsuites name=\"stale\" tests=\"1\" failures=\"0\"/>\n";
  std::ofstream(json_path) << "{\"passed\": true}\n";
  const int port = pick_free_loopback_port();
  const auto result =
      run_sessim({"run", "sticky-session", "--target", fmt::format("http://127.0.0.1:{}", port),
                  "--junit", junit, "--json=" + json_path});
  EXPECT_EQ(result.exit_code, kExitEnvironment) << result.out << result.err;
  const auto xml = testing::read_text_file(junit);
  EXPECT_FALSE(contains(xml, "stale")) << xml;
  EXPECT_TRUE(contains(xml, "type=\"environment\">--target http://127.0.0.1:")) << xml;
  EXPECT_TRUE(contains(xml, "nothing answers there (connection refused)")) << xml;
  EXPECT_TRUE(contains(xml, "errors=\"1\"")) << xml;
  EXPECT_TRUE(contains(xml, "<skipped message=\"not run: the suite stopped")) << xml;
  const auto report = nlohmann::json::parse(testing::read_text_file(json_path));
  EXPECT_EQ(report["passed"], false);
  EXPECT_EQ(report["stopped"]["kind"], "environment");
  EXPECT_TRUE(contains(report["stopped"]["message"].get<std::string>(), "nothing answers there"));
  EXPECT_EQ(report["not_run"].size(), 2u) << report.dump(1);
}

// A --fault-cmd that fails partway stops the suite at that step: the runs
// before it and the error are in the reports, exit 3.
TEST(CiReports, AFaultCommandThatFailsPartwayStillWritesTheReports) {
  RunDirectory directory;
  const auto story = directory.file("crash.yaml");
  std::ofstream(story) << "name: crash-hook\nsteps:\n"
                          "  - set: {name: cart, value: book}\n"
                          "  - crash: node-1\n"
                          "  - get: {name: cart, expect: {value: book}}\n";
  const auto junit = directory.file("hook.xml");
  const auto json_path = directory.file("hook.json");
  testing::StandaloneCluster cluster(StoreKind::local);
  const auto result = run_sessim({"run", story, "--target",
                                  fmt::format("http://127.0.0.1:{}", cluster.balancer_port()),
                                  "--fault-cmd", "crash=echo the hook broke >&2; exit 7", "--junit",
                                  junit, "--json=" + json_path});
  EXPECT_EQ(result.exit_code, kExitEnvironment) << result.out << result.err;
  const auto xml = testing::read_text_file(junit);
  EXPECT_TRUE(contains(xml, "<error ")) << xml;
  EXPECT_TRUE(contains(xml, "the hook broke")) << xml;
  const auto report = nlohmann::json::parse(testing::read_text_file(json_path));
  EXPECT_EQ(report["passed"], false);
  EXPECT_TRUE(contains(report["stopped"]["message"].get<std::string>(), "the hook broke"))
      << report.dump(1);
}

// One of two upstreams dead throughout: the run is an error, and the exit
// code, JUnit, JSON and -q all say so.
TEST(CiReports, ADeadUpstreamIsAnErrorInEveryReport) {
  RunDirectory logs;
  auto nodes = testing::start_process_nodes(1, StoreKind::local, "", logs);
  const int dead = pick_free_loopback_port();
  const auto junit = logs.file("dead.xml");
  const auto json_path = logs.file("dead.json");
  const std::vector<std::string> quiet{
      "run",        "sticky-session",
      "--store",    "local",
      "--upstream", fmt::format("live=http://127.0.0.1:{}", nodes[0]->port()),
      "--upstream", fmt::format("dead=http://127.0.0.1:{}", dead),
      "-q",         "--junit",
      junit,        "--json=" + json_path};
  const auto result = run_sessim(quiet);
  EXPECT_EQ(result.exit_code, kExitEnvironment) << result.out << result.err;
  EXPECT_TRUE(contains(result.out, ": error, ")) << result.out;
  EXPECT_FALSE(contains(result.out, ": pass, ")) << result.out;
  const auto xml = testing::read_text_file(junit);
  EXPECT_TRUE(contains(xml, "dead (down throughout) served no request")) << xml;
  EXPECT_FALSE(contains(xml, "<testsuites name=\"sessim\" tests=\"5\" failures=\"0\" errors=\"0\""))
      << xml;
  EXPECT_TRUE(contains(xml, "type=\"system-under-test\"")) << xml;
  const auto report = nlohmann::json::parse(testing::read_text_file(json_path));
  EXPECT_EQ(report["passed"], false);
  EXPECT_EQ(report["runs"][0]["verdict"], "error");
  auto lenient = quiet;
  lenient.insert(lenient.end(), {"--verdict", "lenient"});
  EXPECT_NE(run_sessim(lenient).exit_code, kExitEnvironment);
}

// --fail-fast stops the suite at the first run that fails; =story stops
// only that story.
TEST(CiReports, FailFastStopsTheSuiteAndStoryStopsOnlyTheStory) {
  RunDirectory directory;
  std::ofstream(directory.file("a.yaml")) << "name: a-fails\ncluster: {nodes: 1}\nsteps:\n"
                                             "  - get: {name: cart, expect: {value: never}}\n"
                                             "  - get: {name: cart, expect: {absent: true}}\n";
  std::ofstream(directory.file("b.yaml")) << "name: b-passes\ncluster: {nodes: 1}\nsteps:\n"
                                             "  - get: {name: cart, expect: {absent: true}}\n";
  const auto junit = directory.file("ff.xml");
  const auto suite = run_sessim({"run", directory.file("a.yaml"), directory.file("b.yaml"),
                                 "--fail-fast", "-q", "--junit", junit});
  EXPECT_EQ(suite.exit_code, kExitChecksFailed) << suite.out << suite.err;
  EXPECT_TRUE(contains(suite.out, "[1/2] a-fails")) << suite.out;
  EXPECT_FALSE(contains(suite.out, "[2/2]")) << suite.out;
  EXPECT_TRUE(contains(suite.out,
                       "not run (--fail-fast: a-fails [store=local] did not succeed): "
                       "b-passes [store=local]"))
      << suite.out;
  EXPECT_TRUE(contains(testing::read_text_file(junit), "<skipped message=\"not run: --fail-fast"));
  const auto story = run_sessim(
      {"run", directory.file("a.yaml"), directory.file("b.yaml"), "--fail-fast=story", "-q"});
  EXPECT_EQ(story.exit_code, kExitChecksFailed);
  EXPECT_TRUE(contains(story.out, "[2/2] b-passes [store=local]: pass")) << story.out;
  EXPECT_TRUE(contains(story.out, "[1/2] a-fails [store=local]: fail, 0/1 checks")) << story.out;
  EXPECT_EQ(run_sessim({"run", "--fail-fast=never", directory.file("b.yaml")}).exit_code,
            kExitUsage);
}

// The wordings the CI engineers met: a repeat's latency named after the
// repeat, `absent` said once, a pattern as written, and no "no outcome
// declared" on every line.
TEST(CiReports, ChecksAreWordedOnceAndAsWritten) {
  RunDirectory directory;
  const auto path = directory.file("words.yaml");
  std::ofstream(path) << "name: words\ncluster: {nodes: 1}\nsteps:\n"
                         "  - get: {name: cart, expect: {absent: true}}\n"
                         "  - repeat:\n"
                         "      times: 3\n"
                         "      latency: {p95: 10s}\n"
                         "      steps:\n"
                         "        - get: {name: cart, label: read cart}\n"
                         "  - request: {path: /healthz, expect: {body: {matches: '^\\d+ no$'}}}\n";
  const auto junit = directory.file("words.xml");
  const auto result = run_sessim({"run", path, "--junit", junit, "--no-color"});
  EXPECT_EQ(result.exit_code, kExitChecksFailed) << result.out;
  EXPECT_TRUE(contains(result.out, "ok: absent\n")) << result.out;
  EXPECT_FALSE(contains(result.out, "absent (absent)")) << result.out;
  EXPECT_TRUE(contains(result.out, "expected '^\\d+ no$', got")) << result.out;
  EXPECT_FALSE(contains(result.out, "\\x5c")) << result.out;
  EXPECT_FALSE(contains(result.out, "no outcome declared")) << result.out;
  const auto xml = testing::read_text_file(junit);
  EXPECT_TRUE(contains(xml, "name=\"repeat 3 times: latency p95\"")) << xml;
  EXPECT_FALSE(contains(xml, "(3/3): latency")) << xml;
  const auto quiet = run_sessim({"run", path, "-q"});
  EXPECT_FALSE(contains(quiet.out, "no outcome declared")) << quiet.out;
}

// Every kind of run report validates against the published JSON Schema,
// and holds no key the schema does not describe.
TEST(CiReports, TheJsonReportsValidateAgainstTheSchema) {
  if (std::system("/usr/bin/python3 -c 'import jsonschema' 2>/dev/null") != 0) {
    SKIP_FOR_MISSING("python3-jsonschema is not installed (scripts/dev installs it)");
  }
  const std::string source = SESSIM_SOURCE_DIR;
  Suite suite;
  RunDirectory directory;
  const auto story = directory.file("full.yaml");
  std::ofstream(story) << "name: full\ncluster: {nodes: 2, store: redis}\n"
                          "steps:\n"
                          "  - set: {name: cart, value: book}\n"
                          "  - request: {path: /session/attributes/cart, capture: {c: {body: "
                          "{matches: '(b)ook'}}}}\n"
                          "  - get: {name: cart, retry: {times: 1, every: 10ms}, expect: {value: "
                          "nope}}\n"
                          "  - crash: \"@last\"\n"
                          "  - get: {name: cart, expect: {value: \"${c}ook\"}}\n"
                          "thresholds: {p95: 10s, checks: 10%}\n";
  const auto port = pick_free_loopback_port();
  const std::vector<std::vector<std::string>> runs{
      {"run", story, "sticky-session", "--store", "redis"},
      {"run", "--reads", "3"},
      {"run", suite.path()},
      {"run", "sticky-session", "--target", fmt::format("http://127.0.0.1:{}", port)},
  };
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const auto json_path = directory.file(fmt::format("report-{}.json", i));
    auto args = runs[i];
    args.push_back("--json=" + json_path);
    const auto result = run_sessim(args, std::chrono::seconds(90));
    ASSERT_TRUE(std::ifstream(json_path).good())
        << fmt::format("{}", fmt::join(args, " ")) << result.err;
    const auto log = directory.file(fmt::format("schema-{}.log", i));
    const int status =
        std::system(fmt::format("/usr/bin/python3 {} {} {} >{} 2>&1",
                                source + "/tests/support/validate_report.py",
                                source + "/docs/schema/run-report.schema.json", json_path, log)
                        .c_str());
    EXPECT_EQ(status, 0) << fmt::format("{}", fmt::join(args, " ")) << "\n"
                         << testing::read_text_file(log);
  }
}

}  // namespace
}  // namespace sessim
