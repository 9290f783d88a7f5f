#include "net/cookie_jar.h"

#include <algorithm>
#include <chrono>

#include "common/text.h"
#include "net/cookie.h"

namespace sessim {

namespace {

// Milliseconds: a cookie of Max-Age=2 lives two seconds, not one to two
// seconds as a whole-second clock would make it.
long long now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// RFC 6265bis caps a cookie's lifetime at 400 days; the cap also keeps the
// arithmetic in range for any Max-Age a server sends.
constexpr long long kLongestCookieLifeS = 400LL * 24 * 3600;

std::string_view path_of(std::string_view target) {
  const auto query = target.find_first_of("?#");
  auto path = target.substr(0, query);
  return path.empty() || path.front() != '/' ? std::string_view("/") : path;
}

// RFC 6265 section 5.1.4: the directory of the request path.
std::string default_path(std::string_view target) {
  const auto path = path_of(target);
  const auto slash = path.rfind('/');
  if (slash == 0 || slash == std::string_view::npos) return "/";
  return std::string(path.substr(0, slash));
}

// RFC 6265 section 5.1.4: does the request path match the cookie path?
bool path_matches(std::string_view request_path, const std::string& cookie_path) {
  if (request_path == cookie_path) return true;
  if (request_path.rfind(cookie_path, 0) != 0) return false;
  return cookie_path.back() == '/' || request_path[cookie_path.size()] == '/';
}

}  // namespace

std::vector<CookieJar::StoredCookie> CookieJar::live() const {
  const auto now = now_ms();
  std::vector<StoredCookie> result;
  for (const auto& cookie : cookies_) {
    if (!cookie.expires_at || *cookie.expires_at > now) result.push_back(cookie);
  }
  return result;
}

std::string CookieJar::cookie_header(std::string_view target) const {
  const std::lock_guard lock(mutex_);
  auto cookies = live();
  const auto request_path = path_of(target);
  // Longer paths first; among equal paths, the older first (stable sort).
  std::stable_sort(cookies.begin(), cookies.end(),
                   [](const auto& a, const auto& b) { return a.path.size() > b.path.size(); });
  std::string header;
  for (const auto& cookie : cookies) {
    if (!path_matches(request_path, cookie.path)) continue;
    if (!header.empty()) header += "; ";
    header += cookie.name + "=" + cookie.value;
  }
  return header;
}

void CookieJar::remember(const HttpExchange& exchange) {
  remember(exchange.target, exchange.header_values("Set-Cookie"));
}

void CookieJar::remember(std::string_view target,
                         const std::vector<std::string>& set_cookie_lines) {
  const std::lock_guard lock(mutex_);
  const auto now = now_ms();
  for (const auto& line : set_cookie_lines) {
    const auto cookie = parse_set_cookie(line);
    if (!cookie) continue;  // a browser ignores what it cannot parse
    if (cookie->name.size() + cookie->value.size() > kMaxCookieBytes) continue;
    StoredCookie stored{
        cookie->name, cookie->value,
        !cookie->path.empty() && cookie->path.front() == '/' ? cookie->path : default_path(target),
        std::nullopt};
    if (cookie->max_age) {
      stored.expires_at = now + std::min(*cookie->max_age, kLongestCookieLifeS) * 1000;
    } else if (cookie->expires) {
      stored.expires_at =
          std::clamp(*cookie->expires, -kLongestCookieLifeS, now / 1000 + kLongestCookieLifeS) *
          1000;
    }
    std::erase_if(cookies_, [&](const StoredCookie& old) {
      return old.name == stored.name && old.path == stored.path;
    });
    if (deletes_cookie(*cookie, now / 1000)) continue;
    // RFC 6265 section 6.1: a jar is bounded; as browsers do, the oldest
    // cookie makes room for the newest.
    if (cookies_.size() >= kMaxCookies) cookies_.erase(cookies_.begin());
    cookies_.push_back(std::move(stored));
  }
}

std::map<std::string, std::string> CookieJar::cookies() const {
  const std::lock_guard lock(mutex_);
  std::map<std::string, std::string> result;
  std::map<std::string, std::size_t> path_lengths;
  for (const auto& cookie : live()) {
    const auto known = path_lengths.find(cookie.name);
    if (known != path_lengths.end() && known->second > cookie.path.size()) continue;
    result[cookie.name] = cookie.value;
    path_lengths[cookie.name] = cookie.path.size();
  }
  return result;
}

void CookieJar::replace_with(const CookieJar& other) {
  std::vector<StoredCookie> copied;
  {
    const std::lock_guard lock(other.mutex_);
    copied = other.cookies_;
  }
  const std::lock_guard lock(mutex_);
  cookies_ = std::move(copied);
}

}  // namespace sessim
