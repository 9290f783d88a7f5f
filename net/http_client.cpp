#include "net/http_client.h"

// clang-format off
#include <utility>  // Boost 1.74's Asio uses std::exchange without including it
// clang-format on

#include <dlfcn.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <filesystem>
#include <optional>
#include <sstream>

#include "common/text.h"
#include "net/beast_text.h"
#include "net/https_module.h"
#include "net/loopback.h"
#include "net/transport_failure.h"

namespace sessim {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Steady = std::chrono::steady_clock;

std::string body_limit_error(const HttpClientLimits& limits) {
  return fmt::format("the response body exceeds {} bytes (--max-response-size)",
                     limits.max_response_bytes);
}

std::string timeout_error(const HttpClientLimits& limits) {
  return timed_out_waiting_for_response(limits.request_timeout);
}

// Plain HTTP on Beast: one socket, a deadline timer that closes it, and the
// asynchronous operations run to completion on a private io_context, so
// that every wait ends at the request's deadline.
class PlainConnection {
 public:
  PlainConnection(std::string host, int port, HttpClientLimits limits, bool keep_alive)
      : host_(std::move(host)), port_(port), limits_(limits), keep_alive_(keep_alive) {}

  void send_from(const std::string& address) {
    source_address_ = address;
    close();
  }

  HttpClientResponse send(const HttpClientRequest& request) {
    deadline_ = Steady::now() + limits_.request_timeout;
    const bool reused = socket_.is_open();
    auto attempt = exchange(request);
    // A kept-alive connection the server closed while it was idle: the
    // request never reached it, so it goes again on a fresh connection.
    if (reused && attempt.stale) {
      close();
      attempt = exchange(request);
    }
    if (attempt.response.status == 0) close();
    return std::move(attempt.response);
  }

 private:
  struct Attempt {
    HttpClientResponse response;
    bool stale = false;  // failed before any byte of an answer on a reused connection
  };

  // Runs the operation started by `start` until its handler has run or the
  // deadline closed the socket; `finished` is set by that handler.
  void run_until(bool& finished) {
    timed_out_ = false;
    timer_.expires_at(deadline_);
    timer_.async_wait([this](beast::error_code error) {
      if (error) return;
      timed_out_ = true;
      beast::error_code ignored;
      socket_.close(ignored);
    });
    io_.restart();
    while (!finished && io_.run_one() > 0) {
    }
    timer_.cancel();
    io_.restart();
    io_.poll();
  }

  std::string connect_error(beast::error_code error) const {
    if (timed_out_ || error == asio::error::timed_out) {
      return no_connection_within(limits_.connect_timeout);
    }
    return connect_failure(error);
  }

  std::optional<std::string> connect() {
    beast::error_code error;
    tcp::endpoint endpoint;
    const auto address = asio::ip::make_address(host_, error);
    if (!error) {
      endpoint = tcp::endpoint(address, static_cast<unsigned short>(port_));
    } else {
      tcp::resolver resolver(io_);
      const auto found = resolver.resolve(host_, std::to_string(port_), error);
      if (error || found.empty()) return fmt::format("cannot resolve {}", host_);
      endpoint = *found.begin();
    }
    socket_.open(endpoint.protocol(), error);
    if (error) return connect_error(error);
    set_close_on_exec(socket_.native_handle());
    if (!source_address_.empty()) {
      socket_.bind(tcp::endpoint(asio::ip::make_address(source_address_, error), 0), error);
      if (error) return "cannot send from the client's address";
    }
    const auto overall = deadline_;
    deadline_ = std::min(deadline_, Steady::now() + limits_.connect_timeout);
    bool finished = false;
    beast::error_code connected;
    socket_.async_connect(endpoint, [&](beast::error_code result) {
      connected = result;
      finished = true;
    });
    run_until(finished);
    deadline_ = overall;
    if (connected || timed_out_) return connect_error(connected);
    socket_.set_option(tcp::no_delay(true), error);
    return std::nullopt;
  }

