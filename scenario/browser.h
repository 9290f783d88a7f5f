#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "cluster/topology.h"
#include "net/http_client.h"

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

// One request as a browser sends it, cookies already chosen.
struct OutgoingRequest {
  std::string method;
  std::string target;
  std::string body;
  std::string cookie_header;   // "" : no Cookie header
  std::string source_address;  // "" : the system's choice
  bool keep_alive = true;
};

// How requests reach the system under test: real HTTP (HttpTransport), or a
// simulation in the player's unit tests. Thread-safe.
class Transport {
 public:
  virtual ~Transport() = default;
  // Never throws for a failed exchange: status 0 and transport_error say it.
  virtual HttpExchange send(const Endpoint& origin, const OutgoingRequest& request) = 0;
};

// Real HTTP/1.1 (and HTTPS) with a connection per request, each response
// under `limits`.
class HttpTransport final : public Transport {
 public:
  explicit HttpTransport(HttpClientLimits limits = {}) : limits_(limits) {}
  HttpExchange send(const Endpoint& origin, const OutgoingRequest& request) override;

 private:
  HttpClientLimits limits_;
};

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
