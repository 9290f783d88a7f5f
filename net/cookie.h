#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sessim {

struct CookiePair {
  std::string name;
  std::string value;
};

// Parses a request's Cookie header (RFC 6265 section 5.4 / 4.2.1 syntax).
// Pairs whose name is not a token or whose value holds characters outside
// cookie-octet are dropped rather than guessed at; duplicates are kept in
// order, because browsers send one pair per matching path.
std::vector<CookiePair> parse_cookie_header(std::string_view header);

// The values of every pair named `name`, in header order.
std::vector<std::string> cookie_values(const std::vector<CookiePair>& cookies,
                                       std::string_view name);

struct SetCookie {
  std::string name;
  std::string value;
  std::optional<long long> max_age;  // seconds; 0 deletes the cookie
  std::optional<long long> expires;  // Unix seconds of the Expires date, if it parsed
  std::string path;
  bool http_only = false;
  std::string same_site;  // "", "Lax", "Strict" or "None"
  bool secure = false;
};

// Parses one Set-Cookie response header; nullopt if the name=value pair is not
// well formed. Unknown attributes are ignored, as user agents do.
std::optional<SetCookie> parse_set_cookie(std::string_view header);

std::string format_set_cookie(const SetCookie& cookie);

// Whether a Set-Cookie deletes the cookie it names, as browsers decide it
// (RFC 6265 section 5.3): Max-Age of 0 or less, or, without Max-Age, an
// Expires date not after `now_unix_s`. The one rule of the browser's jar,
// the reports' session effects and the load generator.
bool deletes_cookie(const SetCookie& cookie, long long now_unix_s);

// An HTTP date as cookies carry it ("Wed, 21 Oct 2015 07:28:00 GMT", also with
// dashes, as "Thu, 01-Jan-1970 00:00:01 GMT"), in Unix seconds.
std::optional<long long> parse_cookie_date(std::string_view text);

bool is_cookie_name(std::string_view name);
bool is_cookie_value(std::string_view value);

}  // namespace sessim