  Attempt exchange(const HttpClientRequest& request) {
    Attempt attempt;
    auto& response = attempt.response;
    const bool reused = socket_.is_open();
    if (!reused) {
      buffer_.clear();
      if (auto error = connect()) {
        response.error = *error;
        return attempt;
      }
    }
    http::request<http::string_body> message;
    message.method_string(request.method);
    message.target(request.target);
    message.version(11);
    message.set(http::field::host, host_.find(':') == std::string::npos
                                       ? fmt::format("{}:{}", host_, port_)
                                       : fmt::format("[{}]:{}", host_, port_));
    for (const auto& [name, value] : request.headers) message.insert(name, value);
    message.body() = request.body;
    message.keep_alive(keep_alive_);
    message.prepare_payload();

    bool finished = false;
    beast::error_code error;
    if (request.last_byte) {
      error = write_holding_last_byte(message, request.last_byte);
    } else {
      http::async_write(socket_, message, [&](beast::error_code result, std::size_t) {
        error = result;
        finished = true;
      });
      run_until(finished);
    }
    if (error) {
      attempt.stale = reused && !timed_out_;
      response.error = timed_out_ ? timeout_error(limits_) : std::string(kClosedWhileSending);
      return attempt;
    }

    std::optional<http::response_parser<http::string_body>> parser;
    for (int interim = 0;; ++interim) {
      parser.emplace();
      parser->header_limit(static_cast<std::uint32_t>(kMaxClientResponseHeaderBytes));
      parser->body_limit(limits_.max_response_bytes);
      parser->skip(request.method == "HEAD");
      finished = false;
      http::async_read_header(socket_, buffer_, *parser,
                              [&](beast::error_code result, std::size_t) {
                                error = result;
                                finished = true;
                              });
      run_until(finished);
      if (error) {
        attempt.stale =
            reused && !timed_out_ && interim == 0 && buffer_.size() == 0 &&
            (error == http::error::end_of_stream || error == asio::error::connection_reset);
        response.error = read_error(error);
        return attempt;
      }
      const auto status = parser->get().result_int();
      if (status < 100 || status >= 200 || status == 101) break;
      if (interim >= kMaxInterimResponses) {
        response.error =
            fmt::format("more than {} interim (1xx) responses and no answer", kMaxInterimResponses);
        return attempt;
      }
    }
    if (parser->get().result_int() == 101) {
      response.error = "the server switched protocols (101) unasked";
      return attempt;
    }
    // Checked from the header: Beast's own check of a large Content-Length
    // does not always stop the read.
    const auto length = parser->content_length();
    if (length && *length > limits_.max_response_bytes) {
      response.error = body_limit_error(limits_);
      return attempt;
    }
    if (!parser->is_done()) {
      finished = false;
      http::async_read(socket_, buffer_, *parser, [&](beast::error_code result, std::size_t) {
        error = result;
        finished = true;
      });
      run_until(finished);
      if (error) {
        response.error = read_error(error);
        return attempt;
      }
    }
    const bool ended_by_close = parser->need_eof();
    auto answer = parser->release();
    response.status = static_cast<int>(answer.result_int());
    for (const auto& field : answer) {
      response.headers.emplace_back(std::string(view(field.name_string())),
                                    std::string(view(field.value())));
    }
    response.body = std::move(answer.body());
    if (!keep_alive_ || !answer.keep_alive() || ended_by_close) close();
    return attempt;
  }

  // The request but its last byte, then the hold, which sends the last
  // byte or leaves it to this client: a server cannot start on a request
  // before it has all of it.
  beast::error_code write_holding_last_byte(const http::request<http::string_body>& message,
                                            const LastByteHold& hold) {
    std::ostringstream serialized;
    serialized << message;
    const auto text = serialized.str();
    beast::error_code error;
    const auto write = [&](const char* data, std::size_t size) {
      bool finished = false;
      asio::async_write(socket_, asio::buffer(data, size),
                        [&](beast::error_code result, std::size_t) {
                          error = result;
                          finished = true;
                        });
      run_until(finished);
    };
    write(text.data(), text.size() - 1);
    if (error) return error;
    if (!hold.release(socket_.native_handle(), text.back())) write(&text.back(), 1);
    return error;
  }

  std::string read_error(beast::error_code error) const {
    if (timed_out_) return timeout_error(limits_);
    if (error == http::error::header_limit) {
      return fmt::format("the response header exceeds {} KiB",
                         kMaxClientResponseHeaderBytes / 1024);
    }
    if (error == http::error::body_limit) return body_limit_error(limits_);
    if (error.category() == beast::error_code(http::error::end_of_stream).category() &&
        error != http::error::end_of_stream && error != http::error::partial_message) {
      return fmt::format("the response is not valid HTTP ({})", error.message());
    }
    return std::string(kClosedBeforeResponse);
  }

  void close() {
    beast::error_code ignored;
    socket_.close(ignored);
    buffer_.clear();
  }

  std::string host_;
  int port_;
  HttpClientLimits limits_;
  bool keep_alive_;
  std::string source_address_;
  asio::io_context io_{1};
  tcp::socket socket_{io_};
  asio::steady_timer timer_{io_};
  beast::flat_buffer buffer_;
  Steady::time_point deadline_;
  bool timed_out_ = false;
};

// The https module, loaded on first use (https_module.h says why): next to
// the executable, where `make install` puts it, or in the build tree (for
// the test programs, which live elsewhere).
class HttpsModule {
 public:
  static const HttpsModule& get() {
    static const HttpsModule module;
    return module;
  }

  // Null with `problem()` saying why, when the module cannot be used.
  https::Connection* open(const https::ConnectionOptions& options) const {
    return open_ ? open_(options) : nullptr;
  }
  const std::string& problem() const { return problem_; }

