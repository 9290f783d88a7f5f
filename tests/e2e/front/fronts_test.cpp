// The built-in lessons behind real nginx and HAProxy: sessim writes their
// configuration from the story's strategy, runs them on loopback and reloads
// them when a node is added; every story keeps its declared verdicts.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/errors.h"
#include "support/test_support.h"
#include "sys/child_process.h"
#include "sys/run_directory.h"

namespace sessim {
namespace {

using testing::run_sessim;

bool installed(const std::string& front) {
  return find_program(front).has_value() || find_program("/usr/sbin/" + front).has_value();
}

std::vector<std::string> builtin_stories() {
  std::vector<std::string> names;
  std::istringstream lines(run_sessim({"list", "--names"}).out);
  for (std::string line; std::getline(lines, line);) names.push_back(line);
  return names;
}

class FrontStory : public ::testing::TestWithParam<std::tuple<std::string, std::string>> {};

TEST_P(FrontStory, KeepsItsDeclaredVerdictsInBothStores) {
  const auto& [front, story] = GetParam();
  if (!installed(front)) {
    SKIP_FOR_MISSING(front << " is not installed (scripts/dev installs it in CI)");
  }
  // The failover story's lesson needs the sentinels' store as well.
  const std::string stores =
      story == "redis-failover" ? "local,redis,redis-sentinel" : "local,redis";
  const auto result = run_sessim(
      {"run", story, "--front", front, "--store", stores, "--verdict", "declared", "--json"},
      std::chrono::seconds(90));
  ASSERT_FALSE(result.out.empty()) << result.err;
  const auto report = nlohmann::json::parse(result.out);
  ASSERT_EQ(report["runs"].size(), story == "redis-failover" ? 3u : 2u) << result.err;
  for (const auto& run : report["runs"]) {
    if (front == "haproxy" && story == "nat-ip-hash") {
      // HAProxy groups clients by /24 as nginx's ip_hash does
      // (src,ipmask(24)) but places each group with a hash of its own: the
      // story's `node:` expectations are nginx's. Every check that failed
      // beyond the declared lesson is one of those.
      for (const auto& step : run["steps"]) {
        for (const auto& request : step["requests"]) {
          for (const auto& check : request["checks"]) {
            if (check["passed"] == false && run["store"] == "redis") {
              EXPECT_EQ(check["what"], "node") << check.dump();
            }
          }
        }
      }
      continue;
    }
    EXPECT_EQ(run["as_declared"], true)
        << front << " " << story << " [" << run["store"] << "]: " << run["verdict"];
  }
}

std::vector<std::tuple<std::string, std::string>> every_front_and_story() {
  std::vector<std::tuple<std::string, std::string>> cases;
  for (const auto& story : builtin_stories()) {
    for (const char* front : {"nginx", "haproxy"}) cases.emplace_back(front, story);
  }
  return cases;
}

INSTANTIATE_TEST_SUITE_P(Builtin, FrontStory, ::testing::ValuesIn(every_front_and_story()),
                         [](const auto& info) {
                           auto name = std::get<0>(info.param) + "_" + std::get<1>(info.param);
                           for (auto& c : name) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

// add-node rewrites the server's configuration and reloads it; the new node
// serves, and is named by the header the front adds.
TEST(Fronts, ANodeAddedIsServedAfterTheReload) {
  for (const std::string front : {"nginx", "haproxy"}) {
    if (!installed(front)) continue;
    RunDirectory directory;
    const auto path = directory.file("grow.yaml");
    std::ofstream(path)
        << "cluster: {nodes: 1}\nsteps:\n"
           "  - set: {name: a, value: b, expect: {node: node-1}}\n"
           "  - add-node: {}\n"
           "  - repeat: {times: 4, steps: [{get: {name: a, expect: {value: b}}}]}\n";
    const auto result = run_sessim({"run", path, "--front", front, "--store", "redis", "--json"});
    ASSERT_FALSE(result.out.empty()) << result.err;
    const auto report = nlohmann::json::parse(result.out);
    std::set<std::string> served;
    for (const auto& step : report["runs"][0]["steps"]) {
      for (const auto& request : step["requests"]) served.insert(request["node"]);
    }
    EXPECT_TRUE(served.count("node-2")) << front << ": " << report["runs"][0]["steps"].dump();
    EXPECT_EQ(report["runs"][0]["verdict"], "pass") << front;
    EXPECT_EQ(report["runs"][0]["cluster"]["front"], front);
  }
}

// compare's front dimension: the same lesson in each front, cell by cell.
TEST(Fronts, CompareHasAFrontDimension) {
  if (!installed("nginx") || !installed("haproxy")) {
    SKIP_FOR_MISSING("nginx or haproxy is not installed");
  }
  const auto result =
      run_sessim({"compare", "sticky-session", "--fronts", "builtin,nginx,haproxy", "--balancers",
                  "round-robin,ip-hash", "--faults", "none,crash-node", "--json"},
                 std::chrono::seconds(90));
  ASSERT_EQ(result.exit_code, kExitOk) << result.err;
  std::map<std::string, std::map<std::string, std::string>> by_front;  // front -> cell -> verdict
  const auto report = nlohmann::json::parse(result.out);
  for (const auto& cell : report["cells"]) {
    by_front[cell["front"].get<std::string>()][fmt::format(
        "{} {} {}", cell["store"].get<std::string>(), cell["balancer"].get<std::string>(),
        cell["fault"].get<std::string>())] = cell["verdict"];
  }
  ASSERT_EQ(by_front.size(), 3u);
  EXPECT_EQ(by_front["builtin"].size(), 8u);
  EXPECT_EQ(by_front["nginx"], by_front["builtin"]);
  EXPECT_EQ(by_front["haproxy"], by_front["builtin"]);
  EXPECT_EQ(by_front["nginx"]["local ip-hash none"], "pass");
  EXPECT_EQ(by_front["nginx"]["local ip-hash crash-node"], "fail");

  const auto refused = run_sessim({"compare", "--fronts", "nginx", "--balancers", "cookie"});
  EXPECT_EQ(refused.exit_code, kExitUsage);
  EXPECT_NE(refused.err.find("--front nginx: nginx (open source) has no cookie-insert"),
            std::string::npos)
      << refused.err;
}

// A front is sessim's child like a node: killing sessim ends it, workers
// included (nginx runs as one process: its workers would escape).
TEST(Fronts, AFrontEndsWhenSessimIsKilled) {
  for (const std::string front : {"nginx", "haproxy"}) {
    if (!installed(front)) continue;
    RunDirectory logs;
    auto spec = testing::sessim_child(logs, {"run", "--front", front, "--keep-running"}, false);
    ChildProcess sessim(spec);
    ASSERT_TRUE(testing::wait_until([&] {
      return testing::read_text_file(spec.log_path).find("try: curl") != std::string::npos;
    })) << front;
    // The front's command line names the run's directory, /tmp/sessim-PID-…
    const auto marker = fmt::format("sessim-{}-", sessim.pid());
    ASSERT_GE(testing::processes_with(marker), 1) << front;
    sessim.kill();
    EXPECT_TRUE(testing::wait_until([&] { return testing::processes_with(marker) == 0; }))
        << front << ": " << testing::processes_with(marker) << " left";
  }
}

TEST(Fronts, AStrategyWithNoEquivalentIsRefusedBeforeAnythingStarts) {
  if (!installed("nginx")) {
    SKIP_FOR_MISSING("nginx is not installed");
  }
  const auto result = run_sessim({"run", "--front", "nginx", "--balancer", "cookie"});
  EXPECT_EQ(result.exit_code, kExitUsage);
  EXPECT_NE(result.err.find("nginx (open source) has no cookie-insert stickiness"),
            std::string::npos)
      << result.err;
}

}  // namespace
}  // namespace sessim
