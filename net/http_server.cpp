#include "net/http_server.h"

#include <fmt/format.h>

#include <array>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <optional>
#include <unordered_map>

#include "common/errors.h"
#include "net/beast_text.h"
#include "net/loop_stream.h"
#include "net/loopback.h"
#include "net/request_framing.h"

namespace sessim {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

std::string_view reason_phrase(int status) {
  switch (status) {
    case 400:
      return "Bad Request";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 413:
      return "Payload Too Large";
    case 414:
      return "URI Too Long";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    default:
      return "Error";
  }
}

namespace {

template <bool IsRequest>
void append_fields(
    std::string& out,
    const http::header<IsRequest, http::basic_fields<std::allocator<char>>>& header) {
  for (const auto& field : header) {
    out.append(field.name_string().data(), field.name_string().size());
    out.append(": ");
    out.append(field.value().data(), field.value().size());
    out.append("\r\n");
  }
  out.append("\r\n");
}

std::string_view version_text(unsigned version) { return version == 10 ? "HTTP/1.0" : "HTTP/1.1"; }

}  // namespace

std::string wire_header(const ServerRequest& request) {
  std::string out;
  out.reserve(256);
  out.append(request.method_string().data(), request.method_string().size());
  out.push_back(' ');
  out.append(request.target().data(), request.target().size());
  out.push_back(' ');
  out.append(version_text(request.version()));
  out.append("\r\n");
  append_fields(out, request.base());
  return out;
}

std::string wire_header(const ServerResponse& response) {
  std::string out;
  out.reserve(256);
  out.append(version_text(response.version()));
  out.push_back(' ');
  out.append(std::to_string(response.result_int()));
  out.push_back(' ');
  const auto reason =
      response.reason().empty() ? http::obsolete_reason(response.result()) : response.reason();
  out.append(reason.data(), reason.size());
  out.append("\r\n");
  append_fields(out, response.base());
  return out;
}

struct HttpServer::State : std::enable_shared_from_this<HttpServer::State> {
  State(EventLoops& event_loops, HttpHandler request_handler, HttpLimits connection_limits,
        std::string server_name)
      : loops(event_loops),
        handler(std::move(request_handler)),
        limits(connection_limits),
        name(std::move(server_name)),
        acceptor_loop(loops.next_index()),
        acceptor(loops.loop(acceptor_loop)),
        retry_timer(loops.loop(acceptor_loop)) {}

  EventLoops& loops;
  HttpHandler handler;
  HttpLimits limits;
  std::string name;
  std::size_t acceptor_loop;
  tcp::acceptor acceptor;
  asio::steady_timer retry_timer;  // after an accept failure (out of descriptors)
  int port = -1;
  std::atomic<bool> running{false};
  std::atomic<bool> stopped{false};

  std::mutex mutex;  // guards connections
  std::unordered_map<std::uint64_t, std::weak_ptr<ServerConnection>> connections;
  std::uint64_t next_connection = 0;

  void accept();
};

// One client connection on one loop: read a request, hand it to the handler,
// write its response, again while the client keeps the connection alive.
class ServerConnection : public std::enable_shared_from_this<ServerConnection> {
 public:
  ServerConnection(LoopSocket socket, std::shared_ptr<HttpServer::State> server, std::size_t loop)
      : stream_(std::move(socket)), server_(std::move(server)) {
    set_close_on_exec(stream_.socket().native_handle());
    beast::error_code ignored;
    const auto remote = stream_.socket().remote_endpoint(ignored);
    client_.address = ignored ? "" : remote.address().to_string();
    client_.loop = loop;
    stream_.socket().set_option(tcp::no_delay(true), ignored);
  }

  ~ServerConnection() {
    const std::lock_guard lock(server_->mutex);
    server_->connections.erase(id_);
  }

  void start() {
    {
      const std::lock_guard lock(server_->mutex);
      id_ = server_->next_connection++;
      server_->connections.emplace(id_, weak_from_this());
    }
    if (server_->stopped) return close();
    read_request();
  }

  void respond(ServerResponse response) {
    if (closed_ || !awaiting_response_) return;
    awaiting_response_ = false;
    const bool keep_alive = keep_alive_ && !server_->stopped;
    response_ = std::move(response);
    response_.version(11);
    response_.keep_alive(keep_alive);
    if (head_request_) {
      // A proxied answer to HEAD already says the length of the body it
      // does not carry.
      if (!response_.body().empty() || !response_.has_content_length()) {
        const auto length = response_.body().size();
        response_.body().clear();
        response_.content_length(length);
      }
    } else {
      response_.prepare_payload();
    }
    write_response(keep_alive);
  }

