#include "scenario/assertion.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>

#include "common/name_table.h"
#include "common/text.h"

namespace sessim {

bool StatusSet::accepts(int status) const {
  return std::find(codes.begin(), codes.end(), status) != codes.end() ||
         std::find(classes.begin(), classes.end(), status / 100) != classes.end();
}

std::string StatusSet::to_string() const {
  std::vector<std::string> parts;
  for (const int code : codes) parts.push_back(std::to_string(code));
  for (const int group : classes) parts.push_back(fmt::format("{}xx", group));
  if (parts.size() <= 1) return parts.empty() ? "" : parts.front();
  const auto last = parts.back();
  parts.pop_back();
  return fmt::format("{} or {}", join(parts, ", "), last);
}

std::optional<int> parse_status_code(std::string_view text) {
  if (text.size() != 3) return std::nullopt;
  const auto code = parse_integer(text, 100, 599);
  return code ? std::optional<int>(static_cast<int>(*code)) : std::nullopt;
}

std::optional<int> parse_status_class(std::string_view text) {
  if (text.size() != 3 || text[0] < '1' || text[0] > '5') return std::nullopt;
  if ((text[1] != 'x' && text[1] != 'X') || (text[2] != 'x' && text[2] != 'X')) return std::nullopt;
  return text[0] - '0';
}

namespace {

constexpr NameTable<TextTest, 4> kTextTests{{{
    {TextTest::equals, "equals"},
    {TextTest::contains, "contains"},
    {TextTest::matches, "matches"},
    {TextTest::absent, "absent"},
}}};

constexpr NameTable<CookieTest, 7> kCookieTests{{{
    {CookieTest::present, "present"},
    {CookieTest::absent, "absent"},
    {CookieTest::http_only, "httponly"},
    {CookieTest::secure, "secure"},
    {CookieTest::same_site, "samesite"},
    {CookieTest::path, "path"},
    {CookieTest::max_age, "max-age"},
}}};

}  // namespace

std::string_view to_string(TextTest test) { return kTextTests.name(test); }
std::optional<TextTest> text_test_named(std::string_view name) { return kTextTests.parse(name); }
const std::vector<std::string>& text_test_names() {
  static const auto names = kTextTests.names();
  return names;
}

std::string_view to_string(CookieTest test) { return kCookieTests.name(test); }
std::optional<CookieTest> cookie_test_named(std::string_view name) {
  return kCookieTests.parse(name);
}
const std::vector<std::string>& cookie_test_names() {
  static const auto names = kCookieTests.names();
  return names;
}

std::string LatencyLimit::label() const {
  return percentile >= 100 ? std::string("max") : fmt::format("p{}", percentile);
}

}  // namespace sessim
