#include "net/cookie.h"

#include <gtest/gtest.h>

namespace sessim {

TEST(CookieHeader, ParsesPairsInOrderKeepingDuplicates) {
  const auto cookies = parse_cookie_header("SESSION=abc; theme=dark;SESSION=def");
  ASSERT_EQ(cookies.size(), 3u);
  EXPECT_EQ(cookie_values(cookies, "SESSION"), (std::vector<std::string>{"abc", "def"}));
  EXPECT_EQ(cookies[1].name, "theme");
  EXPECT_EQ(cookies[1].value, "dark");
}

TEST(CookieHeader, DropsPairsItDoesNotUnderstand) {
  const auto cookies =
      parse_cookie_header("bad name=x; SESSION=a b; noequals; =empty; ok=\"quoted\"; x=\x01");
  ASSERT_EQ(cookies.size(), 1u);
  EXPECT_EQ(cookies[0].name, "ok");
  EXPECT_EQ(cookies[0].value, "quoted");
}

TEST(CookieHeader, EmptyHeaderHasNoCookies) {
  EXPECT_TRUE(parse_cookie_header("").empty());
  EXPECT_TRUE(parse_cookie_header(" ; ;").empty());
}

TEST(SetCookie, FormatsSpringSessionsCookie) {
  SetCookie cookie{"SESSION", "YWJj", std::nullopt, std::nullopt, "/", true, "Lax"};
  EXPECT_EQ(format_set_cookie(cookie), "SESSION=YWJj; Path=/; HttpOnly; SameSite=Lax");
}

TEST(SetCookie, ParsesAttributesCaseInsensitively) {
  const auto cookie =
      parse_set_cookie("SESSION=YWJj; path=/app; max-age=0; HTTPONLY; SameSite=Strict; Secure");
  ASSERT_TRUE(cookie);
  EXPECT_EQ(cookie->name, "SESSION");
  EXPECT_EQ(cookie->value, "YWJj");
  EXPECT_EQ(cookie->path, "/app");
  EXPECT_EQ(cookie->max_age, 0);
  EXPECT_TRUE(cookie->http_only);
  EXPECT_EQ(cookie->same_site, "Strict");
}

TEST(SetCookie, RejectsMalformedPair) {
  EXPECT_FALSE(parse_set_cookie("no pair here"));
  EXPECT_FALSE(parse_set_cookie("=value"));
}

}  // namespace sessim

namespace sessim {

TEST(DeletesCookie, MaxAgeWinsOverExpiresAndZeroDeletes) {
  const auto parsed = [](const char* line) { return *parse_set_cookie(line); };
  constexpr long long now = 1'800'000'000;
  EXPECT_TRUE(deletes_cookie(parsed("a=1; Max-Age=0"), now));
  EXPECT_TRUE(deletes_cookie(parsed("a=1; Max-Age=-5"), now));
  EXPECT_FALSE(
      deletes_cookie(parsed("a=1; Max-Age=60; Expires=Thu, 01 Jan 1970 00:00:00 GMT"), now));
  EXPECT_TRUE(deletes_cookie(parsed("a=1; Expires=Thu, 01 Jan 1970 00:00:00 GMT"), now));
  EXPECT_FALSE(deletes_cookie(parsed("a=1"), now));
}

}  // namespace sessim
