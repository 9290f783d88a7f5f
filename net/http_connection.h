#pragma once

#include <functional>
#include <memory>
#include <string>

#include "net/http_client.h"

namespace boost::asio {
class io_context;
}

// The one plain-HTTP/1.1 client of sessim's: one keep-alive connection to
// one origin on an event loop, one request at a time, with the limits and
// the failure words of net/http_client.h. `HttpClient` runs it on a loop of
// its own and waits (the browser, --target, probes, the audit); `sessim
// bench` runs thousands of them on its loops. One wording of every failure,
// one parser, one set of caps.
namespace sessim {

class HttpConnection : public std::enable_shared_from_this<HttpConnection> {
 public:
  using Done = std::function<void(HttpClientResponse)>;

  static std::shared_ptr<HttpConnection> open(boost::asio::io_context& loop, std::string host,
                                              int port, HttpClientLimits limits,
                                              bool keep_alive = true);
  virtual ~HttpConnection() = default;

  // Sends from this local address (any in 127.0.0.0/8 on Linux); the next
  // request opens a new connection.
  virtual void send_from(const std::string& local_address) = 0;

  // Sends one request (connecting first where needed) and calls `done` once,
  // from the loop, with the answer or status 0 and why. A kept-alive
  // connection the server closed while it was idle is reopened once and the
  // request sent again, before any byte of an answer arrived. One request at
  // a time.
  virtual void send(HttpClientRequest request, Done done) = 0;

  // Closes the connection; a request in flight fails.
  virtual void close() = 0;
};

}  // namespace sessim
