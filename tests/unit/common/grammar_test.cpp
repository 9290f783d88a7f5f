#include "common/grammar.h"

#include <gtest/gtest.h>

#include <string>

#include "common/duration.h"
#include "common/pattern.h"
#include "common/text.h"
#include "vocab/hash_key.h"

namespace sessim {
namespace {

TEST(Grammar, HeaderAndCookieNamesAreTokens) {
  EXPECT_EQ(header_name_problem("X-Sessim-Node"), "");
  EXPECT_EQ(cookie_name_problem("JSESSIONID"), "");
  EXPECT_EQ(cookie_name_problem("a#b"), "");  // legal HTTP; a front may still refuse it
  for (const auto* bad : {"", "X-A)", "x consistent", "a;b", "a\nb", "a\"b", "a{b}", "a,b"}) {
    EXPECT_NE(header_name_problem(bad), "") << bad;
    EXPECT_NE(cookie_name_problem(bad), "") << bad;
  }
  EXPECT_NE(header_name_problem(std::string(257, 'a')), "");
}

TEST(Grammar, PlainNamesAreWhatConfigurationsAndFilesTake) {
  for (const auto* good : {"node-1", "app_2", "a.b", "9"}) EXPECT_TRUE(is_plain_name(good)) << good;
  for (const auto* bad : {"", "-x", ".x", "x\"; } server {", "a b", "$(id)", "a/b", "a:b"}) {
    EXPECT_FALSE(is_plain_name(bad)) << bad;
    EXPECT_NE(plain_name_problem(bad), "") << bad;
  }
  EXPECT_FALSE(is_plain_name(std::string(65, 'a')));
  EXPECT_TRUE(is_plain_name(std::string(64, 'a')));
}

TEST(Grammar, HostsAreNamesOrAddresses) {
  for (const auto* good : {"127.0.0.1", "localhost", "redis-1.svc", "::1", "fe80::1"}) {
    EXPECT_EQ(host_problem(good), "") << good;
  }
  for (const auto* bad : {"", "a;b", "a b", "-x", "x}", "a/b", "::g"}) {
    EXPECT_NE(host_problem(bad), "") << bad;
  }
}

TEST(Grammar, ControlCharactersAreNamedWithTheirPlace) {
  EXPECT_EQ(control_character_problem("/tmp/a b;c"), "");
  EXPECT_EQ(control_character_problem("ab\ncd"), "a line feed at byte 3");
  EXPECT_EQ(control_character_problem("\r"), "a carriage return at byte 1");
  EXPECT_EQ(control_character_problem(std::string("a\0", 2)), "a NUL byte at byte 2");
  EXPECT_EQ(control_character_problem("\x1b"), "the control character \\x1b at byte 1");
}

TEST(HashKey, NamesFollowTheGrammarOfTheirPlace) {
  const auto key = parse_hash_key("header:X-User");
  ASSERT_TRUE(key);
  EXPECT_EQ(key->source, HashSource::header);
  EXPECT_EQ(key->name, "X-User");
  EXPECT_EQ(key->to_string(), "header:X-User");
  std::string problem;
  EXPECT_FALSE(parse_hash_key("header:X-A)\n  option external-check", &problem));
  EXPECT_NE(problem.find("not a header name"), std::string::npos) << problem;
  EXPECT_FALSE(parse_hash_key("header:x consistent; server 127.0.0.1:18081; }", &problem));
  EXPECT_FALSE(parse_hash_key("query:x", &problem));
  EXPECT_FALSE(parse_hash_key("cookie:", &problem));
}

TEST(HashKey, EachFrontRefusesWhatItCannotCarry) {
  const auto dashed = *parse_hash_key("cookie:my-id");
  EXPECT_NE(front_hash_key_problem(FrontKind::nginx, dashed), "");
  EXPECT_EQ(front_hash_key_problem(FrontKind::haproxy, dashed), "");
  const auto hashed = *parse_hash_key("cookie:a#b");
  EXPECT_NE(front_hash_key_problem(FrontKind::haproxy, hashed).find("# as a comment"),
            std::string::npos);
  EXPECT_EQ(front_hash_key_problem(FrontKind::builtin, hashed), "");
  EXPECT_EQ(front_hash_key_problem(FrontKind::nginx, *parse_hash_key("header:X-User")), "");
}

TEST(Duration, OneGrammarEverywhere) {
  const DurationGrammar file{};
  EXPECT_EQ(parse_duration("2s", file), 2.0);
  EXPECT_EQ(parse_duration("250ms", file), 0.25);
  EXPECT_EQ(parse_duration("1.5m", file), 90.0);
  EXPECT_EQ(parse_duration("1h", file), 3600.0);
  std::string problem;
  EXPECT_FALSE(parse_duration("2", file, &problem));
  EXPECT_NE(problem.find("needs a unit"), std::string::npos) << problem;
  const DurationGrammar milliseconds_flag{std::chrono::milliseconds(1)};
  EXPECT_EQ(parse_duration("2", milliseconds_flag), 0.002);
  for (const auto* bad : {"1   ms", "5 ms", " 1s", "nan", "inf", "-1s", "1e3s", "", "s", "0x10s",
                          "1.s", ".5s", "1..2s", "1.2.3s", "2 h", "2d"}) {
    EXPECT_FALSE(parse_duration(bad, file).has_value()) << bad;
    EXPECT_FALSE(parse_duration(bad, milliseconds_flag).has_value()) << bad;
  }
  // 200,000 digits: refused by length, not parsed (it once crashed the loader).
  EXPECT_FALSE(parse_duration(std::string(200'000, '9') + "s", file, &problem));
  EXPECT_NE(problem.find("at most 32"), std::string::npos) << problem;
  EXPECT_TRUE(parse_duration(std::string(30, '9') + "s", file).has_value());
}

TEST(Pattern, MatchesInLinearTimeAndRefusesWhatCannot) {
  auto pattern = Pattern::compile("^ok[0-9]+$");
  ASSERT_TRUE(pattern);
  EXPECT_TRUE(pattern->search("ok12"));
  EXPECT_FALSE(pattern->search("ok"));
  EXPECT_TRUE(Pattern::compile("after")->search(std::string("before\0after", 12)));
  EXPECT_EQ(Pattern::compile(R"re(value="([^"]+)")re")->first_group(R"(<input value="t0k">)"),
            "t0k");
  EXPECT_EQ(Pattern::compile("x")->first_group("y"), std::nullopt);

  std::string problem;
  EXPECT_FALSE(Pattern::compile(R"re((a*)\1b)re", &problem));
  EXPECT_NE(problem.find("back-references"), std::string::npos) << problem;
  EXPECT_FALSE(Pattern::compile("a(?=b)", &problem));
  EXPECT_NE(problem.find("look-arounds"), std::string::npos) << problem;
  EXPECT_FALSE(Pattern::compile("(a{1,1000}){1,1000}", &problem));
  EXPECT_NE(problem.find("too large"), std::string::npos) << problem;
  EXPECT_FALSE(Pattern::compile("((a{1,100}){1,100}){1,100}", &problem)) << "accepted";
  EXPECT_FALSE(Pattern::compile("a(b", &problem));
  EXPECT_NE(problem.find("missing )"), std::string::npos) << problem;

  // What backtracking engines take exponential time or a stack per byte on.
  const std::string large(1 << 20, 'a');
  EXPECT_TRUE(Pattern::compile("^(a|b)*$")->search(large));
  EXPECT_FALSE(Pattern::compile("^(a|b)*c$")->search(large));
  EXPECT_FALSE(Pattern::compile("(a|aa)*b")->search(large));
}

TEST(Markup, WhatXmlCannotHoldIsReplaced) {
  EXPECT_EQ(escape_markup("a<b & 'c'"), "a&lt;b &amp; &#39;c&#39;");
  EXPECT_EQ(escape_markup("caf\xc3\xa9"), "caf\xc3\xa9");
  const std::string replacement = "\xEF\xBF\xBD";
  EXPECT_EQ(escape_markup("a\xff"), "a" + replacement);
  EXPECT_EQ(escape_markup("\xc3"), replacement);                                      // cut short
  EXPECT_EQ(escape_markup("\xc0\xaf"), replacement + replacement);                    // overlong
  EXPECT_EQ(escape_markup("\xed\xa0\x80"), replacement + replacement + replacement);  // surrogate
  EXPECT_EQ(escape_markup("\xef\xbf\xbe\xef\xbf\xbf"),
            replacement + replacement);  // U+FFFE, U+FFFF
  EXPECT_EQ(escape_markup("\x01\x7f"), "??");
  EXPECT_EQ(escape_markup("\xf0\x9f\x99\x82"), "\xf0\x9f\x99\x82");
}

}  // namespace
}  // namespace sessim
