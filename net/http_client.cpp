#include "net/http_client.h"

// clang-format off
#include <utility>  // Boost 1.74's Asio uses std::exchange without including it
// clang-format on

#include <dlfcn.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <boost/asio.hpp>
#include <filesystem>
#include <optional>

#include "common/text.h"
#include "net/http_connection.h"
#include "net/https_module.h"
#include "net/loopback.h"
#include "net/transport_failure.h"

namespace sessim {
namespace {

namespace asio = boost::asio;

std::string body_limit_error(const HttpClientLimits& limits) {
  return response_body_over(limits.max_response_bytes);
}

std::string timeout_error(const HttpClientLimits& limits) {
  return timed_out_waiting_for_response(limits.request_timeout);
}

// Plain HTTP: the one asynchronous connection (net/http_connection.h) on a
// loop of its own, run until the request's answer or failure.
class PlainConnection {
 public:
  PlainConnection(std::string host, int port, HttpClientLimits limits, bool keep_alive)
      : connection_(HttpConnection::open(loop_, std::move(host), port, limits, keep_alive)) {}
  ~PlainConnection() {
    connection_->close();
    drain();
  }
  PlainConnection(const PlainConnection&) = delete;
  PlainConnection& operator=(const PlainConnection&) = delete;

  void send_from(const std::string& address) { connection_->send_from(address); }

  HttpClientResponse send(const HttpClientRequest& request) {
    std::optional<HttpClientResponse> answer;
    connection_->send(request, [&answer](HttpClientResponse response) {
      answer = std::move(response);
    });
    loop_.restart();
    while (!answer && loop_.run_one() > 0) {
    }
    drain();
    if (!answer) {
      HttpClientResponse lost;
      lost.error = std::string(kClosedBeforeResponse);
      return lost;
    }
    return std::move(*answer);
  }

 private:
  // Runs what the answer left behind (the cancelled deadline's handler), so
  // that nothing waits in the loop between requests.
  void drain() {
    loop_.restart();
    loop_.poll();
  }

  asio::io_context loop_{1};
  std::shared_ptr<HttpConnection> connection_;
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