 private:
  HttpsModule() {
    std::vector<std::string> tried;
    for (const auto& path : candidates()) {
      std::error_code missing;
      if (!std::filesystem::exists(path, missing)) {
        tried.push_back(path.string());
        continue;
      }
      void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
      if (!handle) {
        problem_ = fmt::format("https is unavailable: {}", ::dlerror());
        return;
      }
      const auto version = reinterpret_cast<int (*)()>(
          ::dlsym(handle, "sessim_https_interface_version"));
      open_ = reinterpret_cast<OpenFunction>(::dlsym(handle, "sessim_https_open"));
      if (!version || !open_ || version() != https::kInterfaceVersion) {
        open_ = nullptr;
        problem_ = fmt::format("https is unavailable: {} is from another build of sessim",
                               path.string());
      }
      return;  // never unloaded: connections made by it may live until exit
    }
    problem_ = fmt::format("https is unavailable: sessim's https module is missing (looked for {})",
                           fmt::join(tried, ", "));
  }

  static std::vector<std::filesystem::path> candidates() {
    std::vector<std::filesystem::path> paths;
    std::error_code error;
    const auto executable = std::filesystem::read_symlink("/proc/self/exe", error);
    if (!error) {
      // Beside the binary (the build tree), or where `cmake --install` puts
      // it relative to bin/, whatever the prefix.
      paths.push_back(executable.parent_path() / SESSIM_HTTPS_MODULE_NAME);
      paths.push_back((executable.parent_path() / SESSIM_HTTPS_MODULE_INSTALLED).lexically_normal());
    }
    paths.emplace_back(SESSIM_HTTPS_MODULE_BUILT);
    return paths;
  }

  using OpenFunction = https::Connection* (*)(const https::ConnectionOptions&);
  OpenFunction open_ = nullptr;
  std::string problem_;
};

// Why an https exchange got no response, in the words of the person
// reading the report, and in the same words as a plain one.
std::string https_failure(const https::Outcome& outcome, const HttpClientLimits& limits) {
  using https::Failure;
  switch (outcome.failure) {
    case Failure::none:
      return {};
    case Failure::connection_refused:
      return std::string(kConnectionRefused);
    case Failure::connect_timeout:
      return no_connection_within(limits.connect_timeout);
    case Failure::closed_before_response:
      return std::string(kClosedBeforeResponse);
    case Failure::closed_while_sending:
      return std::string(kClosedWhileSending);
    case Failure::cannot_bind:
      return "cannot send from the client's address";
    case Failure::handshake_failed:
      return "TLS handshake failed";
    case Failure::certificate_rejected:
      return "the server's TLS certificate was rejected";
    case Failure::timed_out:
      return timeout_error(limits);
    case Failure::body_too_large:
      return body_limit_error(limits);
    case Failure::other:
      break;
  }
  return fmt::format("failed ({})", outcome.detail);
}

class TlsConnection {
 public:
  TlsConnection(std::string host, int port, bool verify_tls, HttpClientLimits limits,
                bool keep_alive)
      : limits_(limits),
        connection_(HttpsModule::get().open(
            https::ConnectionOptions{std::move(host), port, verify_tls, limits, keep_alive})) {}

  void send_from(const std::string& address) {
    if (connection_) connection_->send_from(address);
  }

  HttpClientResponse send(const HttpClientRequest& request) {
    if (!connection_) {
      HttpClientResponse response;
      response.error = HttpsModule::get().problem();
      if (response.error.empty()) response.error = "https is unavailable: out of memory";
      return response;
    }
    auto outcome = connection_->send(request);
    outcome.response.error = https_failure(outcome, limits_);
    return std::move(outcome.response);
  }

 private:
  HttpClientLimits limits_;
  std::unique_ptr<https::Connection> connection_;
};

}  // namespace

struct HttpClient::Impl {
  std::optional<PlainConnection> plain;
  std::optional<TlsConnection> tls;
};

HttpClient::HttpClient(std::string scheme, std::string host, int port, bool verify_tls,
                       HttpClientLimits limits, bool keep_alive)
    : impl_(std::make_unique<Impl>()) {
  if (scheme == "https") {
    impl_->tls.emplace(host, port, verify_tls, limits, keep_alive);
  } else {
    impl_->plain.emplace(std::move(host), port, limits, keep_alive);
  }
}

HttpClient::~HttpClient() = default;
HttpClient::HttpClient(HttpClient&&) noexcept = default;
HttpClient& HttpClient::operator=(HttpClient&&) noexcept = default;

void HttpClient::send_from(const std::string& local_address) {
  if (impl_->plain) return impl_->plain->send_from(local_address);
  impl_->tls->send_from(local_address);
}

HttpClientResponse HttpClient::send(const HttpClientRequest& request) {
  if (impl_->plain) return impl_->plain->send(request);
  if (request.last_byte) request.last_byte.release(-1, 0);
  return impl_->tls->send(request);
}

bool http_get_succeeds(const std::string& host, int port, const std::string& path) {
  HttpClientLimits limits;
  limits.connect_timeout = std::chrono::seconds(1);
  limits.request_timeout = std::chrono::seconds(1);
  limits.max_response_bytes = 64 * 1024;
  HttpClient client("http", host, port, true, limits, false);
  HttpClientRequest request;
  request.target = path;
  const auto response = client.send(request);
  return response.status >= 200 && response.status < 300;
}

}  // namespace sessim