  void respond_streaming(ServerResponse head, std::shared_ptr<BodySource> body) {
    if (closed_ || !awaiting_response_) return;
    awaiting_response_ = false;
    response_ = std::move(head);
    response_.body().clear();
    response_.version(11);
    chunked_ = false;
    bool keep_alive = keep_alive_ && !server_->stopped;
    if (!response_.has_content_length()) {
      if (request_version_ >= 11) {
        chunked_ = true;
        response_.set(http::field::transfer_encoding, "chunked");
      } else {
        keep_alive = false;  // the end of the body is the end of the connection
      }
    }
    response_.keep_alive(keep_alive);
    body_ = std::move(body);
    stream_.expires_after(server_->limits.write_timeout);
    wire_header_ = wire_header(response_);
    asio::async_write(
        stream_, asio::buffer(wire_header_),
        [self = shared_from_this(), keep_alive](beast::error_code error, std::size_t) {
          if (error || self->closed_) return self->close();
          self->stream_next_part(keep_alive);
        });
  }

  void stream_next_part(bool keep_alive) {
    body_->next(
        [self = shared_from_this(), keep_alive](std::string_view data, bool last, bool failed) {
          if (failed || self->closed_) {
            self->body_.reset();
            return self->close();
          }
          if (data.empty() && !last) return self->stream_next_part(keep_alive);
          self->write_part(data, last, keep_alive);
        });
  }

  void write_part(std::string_view data, bool last, bool keep_alive) {
    chunk_header_.clear();
    if (chunked_ && !data.empty()) chunk_header_ = fmt::format("{:x}\r\n", data.size());
    static const std::string kChunkEnd = "\r\n";
    static const std::string kLastChunk = "0\r\n\r\n";
    std::array<asio::const_buffer, 4> buffers{
        asio::buffer(chunk_header_), asio::buffer(data.data(), data.size()),
        asio::buffer(chunked_ && !data.empty() ? kChunkEnd : std::string_view()),
        asio::buffer(chunked_ && last ? kLastChunk : std::string_view())};
    stream_.expires_after(server_->limits.write_timeout);
    asio::async_write(
        stream_, buffers,
        [self = shared_from_this(), last, keep_alive](beast::error_code error, std::size_t) {
          if (error || self->closed_) {
            self->body_.reset();
            return self->close();
          }
          if (!last) return self->stream_next_part(keep_alive);
          self->body_.reset();
          if (!keep_alive) return self->close();
          self->read_request();
        });
  }

  void after(std::chrono::milliseconds delay, std::function<void()> work) {
    auto timer = std::make_shared<asio::steady_timer>(stream_.get_executor(), delay);
    timer->async_wait([timer, work = std::move(work)](beast::error_code) { work(); });
  }

  void close() {
    if (closed_) return;
    closed_ = true;
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.socket().close(ignored);
  }

  asio::io_context::executor_type executor() { return stream_.get_executor(); }

