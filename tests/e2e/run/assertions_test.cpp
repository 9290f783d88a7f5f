// The assertions of a CI gate against real nodes over loopback: what passes
// passes, and each failed assertion says what it expected, what came and
// where in the file it was written, in the terminal, JSON and JUnit reports.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "common/errors.h"
#include "support/test_support.h"
#include "sys/run_directory.h"

namespace sessim {
namespace {

using testing::run_sessim;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

constexpr const char* kPassingGate = R"(name: passing-gate
cluster: {nodes: 1}
steps:
  - set:
      name: cart
      value: book
      label: put the cart
      headers: {X-Request-Id: gate-1}
      expect:
        status: [200, 201]
        header: {X-Sessim-Node: node-1, Cache-Control: {contains: no-store}, Location: {absent: true}}
        cookie: {SESSION: {present: true, httponly: true, secure: false, samesite: Lax, path: /}}
        within: 5s
  - request:
      path: /session
      expect:
        status: 2xx
        body: {contains: creationTime, matches: '"cart": *"book"', json: {attributes.cart: book, maxInactiveInterval: 1800}}
        cookie: {SESSION: {absent: true}}
  - repeat:
      times: 10
      latency: {p95: 5s, max: 5s}
      steps:
        - get: {name: cart, expect: {value: book}}
)";

constexpr const char* kFailingGate = R"(name: failing-gate
cluster: {nodes: 1}
steps:
  - set:
      name: cart
      value: book
      expect:
        status: 3xx
        header: {X-Sessim-Node: {matches: '^node-9$'}}
        cookie: {SESSION: {secure: true}}
  - request:
      path: /session
      expect:
        body: {json: {attributes.cart: pen}}
  - repeat:
      times: 3
      latency: {max: 0ms}
      steps:
        - get: {name: cart, expect: {value: book}}
)";

TEST(Assertions, APassingGatePassesThroughRealNodes) {
  RunDirectory directory;
  const auto path = directory.file("gate.yaml");
  std::ofstream(path) << kPassingGate;
  const auto result = run_sessim({"run", path});
  EXPECT_EQ(result.exit_code, kExitOk) << result.out << result.err;
  EXPECT_TRUE(contains(result.out, "step  1 put the cart")) << result.out;
  EXPECT_TRUE(contains(result.out, "cookie SESSION httponly on")) << result.out;
  EXPECT_TRUE(contains(result.out, "json attributes.cart \"book\"")) << result.out;
  EXPECT_TRUE(contains(result.out, "latency p95 at most 5000.0 ms")) << result.out;
  EXPECT_TRUE(contains(result.out, "verdict: pass (0 of 28 checks failed)")) << result.out;
}

TEST(Assertions, EachFailureSaysWhatWhereAndGotInEveryReport) {
  RunDirectory directory;
  const auto path = directory.file("gate.yaml");
  std::ofstream(path) << kFailingGate;
  const auto junit = directory.file("gate.xml");
  const auto json_path = directory.file("gate.json");
  const auto result = run_sessim({"run", path, "--junit", junit, "--json=" + json_path});
  ASSERT_EQ(result.exit_code, kExitChecksFailed) << result.out << result.err;
  const auto at = [&](int line, int column) { return fmt::format("{}:{}:{}", path, line, column); };
  EXPECT_TRUE(contains(result.out, "FAILED status: expected 3xx, got 200  " + at(8, 9)))
      << result.out;
  EXPECT_TRUE(contains(result.out,
                       "FAILED header X-Sessim-Node matches: expected '^node-9$', "
                       "got \"node-1\"  " +
                           at(9, 34)))
      << result.out;
  EXPECT_TRUE(
      contains(result.out, "FAILED cookie SESSION secure: expected on, got off  " + at(10, 28)))
      << result.out;
  EXPECT_TRUE(contains(
      result.out, "FAILED json attributes.cart: expected \"pen\", got \"book\"  " + at(14, 23)))
      << result.out;
  EXPECT_TRUE(
      contains(result.out, "FAILED repeat 3 times: latency max: expected at most 0.0 ms, got"))
      << result.out;

  const auto xml = testing::read_text_file(junit);
  // Named by the step, never by its number; the failure says where.
  EXPECT_TRUE(contains(xml, "name=\"set cart = book: status\"")) << xml;
  EXPECT_TRUE(contains(xml, "name=\"repeat 3 times: latency max\"")) << xml;
  EXPECT_FALSE(contains(xml, "name=\"step ")) << xml;
  EXPECT_TRUE(contains(xml, "at " + at(8, 9))) << xml;
  std::size_t failures = 0;
  for (auto found = xml.find("<failure "); found != std::string::npos;
       found = xml.find("<failure ", found + 1)) {
    ++failures;
  }
  EXPECT_EQ(failures, 5u) << xml;

  const auto report = nlohmann::json::parse(testing::read_text_file(json_path));
  const auto& check = report["runs"][0]["steps"][0]["requests"][0]["checks"][0];
  EXPECT_EQ(check["what"], "status");
  EXPECT_EQ(check["position"], at(8, 9));
  EXPECT_EQ(check["passed"], false);
}

}  // namespace
}  // namespace sessim
