#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sessim {

// One HTTP exchange as a client saw it.
struct HttpExchange {
  std::string method;
  std::string target;
  std::string cookie_sent;  // the Cookie header sent, "" if none
  int status = 0;           // 0 when no response came
  std::string transport_error;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  double duration_ms = 0;

  // The first response header with this name (case-insensitive), or "".
  std::string header(std::string_view name) const;
  std::vector<std::string> header_values(std::string_view name) const;
};

// A browser: one cookie jar and one keep-alive connection to one origin on
// loopback. Cookies are kept by name (one origin, path "/"), replaced by
// Set-Cookie and dropped by Max-Age<=0, as a browser would. Not thread-safe:
// one Browser per simulated user.
class Browser {
 public:
  Browser(std::string name, std::string host, int port);
  ~Browser();
  Browser(Browser&&) noexcept;
  Browser& operator=(Browser&&) noexcept;

  const std::string& name() const { return name_; }

  HttpExchange get(const std::string& target);
  HttpExchange send(const std::string& method, const std::string& target,
                    const std::string& body = "");

  std::optional<std::string> cookie(const std::string& name) const;
  const std::map<std::string, std::string>& cookies() const { return cookies_; }

 private:
  std::string cookie_header() const;
  void remember_cookies(const HttpExchange& exchange);

  std::string name_;
  std::map<std::string, std::string> cookies_;
  struct Connection;
  std::unique_ptr<Connection> connection_;
};

}  // namespace sessim
