// The https module (see https_module.h): cpp-httplib's client behind
// sessim's limits. Depends on nothing of sessim's but the header.
#include "net/https_module.h"

#include <httplib.h>

#include <atomic>
#include <charconv>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace sessim::https {
namespace {

Failure failure_of(httplib::Error error) {
  switch (error) {
    case httplib::Error::Connection:
      return Failure::connection_refused;
    case httplib::Error::ConnectionTimeout:
      return Failure::connect_timeout;
    case httplib::Error::Read:
      return Failure::closed_before_response;
    case httplib::Error::Write:
      return Failure::closed_while_sending;
    case httplib::Error::BindIPAddress:
      return Failure::cannot_bind;
    case httplib::Error::SSLConnection:
      return Failure::handshake_failed;
    case httplib::Error::SSLServerVerification:
      return Failure::certificate_rejected;
    default:
      return Failure::other;
  }
}

bool longer_than(const std::string& content_length, std::uint64_t limit) {
  std::uint64_t length = 0;
  const auto* end = content_length.data() + content_length.size();
  const auto [rest, error] = std::from_chars(content_length.data(), end, length);
  return error == std::errc() && rest == end && length > limit;
}

std::string origin(const ConnectionOptions& options) {
  const bool ipv6 = options.host.find(':') != std::string::npos;
  return "https://" + (ipv6 ? "[" + options.host + "]" : options.host) + ":" +
         std::to_string(options.port);
}

// The body is taken through a receiver that stops at the cap, and a
// watchdog shuts the socket down at the deadline (the library's own
// timeouts are per read). Header bytes are bounded by that deadline only.
class TlsConnection final : public Connection {
 public:
  explicit TlsConnection(const ConnectionOptions& options)
      : client_(origin(options)), limits_(options.limits) {
    client_.set_tcp_nodelay(true);
    client_.set_keep_alive(options.keep_alive);
    const auto connect_ms = limits_.connect_timeout.count();
    client_.set_connection_timeout(connect_ms / 1000, (connect_ms % 1000) * 1000);
    client_.set_read_timeout(limits_.request_timeout);
    client_.set_write_timeout(limits_.request_timeout);
    client_.set_url_encode(false);
    client_.set_decompress(false);
    client_.enable_server_certificate_verification(options.verify_tls);
  }

  void send_from(const std::string& address) override { client_.set_interface(address); }

  Outcome send(const HttpClientRequest& request) override {
    Outcome outcome;
    auto& response = outcome.response;
    httplib::Request message;
    message.method = request.method;
    message.path = request.target;
    message.body = request.body;
    for (const auto& [name, value] : request.headers) message.headers.emplace(name, value);
    bool too_large = false;
    message.response_handler = [&](const httplib::Response& head) {
      if (longer_than(head.get_header_value("Content-Length"), limits_.max_response_bytes)) {
        too_large = true;
        return false;
      }
      return true;
    };
    message.content_receiver = [&](const char* data, std::size_t size, std::uint64_t,
                                   std::uint64_t) {
      if (response.body.size() + size > limits_.max_response_bytes) {
        too_large = true;
        return false;
      }
      response.body.append(data, size);
      return true;
    };
    std::mutex mutex;
    std::condition_variable done_changed;
    bool done = false;
    std::atomic<bool> timed_out{false};
    std::thread watchdog([&] {
      std::unique_lock lock(mutex);
      if (done_changed.wait_for(lock, limits_.request_timeout, [&] { return done; })) return;
      timed_out = true;
      // Again until the request returns: a stop() while it is still
      // connecting has no socket to shut down yet.
      while (!done_changed.wait_for(lock, std::chrono::milliseconds(50), [&] { return done; })) {
        client_.stop();
      }
    });
    auto result = client_.send(message);
    {
      const std::lock_guard lock(mutex);
      done = true;
    }
    done_changed.notify_all();
    watchdog.join();
    if (too_large || timed_out || !result) {
      response = {};
      outcome.failure = too_large   ? Failure::body_too_large
                        : timed_out ? Failure::timed_out
                                    : failure_of(result.error());
      if (outcome.failure == Failure::other) outcome.detail = httplib::to_string(result.error());
      return outcome;
    }
    response.status = result->status;
    for (const auto& [key, value] : result->headers) {
      // cpp-httplib injects these pseudo-headers; they were never on the wire.
      if (key == "REMOTE_ADDR" || key == "REMOTE_PORT" || key == "LOCAL_ADDR" ||
          key == "LOCAL_PORT") {
        continue;
      }
      response.headers.emplace_back(key, value);
    }
    return outcome;
  }

 private:
  httplib::Client client_;
  HttpClientLimits limits_;
};

}  // namespace
}  // namespace sessim::https

extern "C" {
int sessim_https_interface_version() { return sessim::https::kInterfaceVersion; }

sessim::https::Connection* sessim_https_open(const sessim::https::ConnectionOptions& options) {
  try {
    return new sessim::https::TlsConnection(options);
  } catch (...) {
    return nullptr;
  }
}
}
