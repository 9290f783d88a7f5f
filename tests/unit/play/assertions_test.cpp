// Judging a response against its assertions: what passes, what fails, and
// what a failure says it expected and got.
#include "play/assertions.h"

#include <gtest/gtest.h>

#include "scenario/scenario_loader.h"

namespace sessim {
namespace {

Expectation expectation_of(const std::string& expect) {
  const auto scenario = parse_scenario(
      "cluster: {nodes: 1}\nsteps:\n  - request: {path: /, expect: " + expect + "}\n", "gate.yaml");
  return *scenario.steps.at(0).request().expect;
}

RequestRecord answered(int status, std::vector<std::pair<std::string, std::string>> headers,
                       std::string body, double duration_ms = 1) {
  RequestRecord record;
  record.action = StepKind::request;
  record.exchange.status = status;
  record.exchange.headers = std::move(headers);
  record.exchange.body = std::move(body);
  record.exchange.duration_ms = duration_ms;
  return record;
}

std::vector<Check> judge(const std::string& expect, const RequestRecord& record) {
  static const auto profile = builtin_profile("sessim");
  return evaluate(expectation_of(expect), record, profile);
}

TEST(Assertions, HeadersPassAndFailWithWhatCame) {
  const auto record = answered(302, {{"Location", "/login?next=%2F"}, {"Vary", "Cookie"}}, "");
  const auto checks = judge(
      "{status: 3xx, header: {Location: {contains: /login, matches: \"^/login\\\\?\"}, "
      "X-Frame-Options: {absent: true}, Vary: Accept}}",
      record);
  ASSERT_EQ(checks.size(), 5u);
  EXPECT_TRUE(checks[0].passed);
  EXPECT_TRUE(checks[1].passed);
  EXPECT_TRUE(checks[2].passed) << checks[2].actual;
  EXPECT_TRUE(checks[3].passed);
  EXPECT_FALSE(checks[4].passed);
  EXPECT_EQ(checks[4].what, "header Vary equals");
  EXPECT_EQ(checks[4].actual, "\"Cookie\"");
  EXPECT_EQ(checks[4].position.to_string(), "gate.yaml:3:147");
}

TEST(Assertions, CookieAttributesAreReadFromTheLastSetCookieForTheName) {
  const auto record =
      answered(200,
               {{"Set-Cookie", "SESSION=old; Path=/"},
                {"Set-Cookie", "SESSION=abc; Path=/app; HttpOnly; SameSite=Strict; Max-Age=60"},
                {"Set-Cookie", "csrftoken=x; Secure"}},
               "");
  const auto checks = judge(
      "{cookie: {SESSION: {present: true, httponly: true, secure: true, samesite: strict, path: "
      "/app, max-age: 60}, sessionid: {absent: true}, csrftoken: {httponly: true}}}",
      record);
  ASSERT_EQ(checks.size(), 8u);
  EXPECT_TRUE(checks[0].passed);
  EXPECT_TRUE(checks[1].passed);
  EXPECT_FALSE(checks[2].passed);  // not Secure
  EXPECT_EQ(checks[2].actual, "off");
  EXPECT_TRUE(checks[3].passed);  // SameSite compared without case
  EXPECT_TRUE(checks[4].passed);
  EXPECT_TRUE(checks[5].passed);
  EXPECT_TRUE(checks[6].passed);
  EXPECT_FALSE(checks[7].passed);
  EXPECT_EQ(checks[7].what, "cookie csrftoken httponly");

  const auto deleted = answered(200, {{"Set-Cookie", "SESSION=; Max-Age=0"}}, "");
  const auto gone = judge("{cookie: {SESSION: {present: true}}}", deleted);
  EXPECT_FALSE(gone[0].passed);
  EXPECT_EQ(gone[0].actual, "deleted");
  const auto none = judge("{cookie: {SESSION: {httponly: true}}}", answered(200, {}, ""));
  EXPECT_EQ(none[0].actual, "no Set-Cookie for SESSION");
}

TEST(Assertions, BodyTextAndJsonPaths) {
  const auto record = answered(
      200, {},
      R"({"user": {"name": "alice", "admin": false}, "items": [{"id": 7}], "total": 12.5, "note": null})");
  const auto checks = judge(
      "{body: {contains: alice, matches: \"\\\"total\\\": *12\", json: {user.name: alice, "
      "user.admin: false, \"items[0].id\": 7, total: 12.5, note: null, \"items[1].id\": 8, "
      "user.name.first: x, $.total: \"12.5\"}}}",
      record);
  ASSERT_EQ(checks.size(), 10u);
  EXPECT_TRUE(checks[0].passed);
  EXPECT_TRUE(checks[1].passed);
  EXPECT_TRUE(checks[2].passed);
  EXPECT_TRUE(checks[3].passed);
  EXPECT_TRUE(checks[4].passed);
  EXPECT_TRUE(checks[5].passed);
  EXPECT_TRUE(checks[6].passed);
  EXPECT_FALSE(checks[7].passed);
  EXPECT_EQ(checks[7].actual, "no element [1] there");
  EXPECT_FALSE(checks[8].passed);
  EXPECT_EQ(checks[8].actual, "no key \"first\" there");
  EXPECT_FALSE(checks[9].passed);  // "12.5" quoted is a string; the body has a number
  EXPECT_EQ(checks[9].actual, "12.5");

  const auto text = judge("{body: {json: {a: 1}}}", answered(200, {}, "<html>"));
  EXPECT_EQ(text[0].actual, "the body is not JSON");
}

TEST(Assertions, NoResponseFailsEveryCheckAndSaysWhy) {
  auto record = answered(0, {}, "");
  record.exchange.transport_error = "connection refused";
  const auto checks = judge("{status: 2xx, header: {X: {absent: true}}, within: 1s}", record);
  ASSERT_EQ(checks.size(), 3u);
  for (const auto& check : checks) {
    EXPECT_FALSE(check.passed) << check.what;
    EXPECT_EQ(check.actual, "no response (connection refused)");
  }
}

TEST(Assertions, WithinAndRepeatLatency) {
  const auto slow = judge("{within: 20ms}", answered(200, {}, "", 31.25));
  EXPECT_FALSE(slow[0].passed);
  EXPECT_EQ(slow[0].expected, "at most 20.0 ms");
  EXPECT_EQ(slow[0].actual, "31.2 ms");

  std::vector<double> durations;
  for (int i = 1; i <= 20; ++i) durations.push_back(i);
  const auto checks = evaluate_latency({{95, 19, {}}, {50, 9, {}}, {100, 20, {}}}, durations);
  EXPECT_TRUE(checks[0].passed);   // p95 of 1..20 ms is 19 ms
  EXPECT_FALSE(checks[1].passed);  // p50 is 10 ms
  EXPECT_EQ(checks[1].actual, "10.0 ms over 20 requests");
  EXPECT_TRUE(checks[2].passed);
  EXPECT_FALSE(evaluate_latency({{95, 1000, {}}}, {})[0].passed);
}

TEST(Assertions, ValuesAreEscapedForOneLine) {
  const auto checks = judge("{value: \"a\\nb\"}", answered(200, {}, "a\r\nb"));
  EXPECT_EQ(checks[0].expected, "\"a\\x0ab\"");
  EXPECT_EQ(checks[0].actual, "\"a\\x0d\\x0ab\"");
}

}  // namespace
}  // namespace sessim
