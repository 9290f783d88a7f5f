// The assertions' vocabulary and loading: what a CI gate may write in
// `expect:`, and the one-line error with its position for what it may not.
#include "scenario/assertion.h"

#include <gtest/gtest.h>

#include "scenario/scenario_error.h"
#include "scenario/scenario_loader.h"

namespace sessim {
namespace {

std::string error_of(const std::string& text) {
  try {
    parse_scenario(text, "gate.yaml");
  } catch (const ScenarioError& error) {
    return error.what();
  }
  return "";
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(StatusSet, AcceptsCodesAndClasses) {
  const StatusSet set{{200, 302}, {4}};
  EXPECT_TRUE(set.accepts(302));
  EXPECT_TRUE(set.accepts(404));
  EXPECT_FALSE(set.accepts(201));
  EXPECT_FALSE(set.accepts(0));
  EXPECT_EQ(set.to_string(), "200, 302 or 4xx");
  EXPECT_EQ((StatusSet{{}, {2}}).to_string(), "2xx");
  EXPECT_EQ(parse_status_class("5XX"), 5);
  EXPECT_FALSE(parse_status_class("6xx"));
  EXPECT_FALSE(parse_status_code("2000"));
}

TEST(JsonPath, ReadsKeysAndIndexesAndRefusesTheRest) {
  const auto steps = parse_json_path("$.items[1].id");
  ASSERT_TRUE(steps);
  ASSERT_EQ(steps->size(), 3u);
  EXPECT_EQ((*steps)[0].key, "items");
  EXPECT_EQ((*steps)[1].key, "");
  EXPECT_EQ((*steps)[1].index, 1u);
  EXPECT_EQ((*steps)[2].key, "id");
  EXPECT_TRUE(parse_json_path("[0]"));
  EXPECT_EQ(json_path_problem("user..name"), "an empty name between dots");
  EXPECT_EQ(json_path_problem("items[x]"), "an index is a whole number in brackets, such as [0]");
  EXPECT_EQ(json_path_problem("items[0"), "a '[' without its ']'");
  EXPECT_EQ(json_path_problem("user."), "it ends with a dot");
}

TEST(JsonNumber, ReadsWhatJsonWritesAndNothingElse) {
  EXPECT_EQ(parse_json_number("-3"), -3.0);
  EXPECT_EQ(parse_json_number("12.5"), 12.5);
  EXPECT_EQ(parse_json_number("1e3"), 1000.0);
  EXPECT_FALSE(parse_json_number("1.5s"));
  EXPECT_FALSE(parse_json_number("3 books"));
  EXPECT_FALSE(parse_json_number("nan"));
  EXPECT_FALSE(parse_json_number(""));
}

TEST(AssertionLoader, ReadsEveryAssertionWithItsPosition) {
  const auto scenario = parse_scenario(R"(cluster: {nodes: 1}
steps:
  - request:
      path: /session
      label: the session as JSON
      headers: {Accept: application/json}
      expect:
        status: [200, 3xx]
        header: {Content-Type: {contains: json, matches: "^application/"}, Location: {absent: true}, X-Frame-Options: DENY}
        cookie: {SESSION: {present: true, httponly: true, samesite: Lax, max-age: 3600}}
        body: {contains: id, json: {attributes.cart: book, count: 3, done: true, "ids[0]": "7", gone: null}}
        within: 250ms
  - repeat: {times: 2, latency: {p95: 50ms, max: 1s}, steps: [{get: cart}]}
)",
                                       "gate.yaml");
  const auto& step = scenario.steps.at(0);
  EXPECT_EQ(step.request().title, "the session as JSON");
  EXPECT_EQ(step.request().call.headers,
            (std::vector<std::pair<std::string, std::string>>{{"Accept", "application/json"}}));
  const auto& expect = *step.request().expect;
  EXPECT_EQ(expect.status->to_string(), "200 or 3xx");
  EXPECT_EQ(expect.position_of("status").to_string(), "gate.yaml:8:9");
  ASSERT_EQ(expect.headers.size(), 4u);
  EXPECT_EQ(expect.headers[1].condition.test, TextTest::matches);
  EXPECT_EQ(expect.headers[2].condition.test, TextTest::absent);
  EXPECT_EQ(expect.headers[3].condition.operand, "DENY");
  EXPECT_EQ(expect.headers[3].condition.test, TextTest::equals);
  ASSERT_EQ(expect.cookies.size(), 4u);
  EXPECT_EQ(expect.cookies[3].test, CookieTest::max_age);
  EXPECT_EQ(expect.cookies[3].operand, "3600");
  ASSERT_EQ(expect.json.size(), 5u);
  EXPECT_EQ(expect.json[0].kind, JsonCondition::Kind::string);
  EXPECT_EQ(expect.json[1].kind, JsonCondition::Kind::number);
  EXPECT_EQ(expect.json[2].kind, JsonCondition::Kind::boolean);
  EXPECT_EQ(expect.json[3].kind, JsonCondition::Kind::string);  // quoted: "7"
  EXPECT_EQ(expect.json[4].kind, JsonCondition::Kind::null);
  EXPECT_EQ(expect.within->ms, 250);
  const auto& repeat = scenario.steps.at(1).as<RepeatStep>();
  ASSERT_EQ(repeat.latency.size(), 2u);
  EXPECT_EQ(repeat.latency[0].label(), "p95");
  EXPECT_EQ(repeat.latency[1].label(), "max");
  EXPECT_EQ(repeat.latency[1].ms, 1000);
}

TEST(AssertionLoader, RefusesWhatItDoesNotUnderstandWithItsPosition) {
  const auto steps = [](const std::string& step) {
    return "cluster: {nodes: 1}\nsteps:\n  - " + step + "\n";
  };
  auto error = error_of(steps("request: {path: /, expect: {status: 2yy}}"));
  EXPECT_TRUE(contains(error, "gate.yaml:3:41: status must be a code from 100 to 599")) << error;
  error = error_of(steps("request: {path: /, expect: {header: {Location: {startswith: /}}}}"));
  EXPECT_TRUE(contains(error, "unknown key 'startswith' in header Location")) << error;
  error = error_of(steps("request: {path: /, expect: {body: {matches: \"a(b\"}}}"));
  EXPECT_TRUE(contains(error, "gate.yaml:3:49: pattern refused: missing ): a(b")) << error;
  error = error_of(steps("request: {path: /, expect: {body: {json: {\"a..b\": 1}}}}"));
  EXPECT_TRUE(contains(error, "JSON path 'a..b': an empty name between dots")) << error;
  error = error_of(
      steps("request: {path: /, expect: {cookie: {SESSION: {absent: true, secure: true}}}}"));
  EXPECT_TRUE(contains(error, "cookie SESSION is expected absent; secure says nothing then"))
      << error;
  error = error_of(steps("request: {path: /, expect: {within: soon}}"));
  EXPECT_TRUE(contains(error, "within: 'soon' is not a duration")) << error;
  error = error_of(steps("request: {path: /, headers: {Cookie: SESSION=forged}}"));
  EXPECT_TRUE(contains(error, "Cookie is the browser's")) << error;
  error = error_of(steps("request: {path: /, headers: {Host: evil.example}}"));
  EXPECT_TRUE(contains(error, "Host is set by sessim's client")) << error;
  error = error_of(steps("request: {path: /, headers: {\"Bad Name\": x}}"));
  EXPECT_TRUE(contains(error, "'Bad Name' is not a header name")) << error;
  error = error_of(steps("repeat: {times: 2, latency: {p100: 1s}, steps: [{get: a}]}"));
  EXPECT_TRUE(contains(error, "'p100' is not a percentile")) << error;
}

}  // namespace
}  // namespace sessim
