#pragma once

// clang-format off
#include <utility>  // Boost 1.74's Asio uses std::exchange without including it
// clang-format on

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "net/event_loops.h"

namespace sessim {

using ServerRequest = boost::beast::http::request<boost::beast::http::string_body>;
using ServerResponse = boost::beast::http::response<boost::beast::http::string_body>;

// What one connection may cost. A request over a size limit is answered
// with its status (431 header, 413 body) and the connection closed; a client
// that is silent or slow past a timeout loses its connection. Framing
// follows RFC 9112: conflicting Content-Length values, or Content-Length
// with Transfer-Encoding, are refused (400); pipelined requests are answered
// in order.
struct HttpLimits {
  std::size_t max_header_bytes = 16 * 1024;  // request line and header fields
  std::uint64_t max_body_bytes = 1 << 20;    // for every framing
  // Waiting for the next request on a kept-alive connection, and reading its
  // header once it starts.
  std::chrono::milliseconds idle_timeout{5000};
  // A body has body_timeout, and one second more for every min_body_rate
  // bytes that arrive, up to max_body_time (Apache's mod_reqtimeout
  // body=10,MinRate=1024): a slow link may upload 1 MiB, a client that
  // trickles bytes to hold the connection may not.
  std::chrono::milliseconds body_timeout{10000};
  std::uint64_t min_body_rate = 1024;  // bytes per second; 0: body_timeout alone
  std::chrono::milliseconds max_body_time{60000};
  std::chrono::milliseconds write_timeout{10000};
};

// The client side of one exchange, as a handler sees it.
struct ClientInfo {
  std::string address;   // "127.0.0.1"
  std::size_t loop = 0;  // the EventLoops index the connection runs on
};

class ServerConnection;

// A response body that arrives in parts, for a proxy that must not hold a
// whole response in memory: the connection asks for the next part only when
// the last one is written (back-pressure), so a fast upstream and a slow
// client cost one part's buffer.
class BodySource {
 public:
  // `data` stays valid until the next call to next(); `last`: the body
  // ends with it; `failed`: the body broke off (the client's connection is
  // closed, so that it sees an incomplete response rather than a complete
  // wrong one).
  using Deliver = std::function<void(std::string_view data, bool last, bool failed)>;
  virtual ~BodySource() = default;
  // Calls `deliver` once, on the connection's loop, with the next part.
  virtual void next(Deliver deliver) = 0;
};

// Completes one exchange. Call exactly once, from any thread; the response
// is written on the connection's loop. A response for a connection that was
// closed meanwhile (server stopped, client gone) is dropped.
class HttpResponder {
 public:
  explicit HttpResponder(std::shared_ptr<ServerConnection> connection);
  void operator()(ServerResponse response) const;
  // The response's status and header now, its body from `body`: framed with
  // the header's Content-Length when it has one, else chunked (HTTP/1.1) or
  // ended by closing the connection (HTTP/1.0).
  void stream(ServerResponse head, std::shared_ptr<BodySource> body) const;
  // Runs `work` on the connection's loop after `delay` (a slow request
  // without a blocked thread).
  void after(std::chrono::milliseconds delay, std::function<void()> work) const;

 private:
  std::shared_ptr<ServerConnection> connection_;
};

using HttpHandler = std::function<void(ServerRequest, const ClientInfo&, HttpResponder)>;

// An HTTP/1.1 server on event loops (Boost.Asio with Beast's parser and
// serializer): non-blocking keep-alive connections spread over the loops, a
// slow or idle client costing a socket and a timer, never a thread. The
// handler runs on the connection's loop and must not block it; what waits
// (Redis, a delay) answers later through the responder.
class HttpServer {
 public:
  HttpServer(EventLoops& loops, HttpHandler handler, HttpLimits limits = {},
             std::string name = "server");
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Throws EnvironmentError naming the server when host:port cannot be bound.
  int bind(const std::string& host, int port);
  // Accepts on the loops; returns at once.
  void start();
  // Closes the listening socket and every open connection before it
  // returns; later connections are refused. Idempotent.
  void stop();
  int port() const;
  bool serving() const;

  struct State;

 private:
  std::shared_ptr<State> state_;
};

// "HTTP/1.1 400 Bad Request"-style text for the statuses servers here answer.
std::string_view reason_phrase(int status);

// A message's start line and header fields as they go on the wire, in one
// string: writing that and the body as two buffers costs far less than
// Beast's serializer, which walks a buffer sequence per field.
std::string wire_header(const ServerRequest& request);
std::string wire_header(const ServerResponse& response);

}  // namespace sessim
