#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "cluster/topology.h"
#include "net/http_client.h"
#include "net/http_exchange.h"

namespace sessim {

// One request as a browser sends it, cookies already chosen.
struct OutgoingRequest {
  std::string method;
  std::string target;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // the step's own
  std::string cookie_header;   // "" : no Cookie header
  std::string source_address;  // "" : the system's choice
  bool keep_alive = true;
  // Holds the request's last byte (net/http_client.h, play/release_gate.h).
  LastByteHold last_byte;
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

// Sends exchange.method and exchange.target with its Cookie header,
// `headers` and `body` over `client`, and fills in the response (or why none
// came). A body without a Content-Type among `headers` goes as text/plain.
void exchange_over(HttpClient& client, HttpExchange& exchange, const std::string& body,
                   const std::vector<std::pair<std::string, std::string>>& headers = {},
                   LastByteHold last_byte = {});

}  // namespace sessim
