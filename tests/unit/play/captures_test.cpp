#include "play/captures.h"

#include <gtest/gtest.h>

#include "play/variables.h"

namespace sessim {
namespace {

HttpExchange response(std::string body,
                      std::vector<std::pair<std::string, std::string>> headers = {}) {
  HttpExchange exchange;
  exchange.method = "GET";
  exchange.target = "/login/";
  exchange.status = 200;
  exchange.body = std::move(body);
  exchange.headers = std::move(headers);
  return exchange;
}

Capture capture(CaptureSource source, std::string operand) {
  Capture made;
  made.name = "v";
  made.source = source;
  made.operand = operand;
  if (source == CaptureSource::body) made.pattern = Pattern::compile(operand);
  return made;
}

TEST(Captures, TakeAHeaderACookieAJsonValueAndAPatternsFirstGroup) {
  CookieJar jar;
  const auto login = response(R"(<input type="hidden" name="csrfmiddlewaretoken" value="tok123">)",
                              {{"X-Token", "t1"}, {"Set-Cookie", "csrftoken=c00kie; Path=/"}});
  jar.remember(login);
  EXPECT_EQ(capture_value(capture(CaptureSource::header, "x-token"), login, jar, nullptr), "t1");
  EXPECT_EQ(capture_value(capture(CaptureSource::cookie, "csrftoken"), login, jar, nullptr),
            "c00kie");
  EXPECT_EQ(capture_value(
                capture(CaptureSource::body, R"re(name="csrfmiddlewaretoken" value="([^"]+)")re"),
                login, jar, nullptr),
            "tok123");
  const auto api = response(R"({"data": {"token": "bearer-1", "n": 3, "ok": true}})");
  EXPECT_EQ(capture_value(capture(CaptureSource::json, "data.token"), api, jar, nullptr),
            "bearer-1");
  EXPECT_EQ(capture_value(capture(CaptureSource::json, "data.n"), api, jar, nullptr), "3");
  EXPECT_EQ(capture_value(capture(CaptureSource::json, "$.data.ok"), api, jar, nullptr), "true");
}

TEST(Captures, SayWhatCameWhenNothingIsFound) {
  CookieJar jar;
  std::string found;
  EXPECT_FALSE(
      capture_value(capture(CaptureSource::json, "data.token"), response("<html>"), jar, &found));
  EXPECT_EQ(found, "a body that is not JSON");
  EXPECT_FALSE(capture_value(capture(CaptureSource::json, "data.token"),
                             response(R"({"data": {}})"), jar, &found));
  EXPECT_EQ(found, "no key \"token\" there");
  EXPECT_FALSE(capture_value(capture(CaptureSource::header, "X-Token"), response(""), jar, &found));
  EXPECT_EQ(found, "no header X-Token (status 200)");
  EXPECT_FALSE(capture_value(capture(CaptureSource::body, "value=\"([^\"]+)\""),
                             response("no form here"), jar, &found));
  EXPECT_EQ(found, "no match in the body (status 200, 12 bytes)");
  HttpExchange none;
  none.transport_error = "connection refused";
  EXPECT_FALSE(capture_value(capture(CaptureSource::cookie, "a"), none, jar, &found));
  EXPECT_EQ(found, "no response (connection refused)");
}

TEST(Variables, CapturesBelongToTheirBrowserAndSecretsAreMasked) {
  Variables variables({{"user", "alice"}, {"pin", "12"}});
  variables.capture("alice", "token", "tok-secret-1", true);
  const TemplateReference token{"token", false, 0};
  EXPECT_EQ(variables.lookup("alice", token), "tok-secret-1");
  EXPECT_EQ(variables.lookup("bob", token), std::nullopt);
  EXPECT_EQ(variables.lookup("bob", {"user", false, 0}), "alice");
  EXPECT_EQ(variables.mask("Bearer tok-secret-1 and tok-secret-1"), "Bearer *** and ***");
  variables.capture("alice", "short", "ab", true);
  EXPECT_EQ(variables.mask("ab"), "***");
  EXPECT_EQ(variables.mask("abc cab"), "abc cab");  // too short to hide inside words
}

}  // namespace
}  // namespace sessim
