#pragma once

#include <cstddef>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "net/http_exchange.h"

namespace sessim {

// A browser's cookies for one origin, by RFC 6265's storage model: a cookie
// is known by name and path (default path: the request's directory), sent
// only on requests whose path it matches (longer paths first), replaced by a
// later Set-Cookie of the same name and path, and deleted by Max-Age<=0 or an
// Expires date in the past (Max-Age wins over Expires). Any cookie name.
// Thread-safe, because two tabs of one browser share it.
//
// Bounded as browsers bound theirs (RFC 6265 section 6.1 asks for at least
// 50 cookies per domain of 4096 bytes each; Chromium keeps 180): a cookie
// over kMaxCookieBytes is ignored, and beyond kMaxCookies the oldest goes.
// A jar is one origin's, so the per-domain cap is the jar's.
class CookieJar {
 public:
  static constexpr std::size_t kMaxCookies = 180;
  static constexpr std::size_t kMaxCookieBytes = 4096;  // name and value

  // The Cookie header for a request to `target` ("/path?query"); "" if none.
  std::string cookie_header(std::string_view target = "/") const;
  void remember(const HttpExchange& exchange);
  // The Set-Cookie lines of a response to a request for `target`.
  void remember(std::string_view target, const std::vector<std::string>& set_cookie_lines);
  // Every live cookie's name and value (the longest path's, for a name set
  // on several paths).
  std::map<std::string, std::string> cookies() const;
  void replace_with(const CookieJar& other);

 private:
  struct StoredCookie {
    std::string name;
    std::string value;
    std::string path;
    std::optional<long long> expires_at;  // Unix milliseconds; none: a session cookie
  };
  std::vector<StoredCookie> live() const;  // with mutex_ held

  mutable std::mutex mutex_;
  std::vector<StoredCookie> cookies_;  // in order of creation
};

}  // namespace sessim
