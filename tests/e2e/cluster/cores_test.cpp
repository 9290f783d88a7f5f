// The cores a run uses are the ones it is given, and what a node costs does
// not grow with them: the loop count follows the affinity mask (taskset) or
// --loops, shows in the JSON report and the servers' first lines, and 1,000
// in-process nodes hold the same descriptors with 16 loops as with 2.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>

#include "support/test_support.h"
#include "sys/child_process.h"
#include "sys/run_directory.h"

namespace sessim {
namespace {

using testing::run_sessim;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

nlohmann::json environment_of(const testing::CommandResult& result) {
  return nlohmann::json::parse(result.out).at("environment");
}

TEST(Cores, LoopsFollowTheAffinityMask) {
  if (!std::filesystem::exists("/usr/bin/taskset")) {
    SKIP_FOR_MISSING("taskset (util-linux) is not installed");
  }
  RunDirectory logs;
  ChildSpec spec;
  spec.executable = "/usr/bin/taskset";
  spec.args = {"-c", "0", SESSIM_BINARY, "run", "--json"};
  spec.log_path = logs.file("stderr.log");
  spec.capture_stdout = true;
  ChildProcess sessim(spec);
  std::string out;
  while (auto line = sessim.read_line(std::chrono::seconds(30))) out += *line + "\n";
  // The reference story on local memory loses its reads: exit 1, a verdict.
  ASSERT_EQ(sessim.wait_for_exit(std::chrono::seconds(30)), 1) << out;
  const auto environment = nlohmann::json::parse(out).at("environment");
  EXPECT_EQ(environment.at("event_loops"), 1);
  EXPECT_EQ(environment.at("usable_cpus"), 1);
}

TEST(Cores, LoopsAsAskedAreReportedEverywhere) {
  const auto run = run_sessim({"run", "--loops", "3", "--json"});
  ASSERT_EQ(run.exit_code, 1) << run.err;
  EXPECT_EQ(environment_of(run).at("event_loops"), 3);

  const auto traced = run_sessim({"run", "--loops", "3", "--trace"});
  EXPECT_TRUE(contains(traced.err, "sessim: 3 event loops")) << traced.err;

  const auto bench =
      run_sessim({"bench", "--loops", "2", "--requests", "50", "--users", "2", "--json"});
  ASSERT_EQ(bench.exit_code, 0) << bench.err;
  EXPECT_EQ(environment_of(bench).at("event_loops"), 2);

  RunDirectory logs;
  ChildProcess node(testing::sessim_child(logs, {"node", "--port", "0", "--loops", "3"}));
  const auto line = node.read_line(std::chrono::seconds(10));
  ASSERT_TRUE(line);
  EXPECT_TRUE(contains(*line, "3 event loops")) << *line;
}

TEST(Cores, LoopsOutOfRangeAreRefused) {
  const auto result = run_sessim({"run", "--loops", "0"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_TRUE(contains(result.err, "--loops")) << result.err;
}

// The open descriptors of `sessim run --keep-running` once its cluster is up
// and the reference story has sent every node its reads: sockets apart from
// the rest (event loops' epoll, eventfd and timerfd, logs, pipes).
struct Descriptors {
  int sockets = -1;
  int others = -1;
};

Descriptors descriptors_held(int nodes, int loops) {
  RunDirectory logs;
  // Not captured: the table of 2,000 reads goes to the log.
  const auto spec = testing::sessim_child(
      logs,
      {"run", "--nodes", std::to_string(nodes), "--loops", std::to_string(loops), "--keep-running"},
      false);
  ChildProcess sessim(spec);
  const bool up = testing::wait_until(
      [&] { return contains(testing::read_text_file(spec.log_path), "try: curl"); },
      std::chrono::seconds(60));
  if (!up) return {};
  Descriptors held{0, 0};
  for (const auto& entry :
       std::filesystem::directory_iterator(fmt::format("/proc/{}/fd", sessim.pid()))) {
    std::error_code error;
    const auto target = std::filesystem::read_symlink(entry.path(), error).string();
    ++(target.rfind("socket:", 0) == 0 ? held.sockets : held.others);
  }
  sessim.kill();
  return held;
}

// Each node served two reads, one at a time: the balancer holds one
// connection to it, whichever loops the requests came in on. Every extra
// loop costs only its own epoll, eventfd and timerfd. (Sockets are bounded
// apart: how many connections are still in flight when they are counted
// depends on the build's speed, not on the loops.)
TEST(Cores, ANodeCostsTheSameDescriptorsOnAnyNumberOfLoops) {
  const auto two = descriptors_held(1000, 2);
  const auto sixteen = descriptors_held(1000, 16);
  ASSERT_GT(two.others, 0);
  ASSERT_GT(sixteen.others, 0);
  // (Three more for what comes and goes while they are counted: a child's
  // pipe, a log being rotated.)
  EXPECT_LE(sixteen.others - two.others, 14 * 3 + 3)
      << two.others << " with 2 loops, " << sixteen.others << " with 16";
  // A listening socket and one connection (both ends) per node, little else.
  EXPECT_LE(two.sockets, 1000 * 3 + 100);
  EXPECT_LE(sixteen.sockets, 1000 * 3 + 100);
}

TEST(Cores, TheEstimateDoesNotFollowTheLoops) {
  // Under a limit below the need, the error names the need: equal for both.
  std::smatch match;
  std::string figures[2];
  int index = 0;
  for (const int loops : {2, 16}) {
    RunDirectory logs;
    ChildSpec spec;
    spec.executable = "/bin/sh";
    spec.args = {"-c", fmt::format("ulimit -n 200 && exec {} run --nodes 1000 --loops {}",
                                   SESSIM_BINARY, loops)};
    spec.log_path = logs.file("stderr.log");
    ChildProcess sessim(spec);
    EXPECT_EQ(sessim.wait_for_exit(std::chrono::seconds(30)), 3);
    const auto err = testing::read_text_file(spec.log_path);
    const std::regex need("need about ([0-9]+) open files");
    ASSERT_TRUE(std::regex_search(err, match, need)) << err;
    figures[index++] = match[1];
  }
  EXPECT_EQ(figures[0], figures[1]);
  EXPECT_LE(std::stoi(figures[0]), 8192);
}

}  // namespace
}  // namespace sessim
