// `sessim bench` against real clusters: figures that add up and a session hit
// rate that tells a shared store from node memory.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "common/errors.h"
#include "support/hostile_upstream.h"
#include "support/test_support.h"

namespace sessim {
namespace {

using testing::run_sessim;

nlohmann::json bench(std::vector<std::string> args) {
  args.insert(args.begin(), "bench");
  args.push_back("--json");
  const auto result = run_sessim(args);
  EXPECT_EQ(result.exit_code, kExitOk) << result.err;
  return nlohmann::json::parse(result.out.empty() ? "{}" : result.out);
}

TEST(Bench, RedisSessionsAreReadBackEveryTime) {
  const auto report = bench({"--store", "redis", "--requests", "2000", "--users", "10"});
  EXPECT_EQ(report["requests"], 2000);
  EXPECT_TRUE(report["errors"].empty()) << report["errors"];
  EXPECT_DOUBLE_EQ(report["session_hit_rate"].get<double>(), 1.0);
  EXPECT_EQ(report["requests_per_node"]["node-1"].get<int>() +
                report["requests_per_node"]["node-2"].get<int>(),
            2000);
  const auto& latency = report["latency_ms"];
  EXPECT_LE(latency["p50"].get<double>(), latency["p99"].get<double>());
  EXPECT_LE(latency["p99"].get<double>(), latency["max"].get<double>());
  EXPECT_GT(report["throughput_rps"].get<double>(), 0);
}

TEST(Bench, NodeMemoryBehindRoundRobinLosesMostReads) {
  const auto report = bench({"--store", "local", "--requests", "2000", "--users", "10"});
  EXPECT_LT(report["session_hit_rate"].get<double>(), 0.5);
}

TEST(Bench, StickyCookieBalancingKeepsNodeMemorySessions) {
  const auto report =
      bench({"--store", "local", "--balancer", "cookie", "--requests", "1000", "--users", "5"});
  EXPECT_DOUBLE_EQ(report["session_hit_rate"].get<double>(), 1.0);
}

TEST(Bench, DurationBoundsTheRun) {
  const auto report = bench({"--store", "local", "--duration", "0.5", "--users", "4"});
  EXPECT_GE(report["seconds"].get<double>(), 0.5);
  EXPECT_LT(report["seconds"].get<double>(), 5.0);
}

TEST(Bench, HttpsTargetsAreRefusedPlainly) {
  const auto result = run_sessim({"bench", "--target", "https://127.0.0.1:1", "--requests", "1"});
  EXPECT_EQ(result.exit_code, kExitUsage);
  EXPECT_NE(result.err.find("http:// targets only"), std::string::npos) << result.err;
}

// An app that sets one more cookie on every answer: each virtual user's jar
// is a browser's, bounded, so the Cookie header stays within what servers
// take (the generator's own map of old grew past 64 KiB and aborted).
TEST(Bench, AnAppThatKeepsSettingCookiesCannotGrowTheCookieHeader) {
  testing::HostileUpstream app("new-cookie");
  const auto report = bench({"--upstream", app.url(), "--requests", "7000", "--users", "1"});
  EXPECT_EQ(report["requests"], 7000);
  EXPECT_EQ(report["statuses"]["2xx"], 7000) << report.dump();
  int most = 0;
  std::istringstream lines(app.log());
  for (std::string line; std::getline(lines, line);) {
    const auto at = line.rfind("cookies=");
    if (at != std::string::npos) most = std::max(most, std::stoi(line.substr(at + 8)));
  }
  EXPECT_EQ(most, 180) << "the most cookies one request carried";
}

// Every answer a 431: nothing succeeded, and bench says so by status.
TEST(Bench, ClientErrorsAreFailuresCountedByStatus) {
  testing::HostileUpstream app("status-431");
  const auto result =
      run_sessim({"bench", "--upstream", app.url(), "--requests", "40", "--users", "2", "--json"});
  EXPECT_EQ(result.exit_code, kExitChecksFailed) << result.err;
  const auto report = nlohmann::json::parse(result.out);
  EXPECT_EQ(report["succeeded"], 0);
  EXPECT_EQ(report["statuses"]["4xx"], 40);
  EXPECT_EQ(report["errors"]["status 431"], 40);
  EXPECT_NE(result.err.find("no request succeeded (status 431: 40)"), std::string::npos)
      << result.err;
}

}  // namespace
}  // namespace sessim
