#include "net/http_connection.h"

// clang-format off
#include <utility>  // Boost 1.74's Asio uses std::exchange without including it
// clang-format on

#include <fmt/format.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <optional>
#include <sstream>

#include "net/beast_text.h"
#include "net/loopback.h"
#include "net/transport_failure.h"

namespace sessim {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Steady = std::chrono::steady_clock;

// One socket, one deadline timer that closes it, and each request as a
// chain of asynchronous steps: connect (when closed), write, read the
// header (past interim answers), read the body.
class BeastConnection final : public HttpConnection {
 public:
  BeastConnection(asio::io_context& loop, std::string host, int port, HttpClientLimits limits,
                  bool keep_alive)
      : host_(std::move(host)),
        port_(port),
        limits_(limits),
        keep_alive_(keep_alive),
        socket_(loop),
        timer_(loop) {}

  void send_from(const std::string& local_address) override {
    source_address_ = local_address;
    close();
  }

  void send(HttpClientRequest request, Done done) override {
    request_ = std::move(request);
    done_ = std::move(done);
    deadline_ = Steady::now() + limits_.request_timeout;
    retried_ = false;
    begin();
  }

  void close() override {
    beast::error_code ignored;
    socket_.close(ignored);
    buffer_.clear();
  }

 private:
  std::shared_ptr<BeastConnection> self() {
    return std::static_pointer_cast<BeastConnection>(shared_from_this());
  }

  // One attempt at the request: on a kept-alive connection, or a new one.
  void begin() {
    reused_ = socket_.is_open();
    if (reused_) return write();
    buffer_.clear();
    connect();
  }

  // The deadline closes the socket, which fails whatever waits on it; each
  // arming has its own number, so that a late expiry of an earlier one
  // closes nothing.
  void arm(Steady::time_point until) {
    timed_out_ = false;
    const auto armed = ++armed_;
    timer_.expires_at(until);
    timer_.async_wait([self = self(), armed](beast::error_code error) {
      if (error || armed != self->armed_) return;
      self->timed_out_ = true;
      beast::error_code ignored;
      self->socket_.close(ignored);
    });
  }

  void disarm() {
    ++armed_;
    timer_.cancel();
  }

  void connect() {
    beast::error_code error;
    tcp::endpoint endpoint;
    const auto address = asio::ip::make_address(host_, error);
    if (!error) {
      endpoint = tcp::endpoint(address, static_cast<unsigned short>(port_));
    } else {
      tcp::resolver resolver(socket_.get_executor());
      const auto found = resolver.resolve(host_, std::to_string(port_), error);
      if (error || found.empty()) return fail(fmt::format("cannot resolve {}", host_));
      endpoint = *found.begin();
    }
    socket_.open(endpoint.protocol(), error);
    if (error) return fail(connect_failure(error));
    set_close_on_exec(socket_.native_handle());
    if (!source_address_.empty()) {
      socket_.bind(tcp::endpoint(asio::ip::make_address(source_address_, error), 0), error);
      if (error) return fail("cannot send from the client's address");
    }
    arm(std::min(deadline_, Steady::now() + limits_.connect_timeout));
    socket_.async_connect(endpoint, [self = self()](beast::error_code result) {
      if (result || self->timed_out_) {
        self->disarm();
        return self->fail(self->timed_out_ || result == asio::error::timed_out
                              ? no_connection_within(self->limits_.connect_timeout)
                              : connect_failure(result));
      }
      beast::error_code ignored;
      self->socket_.set_option(tcp::no_delay(true), ignored);
      self->write();
    });
  }

  void write() {
    message_ = {};
    message_.method_string(request_.method);
    message_.target(request_.target);
    message_.version(11);
    message_.set(http::field::host, host_.find(':') == std::string::npos
                                        ? fmt::format("{}:{}", host_, port_)
                                        : fmt::format("[{}]:{}", host_, port_));
    for (const auto& [name, value] : request_.headers) message_.insert(name, value);
    message_.body() = request_.body;
    message_.keep_alive(keep_alive_);
    message_.prepare_payload();
    arm(deadline_);
    if (request_.last_byte) return write_holding_last_byte();
    http::async_write(socket_, message_, [self = self()](beast::error_code error, std::size_t) {
      if (error) return self->write_failed();
      self->read_header();
    });
  }

  // The request but its last byte, then the hold, which sends the last
  // byte or leaves it to this client: a server cannot start on a request
  // before it has all of it.
  void write_holding_last_byte() {
    std::ostringstream serialized;
    serialized << message_;
    held_ = serialized.str();
    asio::async_write(
        socket_, asio::buffer(held_.data(), held_.size() - 1),
        [self = self()](beast::error_code error, std::size_t) {
          if (error) return self->write_failed();
          if (self->request_.last_byte.release(self->socket_.native_handle(), self->held_.back())) {
            return self->read_header();
          }
          asio::async_write(self->socket_, asio::buffer(&self->held_.back(), 1),
                            [self](beast::error_code last, std::size_t) {
                              if (last) return self->write_failed();
                              self->read_header();
                            });
        });
  }

