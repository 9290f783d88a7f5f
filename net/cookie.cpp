#include "net/cookie.h"

#include <time.h>

#include <ctime>

#include "common/text.h"

namespace sessim {
namespace {

bool is_token_char(unsigned char c) {
  if (c <= 32 || c >= 127) return false;
  constexpr std::string_view kSeparators = "()<>@,;:\\\"/[]?={}";
  return kSeparators.find(static_cast<char>(c)) == std::string_view::npos;
}

bool is_cookie_octet(unsigned char c) {
  return c == 0x21 || (c >= 0x23 && c <= 0x2B) || (c >= 0x2D && c <= 0x3A) ||
         (c >= 0x3C && c <= 0x5B) || (c >= 0x5D && c <= 0x7E);
}

std::optional<CookiePair> parse_pair(std::string_view text) {
  const auto equals = text.find('=');
  if (equals == std::string_view::npos) return std::nullopt;
  const auto name = trim(text.substr(0, equals));
  auto value = trim(text.substr(equals + 1));
  if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
    value = value.substr(1, value.size() - 2);
  }
  if (!is_cookie_name(name) || !is_cookie_value(value)) return std::nullopt;
  return CookiePair{std::string(name), std::string(value)};
}

}  // namespace

bool is_cookie_name(std::string_view name) {
  if (name.empty()) return false;
  for (const char c : name) {
    if (!is_token_char(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

bool is_cookie_value(std::string_view value) {
  for (const char c : value) {
    if (!is_cookie_octet(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

std::vector<CookiePair> parse_cookie_header(std::string_view header) {
  std::vector<CookiePair> cookies;
  while (!header.empty()) {
    const auto semicolon = header.find(';');
    const auto piece = header.substr(0, semicolon);
    if (auto pair = parse_pair(piece)) cookies.push_back(std::move(*pair));
    if (semicolon == std::string_view::npos) break;
    header.remove_prefix(semicolon + 1);
  }
  return cookies;
}

std::vector<std::string> cookie_values(const std::vector<CookiePair>& cookies,
                                       std::string_view name) {
  std::vector<std::string> values;
  for (const auto& cookie : cookies) {
    if (cookie.name == name) values.push_back(cookie.value);
  }
  return values;
}

std::optional<SetCookie> parse_set_cookie(std::string_view header) {
  const auto semicolon = header.find(';');
  auto pair = parse_pair(header.substr(0, semicolon));
  if (!pair) return std::nullopt;
  SetCookie cookie;
  cookie.name = std::move(pair->name);
  cookie.value = std::move(pair->value);
  auto rest =
      semicolon == std::string_view::npos ? std::string_view{} : header.substr(semicolon + 1);
  while (!rest.empty()) {
    const auto next = rest.find(';');
    const auto attribute = trim(rest.substr(0, next));
    const auto equals = attribute.find('=');
    const auto key = trim(attribute.substr(0, equals));
    const auto value =
        equals == std::string_view::npos ? std::string_view{} : trim(attribute.substr(equals + 1));
    if (iequals(key, "Max-Age")) {
      cookie.max_age = parse_integer(value, -(1LL << 40), 1LL << 40);
    } else if (iequals(key, "Expires")) {
      cookie.expires = parse_cookie_date(value);
    } else if (iequals(key, "Path")) {
      cookie.path = std::string(value);
    } else if (iequals(key, "HttpOnly")) {
      cookie.http_only = true;
    } else if (iequals(key, "Secure")) {
      cookie.secure = true;
    } else if (iequals(key, "SameSite")) {
      cookie.same_site = std::string(value);
    }
    if (next == std::string_view::npos) break;
    rest.remove_prefix(next + 1);
  }
  return cookie;
}

std::optional<long long> parse_cookie_date(std::string_view text) {
  std::string date(text);
  for (auto& c : date) {
    if (c == '-') c = ' ';
  }
  std::tm parts{};
  for (const char* format :
       {"%a, %d %b %Y %H:%M:%S", "%A, %d %b %y %H:%M:%S", "%a %b %d %H:%M:%S %Y"}) {
    parts = std::tm{};
    const char* end = ::strptime(date.c_str(), format, &parts);
    if (end != nullptr) return static_cast<long long>(::timegm(&parts));
  }
  return std::nullopt;
}

bool deletes_cookie(const SetCookie& cookie, long long now_unix_s) {
  if (cookie.max_age) return *cookie.max_age <= 0;
  return cookie.expires && *cookie.expires <= now_unix_s;
}

std::string format_set_cookie(const SetCookie& cookie) {
  std::string header = cookie.name + "=" + cookie.value;
  if (cookie.max_age) header += "; Max-Age=" + std::to_string(*cookie.max_age);
  if (!cookie.path.empty()) header += "; Path=" + cookie.path;
  if (cookie.http_only) header += "; HttpOnly";
  if (cookie.secure) header += "; Secure";
  if (!cookie.same_site.empty()) header += "; SameSite=" + cookie.same_site;
  return header;
}

}  // namespace sessim
