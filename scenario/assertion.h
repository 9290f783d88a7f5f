#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/json_path.h"
#include "common/pattern.h"
#include "common/source_position.h"

// The assertions a scenario step can make about its response, beyond the
// session's story (value, absent, node, session): what a CI gate checks.
// Plain data, filled by the loader and judged by play/assertions.h.
namespace sessim {

// The statuses a step accepts: exact codes and whole classes ("2xx").
struct StatusSet {
  std::vector<int> codes;
  std::vector<int> classes;  // 2 for 2xx
  bool accepts(int status) const;
  std::string to_string() const;  // "200", "2xx", "200, 302 or 4xx"
};
// "200", "2xx"; nullopt for anything else.
std::optional<int> parse_status_code(std::string_view text);
std::optional<int> parse_status_class(std::string_view text);

enum class TextTest { equals, contains, matches, absent };
std::string_view to_string(TextTest test);
std::optional<TextTest> text_test_named(std::string_view name);
const std::vector<std::string>& text_test_names();  // the keys of a header's map

// A test on a piece of response text (a header's value, the body).
// `matches` is an RE2 pattern, searched anywhere; compiled by the loader.
struct TextCondition {
  TextTest test = TextTest::equals;
  std::string operand;  // unused for absent; the pattern as written for matches
  SourcePosition position;
  std::optional<Pattern> pattern;  // matches
};

struct HeaderCondition {
  std::string name;
  TextCondition condition;
};

// What a response's Set-Cookie for one cookie must say.
enum class CookieTest { present, absent, http_only, secure, same_site, path, max_age };
std::string_view to_string(CookieTest test);
std::optional<CookieTest> cookie_test_named(std::string_view name);
const std::vector<std::string>& cookie_test_names();  // the keys of a cookie's map

struct CookieCondition {
  std::string name;
  CookieTest test = CookieTest::present;
  bool flag = true;     // http_only, secure: whether the attribute is there
  std::string operand;  // same_site, path: the value; max_age: the seconds
  SourcePosition position;
};

// A value at a path in a JSON body: `user.name`, `items[0].id`, `$.total`.
struct JsonCondition {
  enum class Kind { string, number, boolean, null };
  std::string path;
  Kind kind = Kind::string;
  std::string expected;  // as written: "alice", "3", "true"
  SourcePosition position;
};

// A limit on request durations: one request's (`within`), or a percentile
// over every request of a `repeat` (`latency: {p95: 50ms}`; 100 is max).
struct LatencyLimit {
  int percentile = 100;
  double ms = 0;
  SourcePosition position;
  std::string label() const;  // "p95", "max"
};

}  // namespace sessim
