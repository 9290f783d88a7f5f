#pragma once

#include <memory>
#include <optional>
#include <string>

#include "net/cookie_jar.h"
#include "net/http_client.h"
#include "net/http_exchange.h"

namespace sessim {

// A browser (or one tab of it): a cookie jar and one connection to one
// origin. Not thread-safe: a tab per thread, sharing the jar.
class Browser {
 public:
  Browser(std::string name, std::string host, int port,
          std::shared_ptr<CookieJar> jar = std::make_shared<CookieJar>(), bool keep_alive = true,
          HttpClientLimits limits = {});
  ~Browser();
  Browser(Browser&&) noexcept;
  Browser& operator=(Browser&&) noexcept;

  const std::string& name() const { return name_; }

  // Sends from this local address (any in 127.0.0.0/8 on Linux), so that the
  // balancer sees distinct clients, as ip-hash needs.
  void send_from(const std::string& local_address);

  HttpExchange get(const std::string& target);
  HttpExchange send(const std::string& method, const std::string& target,
                    const std::string& body = "");

  std::optional<std::string> cookie(const std::string& name) const;
  CookieJar& jar() { return *jar_; }

 private:
  std::string name_;
  std::shared_ptr<CookieJar> jar_;
  struct Connection;
  std::unique_ptr<Connection> connection_;
};

}  // namespace sessim
