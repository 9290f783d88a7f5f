#include "scenario/browser.h"

#include <httplib.h>

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

struct Browser::Connection {
  Connection(const std::string& host, int port, bool keep_alive) : client(host, port) {
    ClientTuning tuning;
    tuning.keep_alive = keep_alive;
    tune_client(client, tuning);
  }
  httplib::Client client;
};

Browser::Browser(std::string name, std::string host, int port, std::shared_ptr<CookieJar> jar,
                 bool keep_alive)
    : name_(std::move(name)),
      jar_(std::move(jar)),
      connection_(std::make_unique<Connection>(host, port, keep_alive)) {}

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
  exchange.cookie_sent = jar_->cookie_header();

  httplib::Request request;
  request.method = method;
  request.path = target;
  request.body = body;
  if (!exchange.cookie_sent.empty()) request.headers.emplace("Cookie", exchange.cookie_sent);
  if (!body.empty()) request.headers.emplace("Content-Type", "text/plain; charset=utf-8");

  const auto started = std::chrono::steady_clock::now();
  auto result = connection_->client.send(request);
  exchange.duration_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  if (!result) {
    exchange.transport_error = describe_http_failure(result.error(), exchange.duration_ms);
    return exchange;
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
  jar_->remember(exchange);
  return exchange;
}

std::optional<std::string> Browser::cookie(const std::string& name) const {
  const auto cookies = jar_->cookies();
  const auto it = cookies.find(name);
  if (it == cookies.end()) return std::nullopt;
  return it->second;
}

std::string CookieJar::cookie_header() const {
  const std::lock_guard lock(mutex_);
  std::string header;
  for (const auto& [name, value] : cookies_) {
    if (!header.empty()) header += "; ";
    header += name + "=" + value;
  }
  return header;
}

void CookieJar::remember(const HttpExchange& exchange) {
  const std::lock_guard lock(mutex_);
  for (const auto& line : exchange.header_values("Set-Cookie")) {
    const auto cookie = parse_set_cookie(line);
    if (!cookie) continue;  // a browser ignores what it cannot parse
    if (cookie->max_age && *cookie->max_age <= 0) {
      cookies_.erase(cookie->name);
    } else {
      cookies_[cookie->name] = cookie->value;
    }
  }
}

std::map<std::string, std::string> CookieJar::cookies() const {
  const std::lock_guard lock(mutex_);
  return cookies_;
}

void CookieJar::replace_with(const CookieJar& other) {
  auto copied = other.cookies();
  const std::lock_guard lock(mutex_);
  cookies_ = std::move(copied);
}

}  // namespace sessim
