// Histories and the consistency checker through the real binary: what the
// checker finds on sessim's nodes, under each save mode, and on an app that
// sessim did not write.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "common/errors.h"
#include "support/test_support.h"
#include "sys/child_process.h"
#include "sys/run_directory.h"

namespace sessim {
namespace {

using testing::run_sessim;

// Anomaly kind -> count, per run of `sessim run ARGS --json`.
std::vector<std::map<std::string, int>> anomaly_counts(std::vector<std::string> args) {
  args.push_back("--json");
  const auto result = run_sessim(args);
  EXPECT_NE(result.out, "") << result.err;
  const auto report = nlohmann::json::parse(result.out);
  std::vector<std::map<std::string, int>> counts;
  for (const auto& run : report["runs"]) {
    counts.push_back(run["anomaly_counts"].get<std::map<std::string, int>>());
  }
  return counts;
}

TEST(Anomalies, ReferenceStoryLosesSessionsWithLocalAndNoneWithRedis) {
  const auto local = anomaly_counts({"run", "--store", "local"});
  ASSERT_EQ(local.size(), 1u);
  EXPECT_EQ(local[0], (std::map<std::string, int>{{"lost-session", 4}}));
  const auto redis = anomaly_counts({"run", "--store", "redis"});
  EXPECT_TRUE(redis[0].empty());
}

TEST(Anomalies, TwoTabsLoseUpdatesWithAFullSaveAndNoneWithDelta) {
  for (const auto& counts :
       anomaly_counts({"run", "two-tabs", "--store", "local,redis", "--save-mode", "full"})) {
    EXPECT_GT(counts.count("lost-update"), 0u);
  }
  for (const auto& counts :
       anomaly_counts({"run", "two-tabs", "--store", "local,redis", "--save-mode", "delta"})) {
    EXPECT_TRUE(counts.empty());
  }
}

TEST(Anomalies, LogoutRaceResurrectsTheSessionWithAFullSaveOnly) {
  // Three rounds, each released together: the slow write resurrects the
  // session in every round where the node loaded it before the logout.
  for (const auto& counts : anomaly_counts({"run", "logout-race", "--store", "local,redis"})) {
    ASSERT_EQ(counts.size(), 1u);
    EXPECT_GE(counts.at("resurrected-session"), 1);
  }
  for (const auto& counts :
       anomaly_counts({"run", "logout-race", "--store", "local,redis", "--save-mode", "delta"})) {
    EXPECT_TRUE(counts.empty());
  }
}

TEST(Anomalies, DeclaredAnomaliesDecideTheVerdict) {
  // logout-race declares resurrected-session for a full save.
  EXPECT_EQ(run_sessim({"run", "logout-race", "--verdict", "declared"}).exit_code, kExitOk);
  const auto delta = run_sessim({"run", "logout-race", "--store", "redis", "--save-mode", "delta"});
  EXPECT_NE(delta.out.find("anomalies: none (declared: resurrected-session)"), std::string::npos)
      << delta.out;
}

TEST(Anomalies, FoundInAnAppSessimDidNotWrite) {
  const auto apps = std::string(SESSIM_SOURCE_DIR) + "/tests/apps";
  const auto python = anomaly_counts(
      {"run", "--store", "local", "--profile", apps + "/session_app.profile.yaml", "--node-cmd",
       "/usr/bin/python3 " + apps + "/session_app.py --port {port} --name {name}"});
  EXPECT_EQ(python[0], (std::map<std::string, int>{{"lost-session", 4}}));
  if (!find_program("php")) {
    SKIP_FOR_MISSING("php-cli is not installed");
  }
  // PHP adopts the unknown id: the cookie stays, the value is gone. Values
  // decide, not cookies: a lost session all the same.
  const auto php =
      anomaly_counts({"run", "--store", "local", "--profile", "php", "--node-header", "X-Served-By",
                      "--node-shell", "--node-cmd",
                      "mkdir -p {log_dir}/{name} && exec php -d session.save_handler=files -d "
                      "session.save_path={log_dir}/{name} -S 127.0.0.1:{port} " +
                          apps + "/php/router.php"});
  EXPECT_EQ(php[0], (std::map<std::string, int>{{"lost-session", 2}}));
}

TEST(CheckHistory, ChecksAWrittenHistoryAgain) {
  RunDirectory directory;
  const auto local = directory.file("local.jsonl");
  const auto redis = directory.file("redis.jsonl");
  run_sessim({"run", "--store", "local", "--history", local});
  run_sessim({"run", "--store", "redis", "--history", redis});
  const auto lost = run_sessim({"check-history", local});
  EXPECT_EQ(lost.exit_code, kExitChecksFailed);
  EXPECT_NE(lost.out.find("reference [store=local]: 5 operations, 4 lost-session"),
            std::string::npos)
      << lost.out;
  const auto clean = run_sessim({"check-history", redis});
  EXPECT_EQ(clean.exit_code, kExitOk) << clean.out << clean.err;
  EXPECT_NE(clean.out.find("no anomalies"), std::string::npos);
}

TEST(CheckHistory, AMalformedFileIsAUsageErrorWithItsLine) {
  RunDirectory directory;
  const auto path = directory.file("bad.jsonl");
  std::ofstream(path) << "{\"type\":\"history\",\"schema_version\":1}\nnot json\n";
  const auto result = run_sessim({"check-history", path});
  EXPECT_EQ(result.exit_code, kExitUsage);
  EXPECT_NE(result.err.find(path + ":2: not a JSON object"), std::string::npos) << result.err;
}

}  // namespace
}  // namespace sessim

