// `sessim run` as a user runs it: the real binary, real children, real ports.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <set>

#include "common/errors.h"
#include "net/loopback.h"
#include "support/test_support.h"
#include "sys/child_process.h"

namespace sessim {
namespace {

using testing::run_sessim;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class RunCommandInMode : public ::testing::TestWithParam<std::string> {};

TEST_P(RunCommandInMode, LocalStoreLosesTheSessionAcrossNodes) {
  const auto result = run_sessim({"run", "--nodes", "2", "--store", "local", "--mode", GetParam()});
  EXPECT_EQ(result.exit_code, kExitChecksFailed) << result.err;
  EXPECT_TRUE(
      contains(result.out, "reads: 0/4 succeeded (store=local, nodes=2, balancer=round-robin)"))
      << result.out;
  EXPECT_TRUE(contains(result.out, "replaced")) << result.out;
  EXPECT_TRUE(contains(result.out, "node-2")) << result.out;
}

TEST_P(RunCommandInMode, RedisStoreKeepsTheSessionAcrossNodes) {
  const auto result = run_sessim({"run", "--nodes", "2", "--store", "redis", "--mode", GetParam()});
  EXPECT_EQ(result.exit_code, kExitOk) << result.out << result.err;
  EXPECT_TRUE(
      contains(result.out, "reads: 4/4 succeeded (store=redis, nodes=2, balancer=round-robin)"))
      << result.out;
}

INSTANTIATE_TEST_SUITE_P(Modes, RunCommandInMode, ::testing::Values("inproc", "process"),
                         [](const auto& info) { return info.param; });

TEST(RunCommand, OneNodeWithLocalStorePasses) {
  const auto result = run_sessim({"run", "--nodes", "1", "--store", "local"});
  EXPECT_EQ(result.exit_code, kExitOk) << result.out;
  EXPECT_TRUE(contains(result.out, "reads: 2/2 succeeded")) << result.out;
}

// Nodes slower than the balancer's upstream timeout answer nothing: every
// request is a 502 naming the timeout. With room to answer, the same sticky
// cluster keeps every read.
TEST(RunCommand, NodesSlowerThanTheUpstreamTimeoutAre502s) {
  const std::vector<std::string> slow_sticky_cluster{"run",    "--nodes",      "2",   "--balancer",
                                                     "cookie", "--node-delay", "300", "--json"};
  auto args = slow_sticky_cluster;
  args.insert(args.end(), {"--upstream-timeout", "0.1"});
  const auto cut_short = run_sessim(args);
  EXPECT_EQ(cut_short.exit_code, kExitChecksFailed) << cut_short.err;
  EXPECT_TRUE(contains(cut_short.out, "\"status\": 502")) << cut_short.out;
  EXPECT_TRUE(contains(cut_short.out, "timed out after 100 ms waiting for the response"))
      << cut_short.out;
  args = slow_sticky_cluster;
  args.insert(args.end(), {"--upstream-timeout", "2"});
  const auto patient = run_sessim(args);
  EXPECT_EQ(patient.exit_code, kExitOk) << patient.out << patient.err;
  EXPECT_FALSE(contains(patient.out, "\"status\": 502")) << patient.out;
}

TEST(RunCommand, JsonReportDescribesEveryRequest) {
  const auto result =
      run_sessim({"run", "--nodes", "3", "--store", "local", "--reads", "5", "--json"});
  EXPECT_EQ(result.exit_code, kExitChecksFailed);
  const auto report = nlohmann::json::parse(result.out);
  EXPECT_FALSE(report["passed"].get<bool>());
  EXPECT_EQ(report["schema_version"], 1);
  ASSERT_EQ(report["runs"].size(), 1u);
  const auto& run = report["runs"][0];
  EXPECT_EQ(run["scenario"], "reference");
  EXPECT_EQ(run["reads"]["total"], 5);
  EXPECT_EQ(run["reads"]["ok"], 0);
  std::vector<nlohmann::json> requests;
  for (const auto& step : run["steps"]) {
    for (const auto& request : step["requests"]) requests.push_back(request);
  }
  ASSERT_EQ(requests.size(), 6u);
  EXPECT_EQ(requests[0]["session"], "created");
  EXPECT_EQ(requests[1]["node"], "node-2");
  EXPECT_EQ(requests[1]["session"], "replaced");
  EXPECT_EQ(requests[3]["node"], "node-1");
}

TEST(RunCommand, UnknownFlagIsAUsageErrorOnOneLine) {
  const auto result = run_sessim({"run", "--nodse", "2"});
  EXPECT_EQ(result.exit_code, kExitUsage);
  EXPECT_TRUE(contains(result.err, "--nodse")) << result.err;
  EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
}

TEST(RunCommand, OutOfRangeNodeCountIsAUsageError) {
  EXPECT_EQ(run_sessim({"run", "--nodes", "0"}).exit_code, kExitUsage);
  EXPECT_EQ(run_sessim({"run", "--nodes", "4097"}).exit_code, kExitUsage);
  EXPECT_EQ(run_sessim({"run", "--store", "mongo"}).exit_code, kExitUsage);
}

// One flag table: every command that takes a flag checks it the same way.
TEST(ClusterFlags, EveryCommandChecksTheStrategyName) {
  for (const auto& command : {std::vector<std::string>{"run"},
                              {"bench", "--requests", "1"},
                              {"balance", "--port", "0", "--upstream", "http://127.0.0.1:1"}}) {
    auto args = command;
    args.insert(args.end(), {"--balancer", "round-robbin"});
    const auto result = run_sessim(args);
    EXPECT_EQ(result.exit_code, kExitUsage) << command.front() << ": " << result.err;
    EXPECT_TRUE(contains(result.err, "round-robbin")) << result.err;
  }
}

TEST(ClusterFlags, DurationsTakeUnitsAndBareNumbersKeepTheirUnit) {
  const auto with_units = run_sessim({"run", "--health-check", "250ms", "--upstream-timeout", "2s",
                                      "--node-delay", "1ms", "--json"});
  EXPECT_EQ(with_units.exit_code, kExitChecksFailed) << with_units.err;  // local store: reads fail
  EXPECT_TRUE(contains(with_units.out, "\"requests\"")) << with_units.out;
  const auto bad = run_sessim({"run", "--health-check", "2x"});
  EXPECT_EQ(bad.exit_code, kExitUsage);
  EXPECT_TRUE(contains(bad.err, "'2x' is not a duration")) << bad.err;
  // --node-delay counts bare numbers in milliseconds: 20000 is 20 s, above its 10 s bound.
  const auto too_slow = run_sessim({"run", "--node-delay", "20000"});
  EXPECT_EQ(too_slow.exit_code, kExitUsage) << too_slow.err;
  EXPECT_TRUE(contains(too_slow.err, "--node-delay: a duration from 0s to 10s; '20000' is 20s"))
      << too_slow.err;
}

TEST(ClusterFlags, ARerunRepeatsTheClusterFlagsAsWritten) {
  const auto result = run_sessim({"run", "two-tabs", "--store", "local", "--seed", "7", "--nodes",
                                  "3", "--node-delay", "5ms", "--on-miss", "keep"});
  EXPECT_TRUE(contains(result.out,
                       "rerun: sessim run two-tabs --store local --seed 7 --nodes 3 "
                       "--on-miss keep --node-delay 5ms"))
      << result.out;
}

TEST(ClusterFlags, AFlagThatMeansNothingForTheSystemUnderTestIsRefused) {
  const auto target =
      run_sessim({"run", "--target", "http://127.0.0.1:1", "--upstream-timeout", "2s"});
  EXPECT_EQ(target.exit_code, kExitUsage);
  EXPECT_EQ(target.err,
            "sessim: --upstream-timeout does not apply with --target: the target is the whole "
            "system under test\n");
  const auto upstream =
      run_sessim({"run", "--upstream", "http://127.0.0.1:1", "--redis-url", "redis://127.0.0.1:1"});
  EXPECT_EQ(upstream.exit_code, kExitUsage);
  EXPECT_TRUE(contains(upstream.err, "--redis-url does not apply with --upstream")) << upstream.err;
  const auto grace = run_sessim({"run", "--stop-grace", "1s"});
  EXPECT_EQ(grace.exit_code, kExitUsage);
  EXPECT_TRUE(contains(grace.err, "--stop-grace goes with --node-cmd")) << grace.err;
}

// Permission bits say yes for root, /proc says no: the report file is
// created up front, so the run is refused before it starts.
TEST(RunCommand, AReportPathThatCannotBeCreatedIsRefusedBeforeTheRun) {
  const auto result = run_sessim({"run", "--junit", "/proc/sessim-report.xml"});
  EXPECT_EQ(result.exit_code, kExitUsage) << result.out << result.err;
  EXPECT_TRUE(
      contains(result.err, "--junit /proc/sessim-report.xml: cannot create a file in /proc"))
      << result.err;
  EXPECT_FALSE(contains(result.out, "reads:")) << result.out;
}

// A seed is a 64-bit number written as one; nothing wraps around.
TEST(RunCommand, ASeedOutsideZeroTo2To64IsRefused) {
  const auto negative = run_sessim({"run", "--seed", "-1"});
  EXPECT_EQ(negative.exit_code, kExitUsage);
  EXPECT_TRUE(contains(negative.err, "-1 is not accepted")) << negative.err;
  const auto too_big = run_sessim({"compare", "--seed", "18446744073709551616"});
  EXPECT_EQ(too_big.exit_code, kExitUsage);
  EXPECT_TRUE(contains(too_big.err, "a seed is a whole number from 0 to 18446744073709551615"))
      << too_big.err;
  const auto largest = run_sessim({"run", "--seed", "18446744073709551615", "--json"});
  EXPECT_TRUE(contains(largest.out, "18446744073709551615")) << largest.out;
}

// In-process nodes share the event loops: a thousand cost a thousand
// listening sockets, not a thousand thread pools.
TEST(RunCommand, AThousandInProcessNodesServeThroughTheBalancer) {
  const auto result =
      run_sessim({"run", "--nodes", "1000", "--store", "redis", "--reads", "6", "--json"});
  ASSERT_EQ(result.exit_code, kExitOk) << result.err;
  const auto report = nlohmann::json::parse(result.out);
  const auto& run = report["runs"][0];
  EXPECT_EQ(run["cluster"]["nodes"], 1000);
  std::set<std::string> served_by;
  for (const auto& step : run["steps"]) {
    for (const auto& request : step["requests"]) served_by.insert(request["node"]);
  }
  EXPECT_EQ(served_by.size(), 7U);  // round robin: node-1 .. node-7
  EXPECT_TRUE(served_by.count("node-7")) << result.out;
}

// A machine that cannot hold the cluster is told so before anything starts.
TEST(RunCommand, TooFewFileDescriptorsAreRefusedUpFront) {
  const std::string command = std::string("ulimit -n 256 && '") + SESSIM_BINARY +
                              "' run --nodes 1000 2>&1; echo \"exit=$?\"";
  FILE* pipe = popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  char buffer[512];
  while (fgets(buffer, sizeof buffer, pipe)) output += buffer;
  pclose(pipe);
  EXPECT_TRUE(contains(output, "1000 nodes need about")) << output;
  EXPECT_TRUE(contains(output, "ulimit -n")) << output;
  EXPECT_TRUE(contains(output, "exit=" + std::to_string(kExitEnvironment))) << output;
}

TEST(RunCommand, MissingRedisServerIsAnEnvironmentErrorThatSaysHowToInstall) {
  const auto result =
      run_sessim({"run", "--store", "redis", "--redis-server", "/nonexistent/redis-server"});
  EXPECT_EQ(result.exit_code, kExitEnvironment);
  EXPECT_TRUE(contains(result.err, "apt-get install redis-server")) << result.err;
}

TEST(RunCommand, UnreachableRedisUrlIsAnEnvironmentError) {
  const int port = pick_free_loopback_port();
  const auto result = run_sessim(
      {"run", "--store", "redis", "--redis-url", "redis://127.0.0.1:" + std::to_string(port)});
  EXPECT_EQ(result.exit_code, kExitEnvironment);
  EXPECT_TRUE(contains(result.err, "cannot connect to Redis at")) << result.err;
}

TEST(RunCommand, BusyBalancerPortIsAnEnvironmentError) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  ASSERT_EQ(::listen(fd, 1), 0);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  const auto port = std::to_string(ntohs(address.sin_port));
  const auto result = run_sessim({"run", "--balancer-port", port});
  ::close(fd);
  EXPECT_EQ(result.exit_code, kExitEnvironment);
  EXPECT_TRUE(contains(result.err, port)) << result.err;
}

// Starts `sessim run --keep-running` in process mode with Redis, waits for its
// report, and returns it with the PIDs of its children (2 nodes + redis).
struct KeptCluster {
  std::unique_ptr<ChildProcess> sessim;
  std::vector<int> children;
  RunDirectory logs;
};

std::unique_ptr<KeptCluster> start_kept_cluster() {
  auto kept = std::make_unique<KeptCluster>();
  ChildSpec spec;
  spec.executable = SESSIM_BINARY;
  spec.args = {"run", "--mode", "process", "--store", "redis", "--keep-running"};
  spec.log_path = kept->logs.file("stderr.log");
  spec.capture_stdout = true;
  kept->sessim = std::make_unique<ChildProcess>(spec);
  while (auto line = kept->sessim->read_line(std::chrono::seconds(20))) {
    if (line->rfind("reads:", 0) == 0) break;
  }
  kept->children = testing::child_pids(kept->sessim->pid());
  return kept;
}

bool all_gone(const std::vector<int>& pids) {
  return std::none_of(pids.begin(), pids.end(), testing::process_alive);
}

TEST(RunCommand, KilledWithSigkillLeavesNoChildRunning) {
  auto kept = start_kept_cluster();
  ASSERT_EQ(kept->children.size(), 4u);  // two nodes, redis-server, the watchdog
  kept->sessim->kill();
  EXPECT_TRUE(testing::wait_until([&] { return all_gone(kept->children); }));
}

TEST(RunCommand, InterruptStopsEveryChildAndExits130) {
  auto kept = start_kept_cluster();
  ASSERT_EQ(kept->children.size(), 4u);  // two nodes, redis-server, the watchdog
  ::kill(kept->sessim->pid(), SIGINT);
  EXPECT_EQ(kept->sessim->wait_for_exit(std::chrono::seconds(10)), 130);
  EXPECT_TRUE(testing::wait_until([&] { return all_gone(kept->children); }));
}

TEST(RunCommand, TerminateStopsEveryChildAndExits143) {
  auto kept = start_kept_cluster();
  ASSERT_EQ(kept->children.size(), 4u);  // two nodes, redis-server, the watchdog
  ::kill(kept->sessim->pid(), SIGTERM);
  EXPECT_EQ(kept->sessim->wait_for_exit(std::chrono::seconds(10)), 143);
  EXPECT_TRUE(testing::wait_until([&] { return all_gone(kept->children); }));
}

}  // namespace
}  // namespace sessim
