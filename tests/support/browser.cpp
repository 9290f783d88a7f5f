#include "support/browser.h"

#include "play/transport.h"

namespace sessim {

struct Browser::Connection {
  Connection(const Endpoint& origin, bool keep_alive, const HttpClientLimits& limits)
      : client(origin.scheme, origin.host, origin.port, origin.verify_tls, limits, keep_alive) {}
  HttpClient client;
};

Browser::Browser(std::string name, std::string host, int port, std::shared_ptr<CookieJar> jar,
                 bool keep_alive, HttpClientLimits limits)
    : name_(std::move(name)),
      jar_(std::move(jar)),
      connection_(
          std::make_unique<Connection>(Endpoint{"http", host, port, true}, keep_alive, limits)) {}

Browser::~Browser() = default;
Browser::Browser(Browser&&) noexcept = default;
Browser& Browser::operator=(Browser&&) noexcept = default;

void Browser::send_from(const std::string& local_address) {
  connection_->client.send_from(local_address);
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

std::optional<std::string> Browser::cookie(const std::string& name) const {
  const auto cookies = jar_->cookies();
  const auto it = cookies.find(name);
  if (it == cookies.end()) return std::nullopt;
  return it->second;
}

}  // namespace sessim