namespace sessim {
namespace {

TEST(Trace, PrintsEveryRequestAsItCompletes) {
  const auto result = run_sessim({"run", "node-failure", "--store", "redis", "--trace"});
  EXPECT_EQ(result.exit_code, kExitOk);
  EXPECT_NE(result.err.find("#1   browser    PUT /session/attributes/cart  node=node-1"),
            std::string::npos)
      << result.err;
  EXPECT_NE(result.err.find("step crash node-1: node-1 crashed"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("#4   browser    GET /session/attributes/cart  node=node-2"),
            std::string::npos)
      << result.err;
}

TEST(Trace, StepAnnouncesEveryStepBeforeItRuns) {
  const auto result = run_sessim({"run", "node-failure", "--store", "redis", "--step"});
  EXPECT_EQ(result.exit_code, kExitOk);
  // stdin is /dev/null here: the first prompt waits, the others announce.
  EXPECT_NE(result.err.find("next: crash node-1 (builtin:node-failure:13:5)\n"), std::string::npos)
      << result.err;
}

TEST(Trace, KeepRunningLogsWhatTheBalancerForwardsForTheUser) {
  RunDirectory logs;
  const auto spec =
      testing::sessim_child(logs, {"run", "--store", "redis", "--keep-running", "--trace"});
  ChildProcess sessim(spec);
  ASSERT_TRUE(testing::wait_until([&] {
    return testing::read_text_file(spec.log_path).find("try: curl") != std::string::npos;
  }));
  std::smatch match;
  const auto note = testing::read_text_file(spec.log_path);
  ASSERT_TRUE(
      std::regex_search(note, match, std::regex("balancer +http://127\\.0\\.0\\.1:(\\d+)")));
  httplib::Client client("127.0.0.1", std::stoi(match[1]));
  ASSERT_TRUE(client.Get("/get-session?from=curl"));
  EXPECT_TRUE(testing::wait_until([&] {
    return testing::read_text_file(spec.log_path).find("GET /get-session?from=curl -> node-") !=
           std::string::npos;
  })) << testing::read_text_file(spec.log_path);
  ::kill(sessim.pid(), SIGINT);
  EXPECT_EQ(sessim.wait_for_exit(std::chrono::seconds(10)), 130);
}

}  // namespace
}  // namespace sessim

namespace sessim {
namespace {

TEST(Watching, OnATerminalStepsPrintAsTheyRun) {
  const auto script = find_program("script");
  if (!script) {
    SKIP_FOR_MISSING("script (util-linux) is not installed");
  }
  RunDirectory logs;
  ChildSpec spec;
  spec.executable = *script;
  spec.args = {"-qec",
               std::string(SESSIM_BINARY) + " run node-failure --store redis --pace 0.5 --no-color",
               "/dev/null"};
  spec.log_path = logs.file("stderr.log");
  spec.capture_stdout = true;
  ChildProcess terminal(spec);
  bool first_step_seen = false;
  while (auto line = terminal.read_line(std::chrono::seconds(20))) {
    if (line->find("step  1 set cart") != std::string::npos) {
      first_step_seen = true;
      break;
    }
  }
  ASSERT_TRUE(first_step_seen);
  EXPECT_TRUE(terminal.running()) << "the first step printed while four more were to come";
  EXPECT_TRUE(terminal.wait_for_exit(std::chrono::seconds(20)).has_value());
}

// Without a terminal, --step prints one prompt a line, and an input that
// ends lets the rest run rather than hang or run prompts together.
TEST(Watching, StepWithoutATerminalPromptsALineAtATimeAndEndsWithItsInput) {
  const auto result = testing::run_sessim({"run", "sticky-session", "--store", "local", "--step"});
  EXPECT_EQ(result.exit_code, kExitChecksFailed) << result.err;
  EXPECT_NE(result.err.find("— press Enter\n(stdin has ended: the remaining steps run without "
                            "waiting)\n"),
            std::string::npos)
      << result.err;
  EXPECT_EQ(result.err.find("press Enter next:"), std::string::npos) << result.err;
}

// Parallel steps are numbered and printed in the order the file writes
// them, and so are their requests, however the branches finish.
TEST(Watching, ParallelStepsAndRequestsAreNumberedInWrittenOrder) {
  const auto result = testing::run_sessim({"run", "two-tabs", "--store", "redis"});
  ASSERT_NE(result.exit_code, kExitUsage) << result.err;
  int last_step = 0;
  int last_request = 0;
  std::istringstream lines(result.out);
  for (std::string line; std::getline(lines, line);) {
    int number = 0;
    if (std::sscanf(line.c_str(), "  step %d", &number) == 1) {
      EXPECT_EQ(number, last_step + 1) << result.out;
      last_step = number;
    } else if (std::sscanf(line.c_str(), "      #%d", &number) == 1) {
      EXPECT_EQ(number, last_request + 1) << result.out;
      last_request = number;
    }
  }
  EXPECT_GE(last_step, 5);
}

// The Mermaid diagram draws each answer when it came: logout-race's slow
// PUT, released with the logout, answers after it.
TEST(Mermaid, AnswersAreDrawnWhenTheyCame) {
  RunDirectory directory;
  const auto path = directory.file("race.mmd");
  const auto result =
      testing::run_sessim({"run", "logout-race", "--store", "local", "--mermaid", path});
  ASSERT_EQ(result.exit_code, kExitChecksFailed) << result.err;
  const auto diagram = testing::read_text_file(path);
  const auto put_sent = diagram.find("tab->>balancer: (2) PUT /session/attributes/cart");
  const auto logout_sent = diagram.find("alice->>balancer: (3) POST /logout");
  const auto logout_answered = diagram.find("node_1-->>alice: (3) 200 ended");
  const auto put_answered = diagram.find("node_1-->>tab: (2) 200 ");
  ASSERT_NE(put_answered, std::string::npos) << diagram;
  EXPECT_LT(put_sent, put_answered) << diagram;
  EXPECT_LT(logout_sent, logout_answered) << diagram;
  EXPECT_LT(logout_answered, put_answered) << diagram;
}

// A read that failed its check is marked in the diagram as in the terminal's
// sequence; the reads that passed are not.
TEST(Mermaid, FailedReadsAreMarked) {
  RunDirectory directory;
  const auto path = directory.file("sticky.mmd");
  const auto result =
      testing::run_sessim({"run", "sticky-session", "--store", "local", "--mermaid", path});
  ASSERT_EQ(result.exit_code, kExitChecksFailed) << result.err;
  const auto diagram = testing::read_text_file(path);
  const auto ascii =
      testing::run_sessim({"run", "sticky-session", "--store", "local", "--format", "ascii"});
  const auto count = [](const std::string& text, const std::string& mark) {
    std::size_t found = 0;
    for (auto at = text.find(mark); at != std::string::npos; at = text.find(mark, at + 1)) ++found;
    return found;
  };
  EXPECT_GE(count(diagram, "✗"), 1u) << diagram;
  EXPECT_EQ(count(diagram, "✗"), count(ascii.out, "✗")) << diagram << ascii.out;
  const auto redis = testing::run_sessim(
      {"run", "sticky-session", "--store", "redis", "--mermaid", directory.file("redis.mmd")});
  ASSERT_EQ(redis.exit_code, kExitOk) << redis.err;
  EXPECT_EQ(count(testing::read_text_file(directory.file("redis.mmd")), "✗"), 0u);
}

TEST(Watching, CtrlCPrintsTheRunsThatCompleted) {
  RunDirectory logs;
  ChildSpec spec;
  spec.executable = SESSIM_BINARY;
  spec.args = {"run", "node-failure", "sticky-session", "--store", "redis", "--pace", "0.3"};
  spec.log_path = logs.file("stderr.log");
  spec.capture_stdout = true;
  ChildProcess sessim(spec);
  std::string out;
  while (auto line = sessim.read_line(std::chrono::seconds(20))) {
    out += *line + "\n";
    if (line->rfind("  rerun:", 0) == 0) break;  // the first run's report is complete
  }
  ::kill(sessim.pid(), SIGINT);
  while (auto line = sessim.read_line(std::chrono::seconds(10))) out += *line + "\n";
  EXPECT_EQ(sessim.wait_for_exit(std::chrono::seconds(10)), 130);
  EXPECT_NE(out.find("interrupted after 1 of 2 runs"), std::string::npos) << out;
  EXPECT_NE(out.find("node-failure  redis  pass"), std::string::npos) << out;
}

}  // namespace
}  // namespace sessim
