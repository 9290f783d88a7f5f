// `sessim bench` against real clusters: figures that add up and a session hit
// rate that tells a shared store from node memory.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/errors.h"
#include "support/hostile_upstream.h"
#include "sys/run_directory.h"
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

// bench makes a profile's calls as the browser of `run` makes them: its
// headers and its form, with the form's Content-Type (the generator's own
// client of old sent neither).
TEST(Bench, SendsTheProfilesHeadersAndForm) {
  testing::HostileUpstream app("log-headers");
  RunDirectory directory;
  const auto profile = directory.file("form.profile.yaml");
  std::ofstream(profile) << "name: form\n"
                            "cookie: SID\n"
                            "set: {method: POST, path: /put, form: {key: \"{name}\", v: \"{value}\"},"
                            " headers: {X-Api-Key: k1}}\n"
                            "get: {path: \"/get/{name}\", headers: {X-Api-Key: k1}}\n";
  const auto report =
      bench({"--upstream", app.url(), "--profile", profile, "--requests", "20", "--users", "2"});
  EXPECT_EQ(report["statuses"]["2xx"], 20) << report.dump();
  int posts = 0;
  std::istringstream lines(app.log());
  for (std::string line; std::getline(lines, line);) {
    EXPECT_NE(line.find("x-api-key=k1"), std::string::npos) << line;
    if (line.rfind("POST /put", 0) != 0) continue;
    ++posts;
    EXPECT_NE(line.find("content-type=application/x-www-form-urlencoded"), std::string::npos)
        << line;
    EXPECT_NE(line.find("body=key=sessimBench&v=u"), std::string::npos) << line;
  }
  EXPECT_GE(posts, 2) << app.log();
}

}  // namespace
}  // namespace sessim
