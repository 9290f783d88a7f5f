#include "scenario/browser.h"

#include <httplib.h>

#include <algorithm>
#include <chrono>

#include "common/text.h"
#include "net/http_tuning.h"
#include "node/cookie.h"

namespace sessim {

std::string HttpExchange::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (iequals(key, name)) return value;
  }
  return "";
}

std::vector<std::string> HttpExchange::header_values(std::string_view name) const {
  std::vector<std::string> values;
  for (const auto& [key, value] : headers) {
    if (iequals(key, name)) values.push_back(value);
  }
  return values;
}

namespace {

// Sends exchange.method/target with its Cookie header and `body` over
// `client`, and fills in the response (or why none came).
void exchange_over(httplib::Client& client, HttpExchange& exchange, const std::string& body) {
  httplib::Request request;
  request.method = exchange.method;
  request.path = exchange.target;
  request.body = body;
  if (!exchange.cookie_sent.empty()) request.headers.emplace("Cookie", exchange.cookie_sent);
  if (!body.empty()) request.headers.emplace("Content-Type", "text/plain; charset=utf-8");
  const auto started = std::chrono::steady_clock::now();
  auto result = client.send(request);
  exchange.duration_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  if (!result) {
    exchange.transport_error = describe_http_failure(result.error(), exchange.duration_ms);
    return;
  }
  exchange.status = result->status;
  exchange.body = result->body;
  for (const auto& [key, value] : result->headers) {
    // cpp-httplib injects these pseudo-headers; they were never on the wire.
    if (key == "REMOTE_ADDR" || key == "REMOTE_PORT" || key == "LOCAL_ADDR" ||
        key == "LOCAL_PORT") {
      continue;
    }
    exchange.headers.emplace_back(key, value);
  }
}

}  // namespace

struct Browser::Connection {
  Connection(const Endpoint& origin, bool keep_alive) : client(origin.url()) {
    ClientTuning tuning;
    tuning.keep_alive = keep_alive;
    tune_client(client, tuning);
    if (origin.scheme == "https") client.enable_server_certificate_verification(origin.verify_tls);
  }
  httplib::Client client;
};

Browser::Browser(std::string name, std::string host, int port, std::shared_ptr<CookieJar> jar,
                 bool keep_alive)
    : name_(std::move(name)),
      jar_(std::move(jar)),
      connection_(std::make_unique<Connection>(Endpoint{"http", host, port, true}, keep_alive)) {}

Browser::~Browser() = default;
Browser::Browser(Browser&&) noexcept = default;
Browser& Browser::operator=(Browser&&) noexcept = default;

void Browser::send_from(const std::string& local_address) {
  connection_->client.set_interface(local_address);
}

HttpExchange Browser::get(const std::string& target) { return send("GET", target); }

HttpExchange Browser::send(const std::string& method, const std::string& target,
                           const std::string& body) {
  HttpExchange exchange;
  exchange.method = method;
  exchange.target = target;
  exchange.cookie_sent = jar_->cookie_header(target);
  exchange_over(connection_->client, exchange, body);
  jar_->remember(exchange);
  return exchange;
}

HttpExchange HttpTransport::send(const Endpoint& origin, const OutgoingRequest& request) {
  httplib::Client client(origin.url());
  ClientTuning tuning;
  tuning.keep_alive = request.keep_alive;
  tune_client(client, tuning);
  if (origin.scheme == "https") client.enable_server_certificate_verification(origin.verify_tls);
  if (!request.source_address.empty()) client.set_interface(request.source_address);
  HttpExchange exchange;
  exchange.method = request.method;
  exchange.target = request.target;
  exchange.cookie_sent = request.cookie_header;
  exchange_over(client, exchange, request.body);
  return exchange;
}

std::optional<std::string> Browser::cookie(const std::string& name) const {
  const auto cookies = jar_->cookies();
  const auto it = cookies.find(name);
  if (it == cookies.end()) return std::nullopt;
  return it->second;
}

namespace {

long long now_s() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

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
  const auto now = now_s();
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
  const std::lock_guard lock(mutex_);
  const auto now = now_s();
  for (const auto& line : exchange.header_values("Set-Cookie")) {
    const auto cookie = parse_set_cookie(line);
    if (!cookie) continue;  // a browser ignores what it cannot parse
    StoredCookie stored{cookie->name, cookie->value,
                        !cookie->path.empty() && cookie->path.front() == '/'
                            ? cookie->path
                            : default_path(exchange.target),
                        std::nullopt};
    if (cookie->max_age) {
      stored.expires_at = now + *cookie->max_age;
    } else if (cookie->expires) {
      stored.expires_at = *cookie->expires;
    }
    std::erase_if(cookies_, [&](const StoredCookie& old) {
      return old.name == stored.name && old.path == stored.path;
    });
    const bool deleted = stored.expires_at && *stored.expires_at <= now;
    if (!deleted) cookies_.push_back(std::move(stored));
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