 private:
  void read_request() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(server_->limits.max_header_bytes));
    parser_->body_limit(server_->limits.max_body_bytes);
    stream_.expires_after(server_->limits.idle_timeout);
    read_until_header_end();
  }

  // The header's raw bytes are looked at before Beast parses them: Beast
  // turns obsolete line folding into spaces (RFC 9112 section 5.2 allows
  // that), but nginx and HAProxy refuse it, and a proxy that forwards what
  // they refuse is the smuggler's way in.
  void read_until_header_end() {
    const auto* data = static_cast<const char*>(buffer_.data().data());
    const std::string_view received(data, buffer_.size());
    // The empty line that ends a header, after CRLF or a bare LF.
    auto end = received.find("\n\r\n");
    end = std::min(end, received.find("\n\n"));
    if (end != std::string_view::npos) {
      if (has_obsolete_line_folding(received.substr(0, end + 1))) {
        return refuse(400, "obsolete line folding in a header field");
      }
      return parse_header();
    }
    // Too long, or not a header at all: Beast says which.
    if (received.size() > server_->limits.max_header_bytes) return parse_header();
    stream_.async_read_some(buffer_.prepare(4096), [self = shared_from_this()](
                                                       beast::error_code error, std::size_t got) {
      if (error) {
        if (self->buffer_.size() > 0 && error == asio::error::eof) {
          return self->parse_header();  // a partial request: Beast's words
        }
        return self->read_failed(
            error == asio::error::eof ? beast::error_code(http::error::end_of_stream) : error);
      }
      self->buffer_.commit(got);
      self->read_until_header_end();
    });
  }

  static bool has_obsolete_line_folding(std::string_view header) {
    for (auto at = header.find('\n'); at != std::string_view::npos && at + 1 < header.size();
         at = header.find('\n', at + 1)) {
      if (header[at + 1] == ' ' || header[at + 1] == '\t') return true;
    }
    return false;
  }

  void parse_header() {
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = shared_from_this()](beast::error_code error, std::size_t) {
                              self->header_read(error);
                            });
  }

  void header_read(beast::error_code error) {
    if (error) return read_failed(error);
    if (!framing_accepted()) return;
    if (parser_->is_done()) return dispatch();
    const auto& header = parser_->get();
    if (beast::iequals(header[http::field::expect], "100-continue")) {
      // curl waits a second for this before sending a body of more than 1 KiB.
      static const std::string kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      stream_.expires_after(server_->limits.write_timeout);
      asio::async_write(stream_, asio::buffer(kContinue),
                        [self = shared_from_this()](beast::error_code error, std::size_t) {
                          if (error) return self->close();
                          self->read_body();
                        });
      return;
    }
    read_body();
  }

  // RFC 9112 framing (net/request_framing.h), checked before a body is read:
  // a request whose end is uncertain is refused, not guessed at. An
  // absolute-form target becomes origin-form with its host.
  bool framing_accepted() {
    auto& header = parser_->get();
    RequestHead head;
    head.method = view(header.method_string());
    head.target = view(header.target());
    head.version = header.version();
    for (const auto& field : header) {
      if (field.name() == http::field::host) head.hosts.push_back(view(field.value()));
      if (field.name() == http::field::transfer_encoding) {
        head.transfer_encodings.push_back(view(field.value()));
      }
    }
    const auto verdict = check_request_framing(head);
    if (!verdict.accepted()) {
      refuse(verdict.status, verdict.reason);
      return false;
    }
    if (!verdict.origin_target.empty()) {
      header.target(verdict.origin_target);
      header.set(http::field::host, verdict.host);
    }
    return true;
  }

  void read_body() {
    body_started_ = std::chrono::steady_clock::now();
    body_received_ = 0;
    read_body_part();
  }

  // The body a part at a time, so that each part can move the deadline.
  void read_body_part() {
    const auto& limits = server_->limits;
    auto allowed = limits.body_timeout;
    if (limits.min_body_rate > 0) {
      allowed += std::chrono::milliseconds(body_received_ * 1000 / limits.min_body_rate);
      allowed = std::min(allowed, std::max(limits.max_body_time, limits.body_timeout));
    }
    stream_.expires_at(body_started_ + allowed);
    http::async_read_some(stream_, buffer_, *parser_,
                          [self = shared_from_this()](beast::error_code error, std::size_t bytes) {
                            // A timeout has closed the socket already.
                            if (error) return self->read_failed(error);
                            if (self->parser_->is_done()) return self->dispatch();
                            self->body_received_ += bytes;
                            self->read_body_part();
                          });
  }

  void read_failed(beast::error_code error) {
    if (closed_) return;
    if (error == http::error::header_limit) {
      return refuse(431, fmt::format("the request line and header exceed {} bytes",
                                     server_->limits.max_header_bytes));
    }
    if (error == http::error::body_limit) {
      return refuse(413, fmt::format("the body exceeds {} bytes", server_->limits.max_body_bytes));
    }
    if (error.category() == beast::error_code(http::error::end_of_stream).category() &&
        error != http::error::end_of_stream && error != http::error::partial_message) {
      return refuse(400, error.message());
    }
    close();  // the client left, timed out or the server is stopping
  }

  // A request that breaks a limit or the framing rules: answered, then the
  // connection is closed, since what follows it cannot be trusted.
  void refuse(int status, const std::string& why) {
    ServerResponse response;
    response.result(static_cast<unsigned>(status));
    response.set(http::field::content_type, "text/plain; charset=utf-8");
    response.body() = fmt::format("{} {}: {}\n", status, reason_phrase(status), why);
    keep_alive_ = false;
    head_request_ = false;
    awaiting_response_ = true;
    respond(std::move(response));
  }

  void dispatch() {
    auto request = parser_->release();
    keep_alive_ = request.keep_alive();
    head_request_ = request.method() == http::verb::head;
    request_version_ = request.version();
    awaiting_response_ = true;
    stream_.expires_never();
    try {
      server_->handler(std::move(request), client_, HttpResponder(shared_from_this()));
    } catch (const std::exception& error) {
      ServerResponse response;
      response.result(http::status::internal_server_error);
      response.set(http::field::content_type, "text/plain; charset=utf-8");
      response.body() = fmt::format("internal error: {}\n", error.what());
      respond(std::move(response));
    }
  }

  void write_response(bool keep_alive) {
    stream_.expires_after(server_->limits.write_timeout);
    wire_header_ = wire_header(response_);
    const std::array<asio::const_buffer, 2> buffers{asio::buffer(wire_header_),
                                                    asio::buffer(response_.body())};
    asio::async_write(
        stream_, buffers,
        [self = shared_from_this(), keep_alive](beast::error_code error, std::size_t) {
          if (error || !keep_alive || self->closed_) return self->close();
          self->read_request();
        });
  }

  LoopStream stream_;
  std::shared_ptr<HttpServer::State> server_;
  ClientInfo client_;
  std::uint64_t id_ = 0;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  ServerResponse response_;
  std::string wire_header_;  // response_'s header while it is being written
  bool keep_alive_ = true;
  bool head_request_ = false;
  unsigned request_version_ = 11;
  // A streamed response (respond_streaming): its source and framing.
  std::shared_ptr<BodySource> body_;
  bool chunked_ = false;
  std::string chunk_header_;
  bool awaiting_response_ = false;
  bool closed_ = false;
  std::chrono::steady_clock::time_point body_started_;
  std::uint64_t body_received_ = 0;
};