  void write_failed() {
    // On a reused connection the server may have closed it while idle: the
    // request never reached it.
    const bool stale = reused_ && !timed_out_;
    fail_attempt(timed_out_ ? timed_out_waiting_for_response(limits_.request_timeout)
                            : std::string(kClosedWhileSending),
                 stale);
  }

  void read_header() {
    interim_ = 0;
    read_next_header();
  }

  void read_next_header() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(kMaxClientResponseHeaderBytes));
    parser_->body_limit(limits_.max_response_bytes);
    parser_->skip(request_.method == "HEAD");
    http::async_read_header(
        socket_, buffer_, *parser_, [self = self()](beast::error_code error, std::size_t) {
          self->header_read(error);
        });
  }

  void header_read(beast::error_code error) {
    if (error) {
      const bool stale =
          reused_ && !timed_out_ && interim_ == 0 && buffer_.size() == 0 &&
          (error == http::error::end_of_stream || error == asio::error::connection_reset);
      return fail_attempt(read_error(error), stale);
    }
    const auto status = parser_->get().result_int();
    if (status >= 100 && status < 200 && status != 101) {
      if (interim_++ >= kMaxInterimResponses) {
        return fail_attempt(fmt::format("more than {} interim (1xx) responses and no answer",
                                        kMaxInterimResponses),
                            false);
      }
      return read_next_header();
    }
    if (status == 101) return fail_attempt("the server switched protocols (101) unasked", false);
    // Checked from the header: Beast's own check of a large Content-Length
    // does not always stop the read.
    const auto length = parser_->content_length();
    if (length && *length > limits_.max_response_bytes) {
      return fail_attempt(response_body_over(limits_.max_response_bytes), false);
    }
    if (parser_->is_done()) return answered();
    http::async_read(socket_, buffer_, *parser_,
                     [self = self()](beast::error_code result, std::size_t) {
                       if (result) return self->fail_attempt(self->read_error(result), false);
                       self->answered();
                     });
  }

  std::string read_error(beast::error_code error) const {
    if (timed_out_) return timed_out_waiting_for_response(limits_.request_timeout);
    if (error == http::error::header_limit) {
      return response_header_over(kMaxClientResponseHeaderBytes);
    }
    if (error == http::error::body_limit) return response_body_over(limits_.max_response_bytes);
    if (error.category() == beast::error_code(http::error::end_of_stream).category() &&
        error != http::error::end_of_stream && error != http::error::partial_message) {
      return fmt::format("the response is not valid HTTP ({})", error.message());
    }
    return std::string(kClosedBeforeResponse);
  }

  void answered() {
    disarm();
    const bool ended_by_close = parser_->need_eof();
    auto answer = parser_->release();
    parser_.reset();
    HttpClientResponse response;
    response.status = static_cast<int>(answer.result_int());
    response.headers.reserve(static_cast<std::size_t>(std::distance(answer.begin(), answer.end())));
    for (const auto& field : answer) {
      response.headers.emplace_back(std::string(view(field.name_string())),
                                    std::string(view(field.value())));
    }
    response.body = std::move(answer.body());
    if (!keep_alive_ || !answer.keep_alive() || ended_by_close) close();
    finish(std::move(response));
  }

  // This attempt failed: a stale kept-alive connection is reopened once and
  // the request sent again; anything else ends the request.
  void fail_attempt(std::string error, bool stale) {
    disarm();
    close();
    if (stale && !retried_) {
      retried_ = true;
      return begin();
    }
    fail(std::move(error));
  }

  void fail(std::string error) {
    close();
    HttpClientResponse response;
    response.error = std::move(error);
    finish(std::move(response));
  }

  void finish(HttpClientResponse response) {
    auto done = std::move(done_);
    done_ = nullptr;
    if (done) done(std::move(response));
  }

  std::string host_;
  int port_;
  HttpClientLimits limits_;
  bool keep_alive_;
  std::string source_address_;
  tcp::socket socket_;
  asio::steady_timer timer_;
  std::uint64_t armed_ = 0;
  bool timed_out_ = false;
  beast::flat_buffer buffer_;
  HttpClientRequest request_;
  Done done_;
  Steady::time_point deadline_;
  bool reused_ = false;
  bool retried_ = false;
  int interim_ = 0;
  http::request<http::string_body> message_;
  std::string held_;  // the serialized request whose last byte waits
  std::optional<http::response_parser<http::string_body>> parser_;
};

}  // namespace

std::shared_ptr<HttpConnection> HttpConnection::open(boost::asio::io_context& loop,
                                                     std::string host, int port,
                                                     HttpClientLimits limits, bool keep_alive) {
  return std::make_shared<BeastConnection>(loop, std::move(host), port, limits, keep_alive);
}

}  // namespace sessim
