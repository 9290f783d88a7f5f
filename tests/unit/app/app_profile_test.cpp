#include "app/app_profile.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "common/errors.h"
#include "net/cookie_jar.h"
#include "play/transport.h"

namespace sessim {

TEST(AppProfile, EveryFrameworkKnowsItsCookieAndTheReferenceEndpoints) {
  const std::vector<std::pair<std::string, std::string>> cookies{
      {"spring", "SESSION"}, {"express", "connect.sid"}, {"django", "sessionid"},
      {"php", "PHPSESSID"},  {"tomcat", "JSESSIONID"},   {"sessim", "SESSION"}};
  for (const auto& [name, cookie] : cookies) {
    const auto profile = builtin_profile(name);
    EXPECT_EQ(profile.cookie, cookie) << name;
    const auto set =
        profile.prepare(profile.reference_set.value_or(profile.set), "sessionVal", "a b");
    EXPECT_EQ(set.target, "/set-session?sessionVal=a%20b") << name;
  }
}

TEST(AppProfile, AFileMayDeclareTheSessionModelInsteadOfAProbe) {
  const auto profile = parse_profile(
      "name: shop\nsession-model: {home: server, sharing: per-instance, login: keeps-id}\n",
      "shop.yaml");
  ASSERT_TRUE(profile.session_model);
  EXPECT_EQ(profile.session_model->learned_by, "profile");
  EXPECT_EQ(profile.session_model->sharing, SessionSharing::per_instance);
  EXPECT_EQ(profile.session_model->login, LoginEffect::keeps_id);
  EXPECT_EQ(profile.session_model->logout, LogoutEffect::unknown);
  try {
    parse_profile("name: shop\nsession-model: {sharing: sometimes}\n", "shop.yaml");
    FAIL() << "an unknown value was accepted";
  } catch (const UsageError& error) {
    EXPECT_NE(std::string(error.what()).find("shop.yaml:2:26: sharing 'sometimes' is not one of"),
              std::string::npos)
        << error.what();
  }
}

TEST(AppProfile, UnknownNameSuggestsTheNearest) {
  try {
    builtin_profile("sprin");
    FAIL();
  } catch (const UsageError& error) {
    EXPECT_NE(std::string(error.what()).find("did you mean 'spring'?"), std::string::npos);
  }
}

TEST(AppProfile, FileNamesItsCallsAndAbsence) {
  const auto profile = parse_profile(
      "name: shop\ncookie: JSESSIONID\n"
      "set: {method: POST, path: \"/cart/{name}\", body: \"{value}\"}\n"
      "get: /cart/{name}\nlogout: {method: POST, path: /logout}\n"
      "absent: {status: [404, 410]}\nvalue: {json: value}\nnode-header: X-Served-By\n",
      "shop.yaml");
  EXPECT_EQ(profile.cookie, "JSESSIONID");
  EXPECT_FALSE(profile.one_value_only);
  const auto set = profile.prepare(profile.set, "cart", "2 books");
  EXPECT_EQ(set.method, "POST");
  EXPECT_EQ(set.target, "/cart/cart");
  EXPECT_EQ(set.body, "2 books");
  EXPECT_TRUE(profile.logout.has_value());
  EXPECT_FALSE(profile.login.has_value());
  EXPECT_TRUE(read_value(profile, 410, "").absent);
  EXPECT_EQ(read_value(profile, 200, "{\"value\": \"x\"}").value, "x");
  EXPECT_TRUE(read_value(profile, 200, "{\"value\": null}").absent);
  EXPECT_EQ(profile.node_header, "X-Served-By");
}

TEST(AppProfile, FileErrorsCarryFileLineAndColumn) {
  try {
    parse_profile("name: shop\ncookie: SESSION\nget: {pth: /x}\n", "shop.yaml");
    FAIL();
  } catch (const UsageError& error) {
    const std::string what = error.what();
    EXPECT_EQ(what.substr(0, what.find('\n')),
              "shop.yaml:3:7: unknown key 'pth' in get (keys: method, path, body, form, headers, "
              "capture)");
  }
  try {
    parse_profile("cookei: SESSION\n", "shop.yaml");
    FAIL();
  } catch (const UsageError& error) {
    EXPECT_NE(std::string(error.what())
                  .find("shop.yaml:1:1: unknown key 'cookei' in the profile "
                        "(did you mean 'cookie'?)"),
              std::string::npos)
        << error.what();
  }
}

TEST(AppProfile, AnUnknownPlaceholderIsRefusedAtItsColumn) {
  try {
    parse_profile("name: shop\ncookie: sid\nget: /items/{nme}\n", "shop.yaml");
    FAIL();
  } catch (const UsageError& error) {
    const std::string what = error.what();
    EXPECT_EQ(what.substr(0, what.find('\n')),
              "shop.yaml:3:13: unknown placeholder {nme} (did you mean {name}?) (placeholders: "
              "{name}, {value}, {user})");
  }
  // Braces that are no placeholder word stay: a JSON body.
  EXPECT_NO_THROW(parse_profile(
      "name: shop\ncookie: sid\nset: {method: POST, path: /items, body: '{\"v\": \"{value}\"}'}\n",
      "shop.yaml"));
}

std::string profile_error(const std::string& text) {
  try {
    parse_profile(text, "shop.yaml");
  } catch (const UsageError& error) {
    const std::string what = error.what();
    return what.substr(0, what.find('\n'));
  }
  return "";
}

TEST(AppProfile, ADuplicateKeyIsRefusedWithBothPositions) {
  EXPECT_EQ(profile_error("name: shop\ncookie: SESSION\ncookie: JSESSIONID\n"),
            "shop.yaml:3:1: duplicate key 'cookie' (first at shop.yaml:2:1)");
}

// Row 12: CR, LF or another control character in a path would end the
// request line and start a request of the profile's own making.
TEST(AppProfile, APathWithAControlCharacterIsRefused) {
  for (const auto* text : {"name: shop\nhealth: \"/x HTTP/1.1\\r\\nPOST /admin/delete-all\"\n",
                           "name: shop\nget: \"/get\\u0001\"\n",
                           "name: shop\nset: {method: POST, path: \"/a\\tb\"}\n"}) {
    EXPECT_NE(profile_error(text).find("control characters"), std::string::npos)
        << profile_error(text);
  }
  EXPECT_EQ(profile_error("name: shop\nhealth: /ready\n"), "");
}

TEST(AppProfile, ReferenceAppsSayAbsentWithAnEmptyBodyOrNull) {
  const auto spring = builtin_profile("spring");
  EXPECT_TRUE(read_value(spring, 200, "").absent);
  EXPECT_TRUE(read_value(spring, 200, "null\n").absent);
  EXPECT_EQ(read_value(spring, 200, "hello\n").value, "hello");
  EXPECT_FALSE(read_value(spring, 500, "").answered);
}

namespace {

HttpExchange response_to(const std::string& target, std::vector<std::string> set_cookies) {
  HttpExchange exchange;
  exchange.target = target;
  exchange.status = 200;
  for (auto& line : set_cookies) exchange.headers.emplace_back("Set-Cookie", std::move(line));
  return exchange;
}

}  // namespace

TEST(CookieJar, SendsACookieOnlyUnderItsPath) {
  CookieJar jar;
  jar.remember(response_to("/", {"JSESSIONID=a; Path=/shop"}));
  EXPECT_EQ(jar.cookie_header("/shop/cart?x=1"), "JSESSIONID=a");
  EXPECT_EQ(jar.cookie_header("/shop"), "JSESSIONID=a");
  EXPECT_EQ(jar.cookie_header("/shopping"), "");
  EXPECT_EQ(jar.cookie_header("/"), "");
}

TEST(CookieJar, DefaultPathIsTheRequestsDirectory) {
  CookieJar jar;
  jar.remember(response_to("/app/login?x=1", {"sid=a"}));
  EXPECT_EQ(jar.cookie_header("/app/cart"), "sid=a");
  EXPECT_EQ(jar.cookie_header("/other"), "");
}

TEST(CookieJar, LongerPathsFirstAndBothKept) {
  CookieJar jar;
  jar.remember(response_to("/", {"sid=root; Path=/", "sid=app; Path=/app"}));
  EXPECT_EQ(jar.cookie_header("/app/x"), "sid=app; sid=root");
}

TEST(CookieJar, MaxAgeZeroAndAPastExpiresDelete) {
  CookieJar jar;
  jar.remember(response_to("/", {"a=1; Path=/", "b=2; Path=/", "c=3; Path=/"}));
  jar.remember(response_to(
      "/", {"a=; Max-Age=0; Path=/", "b=gone; Expires=Thu, 01 Jan 1970 00:00:01 GMT; Path=/",
            "c=later; Expires=Fri, 01-Jan-2100 00:00:00 GMT; Path=/"}));
  EXPECT_EQ(jar.cookie_header("/"), "c=later");
}

TEST(CookieJar, MaxAgeWinsOverExpires) {
  CookieJar jar;
  jar.remember(response_to("/", {"a=1; Expires=Thu, 01 Jan 1970 00:00:01 GMT; Max-Age=60"}));
  EXPECT_EQ(jar.cookie_header("/"), "a=1");
}

TEST(CookieJar, TenThousandNewCookiesLeaveTheNewestWithinTheCap) {
  CookieJar jar;
  for (int round = 0; round < 5; ++round) {
    std::vector<std::string> lines;
    for (int i = 0; i < 10'000; ++i) lines.push_back(fmt::format("c{}-{}=v; Path=/", round, i));
    jar.remember(response_to("/", std::move(lines)));
  }
  const auto cookies = jar.cookies();
  EXPECT_EQ(cookies.size(), CookieJar::kMaxCookies);
  EXPECT_TRUE(cookies.count("c4-9999"));  // the newest stays
  EXPECT_FALSE(cookies.count("c4-0"));    // the oldest made room
}

TEST(CookieJar, ACookieOverFourKilobytesIsIgnored) {
  CookieJar jar;
  jar.remember(response_to("/", {"big=" + std::string(CookieJar::kMaxCookieBytes, 'x'),
                                 "small=" + std::string(100, 'y')}));
  EXPECT_FALSE(jar.cookies().count("big"));
  EXPECT_TRUE(jar.cookies().count("small"));
}

}  // namespace sessim