HttpResponder::HttpResponder(std::shared_ptr<ServerConnection> connection)
    : connection_(std::move(connection)) {}

void HttpResponder::operator()(ServerResponse response) const {
  asio::dispatch(connection_->executor(),
                 [connection = connection_, response = std::move(response)]() mutable {
                   connection->respond(std::move(response));
                 });
}

void HttpResponder::stream(ServerResponse head, std::shared_ptr<BodySource> body) const {
  asio::dispatch(connection_->executor(), [connection = connection_, head = std::move(head),
                                           body = std::move(body)]() mutable {
    connection->respond_streaming(std::move(head), std::move(body));
  });
}

void HttpResponder::after(std::chrono::milliseconds delay, std::function<void()> work) const {
  asio::dispatch(connection_->executor(),
                 [connection = connection_, delay, work = std::move(work)]() mutable {
                   connection->after(delay, std::move(work));
                 });
}

void HttpServer::State::accept() {
  const auto loop = loops.next_index();
  acceptor.async_accept(loops.loop(loop), [self = shared_from_this(), loop](beast::error_code error,
                                                                            LoopSocket socket) {
    if (error == asio::error::operation_aborted || !self->acceptor.is_open()) return;
    if (error) {
      // Out of descriptors, most likely: try again shortly rather than spin.
      self->retry_timer.expires_after(std::chrono::milliseconds(50));
      self->retry_timer.async_wait([self](beast::error_code waited) {
        if (!waited && self->acceptor.is_open()) self->accept();
      });
      return;
    }
    std::make_shared<ServerConnection>(std::move(socket), self, loop)->start();
    self->accept();
  });
}

HttpServer::HttpServer(EventLoops& loops, HttpHandler handler, HttpLimits limits, std::string name)
    : state_(std::make_shared<State>(loops, std::move(handler), limits, std::move(name))) {}

HttpServer::~HttpServer() { stop(); }

int HttpServer::bind(const std::string& host, int port) {
  beast::error_code error;
  const auto address = asio::ip::make_address(host, error);
  tcp::endpoint endpoint(address, static_cast<unsigned short>(port));
  auto& acceptor = state_->acceptor;
  if (!error) acceptor.open(endpoint.protocol(), error);
  if (!error) set_close_on_exec(acceptor.native_handle());
  if (!error) acceptor.set_option(asio::socket_base::reuse_address(true), error);
  if (!error) acceptor.bind(endpoint, error);
  if (!error) acceptor.listen(asio::socket_base::max_listen_connections, error);
  if (error) {
    beast::error_code ignored;
    acceptor.close(ignored);
    throw EnvironmentError(
        fmt::format("{}: cannot listen on {}:{}: {}", state_->name, host, port,
                    error == asio::error::address_in_use ? "the port is busy" : error.message()));
  }
  state_->port = acceptor.local_endpoint().port();
  return state_->port;
}

void HttpServer::start() {
  auto state = state_;
  if (state->stopped) return;
  state->loops.run_on(state->acceptor_loop, [state] { state->accept(); });
  state->running = true;
}

void HttpServer::stop() {
  auto state = state_;
  if (state->stopped.exchange(true)) return;
  state->running = false;
  state->loops.run_on(state->acceptor_loop, [state] {
    beast::error_code ignored;
    state->acceptor.close(ignored);
    state->retry_timer.cancel();
  });
  std::vector<std::shared_ptr<ServerConnection>> open;
  {
    const std::lock_guard lock(state->mutex);
    for (const auto& [id, connection] : state->connections) {
      if (auto alive = connection.lock()) open.push_back(std::move(alive));
    }
  }
  for (auto& connection : open) {
    // Closed on its own loop, which alone touches its socket.
    std::promise<void> closed;
    asio::dispatch(connection->executor(), [&] {
      connection->close();
      closed.set_value();
    });
    closed.get_future().wait();
  }
}

int HttpServer::port() const { return state_->port; }

bool HttpServer::serving() const { return state_->running.load(); }

}  // namespace sessim
