#include "scenario/assertion.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>

#include "common/name_table.h"
#include "common/text.h"

namespace sessim {

std::string SourcePosition::to_string() const {
  if (line <= 0) return file;
  return fmt::format("{}:{}:{}", file, line, column);
}

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

std::optional<std::vector<JsonPathStep>> parse_json_path(std::string_view path,
                                                         std::string* problem) {
  const auto refuse = [&](std::string why) -> std::optional<std::vector<JsonPathStep>> {
    if (problem) *problem = std::move(why);
    return std::nullopt;
  };
  if (path.starts_with("$")) path.remove_prefix(path.starts_with("$.") ? 2 : 1);
  std::vector<JsonPathStep> steps;
  std::size_t at = 0;
  bool after_dot = false;
  while (at < path.size()) {
    if (path[at] == '[') {
      const auto close = path.find(']', at);
      if (close == std::string_view::npos) return refuse("a '[' without its ']'");
      const auto index = parse_integer(path.substr(at + 1, close - at - 1), 0, 1'000'000);
      if (!index) return refuse("an index is a whole number in brackets, such as [0]");
      steps.push_back({"", static_cast<std::size_t>(*index)});
      at = close + 1;
      after_dot = false;
      if (at < path.size() && path[at] == '.') {
        ++at;
        after_dot = true;
      }
      continue;
    }
    const auto end = path.find_first_of(".[]", at);
    const auto key = path.substr(at, end == std::string_view::npos ? path.size() - at : end - at);
    if (key.empty()) return refuse("an empty name between dots");
    steps.push_back({std::string(key), 0});
    at += key.size();
    after_dot = false;
    if (at < path.size() && path[at] == ']') return refuse("a ']' without its '['");
    if (at < path.size() && path[at] == '.') {
      ++at;
      after_dot = true;
    }
  }
  if (after_dot) return refuse("it ends with a dot");
  if (steps.empty()) return refuse("it names nothing; write a key such as user.name");
  return steps;
}

std::optional<double> parse_json_number(std::string_view text) {
  double value = 0;
  const auto* end = text.data() + text.size();
  const auto [rest, error] = std::from_chars(text.data(), end, value);
  if (error != std::errc() || rest != end || !std::isfinite(value)) return std::nullopt;
  return value;
}

std::string json_path_problem(std::string_view path) {
  std::string problem;
  parse_json_path(path, &problem);
  return problem;
}

}  // namespace sessim
