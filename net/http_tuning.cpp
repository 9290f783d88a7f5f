#include "net/http_tuning.h"

#include <fmt/format.h>
#include <httplib.h>

#include <chrono>
#include <thread>

#include "common/errors.h"
#include "common/text.h"

namespace sessim {

ServerTuning balancer_server_tuning() {
  ServerTuning tuning;
  tuning.worker_threads = 64;
  return tuning;
}

void tune_server(httplib::Server& server, const ServerTuning& tuning) {
  // cpp-httplib sets SO_REUSEPORT by default, which lets a second server bind
  // a port that is already in use and silently share its traffic. Only
  // SO_REUSEADDR (restart without waiting out TIME_WAIT) is wanted.
  server.set_socket_options([](int socket) {
    const int on = 1;
    ::setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
  });
  server.set_tcp_nodelay(true);
  server.set_keep_alive_max_count(tuning.keep_alive_max_requests);
  server.set_keep_alive_timeout(tuning.keep_alive_timeout_s);
  server.set_read_timeout(tuning.read_timeout_s, 0);
  server.set_write_timeout(tuning.write_timeout_s, 0);
  server.set_payload_max_length(tuning.max_body_bytes);
  const std::size_t threads = tuning.worker_threads;
  server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
}

int bind_server(httplib::Server& server, const std::string& host, int port,
                const std::string& owner) {
  int bound = -1;
  if (port == 0) {
    bound = server.bind_to_any_port(host);
  } else if (server.bind_to_port(host, port)) {
    bound = port;
  }
  if (bound <= 0) {
    throw EnvironmentError(
        fmt::format("{}: cannot listen on {}:{} (port busy or not permitted)", owner, host, port));
  }
  return bound;
}

void wait_until_serving(const httplib::Server& server, const std::string& owner) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!server.is_running()) {
    if (std::chrono::steady_clock::now() > deadline) {
      throw EnvironmentError(fmt::format("{}: the server did not start within 10 s", owner));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

std::string describe_http_failure(httplib::Error error, double elapsed_ms,
                                  const ClientTuning& tuning) {
  switch (error) {
    case httplib::Error::Connection:
      return "connection refused";
    case httplib::Error::ConnectionTimeout:
      return fmt::format("no connection within {} s", tuning.connect_timeout_s);
    case httplib::Error::Read:
      // A timeout ends the wait at read_timeout; anything earlier is the
      // server closing the connection.
      if (elapsed_ms + 50 >= static_cast<double>(tuning.read_timeout.count())) {
        return fmt::format("timed out after {} waiting for the response",
                           seconds_text(tuning.read_timeout));
      }
      return "connection closed before the response";
    case httplib::Error::Write:
      return "connection closed while the request was being sent";
    case httplib::Error::BindIPAddress:
      return "cannot send from the client's address";
    case httplib::Error::Canceled:
      return "cancelled";
    case httplib::Error::SSLConnection:
      return "TLS handshake failed";
    case httplib::Error::SSLServerVerification:
      return "the server's TLS certificate was rejected";
    default:
      return fmt::format("failed ({})", httplib::to_string(error));
  }
}

bool http_get_succeeds(const std::string& host, int port, const std::string& path) {
  httplib::Client client(host, port);
  ClientTuning tuning;
  tuning.keep_alive = false;
  tuning.connect_timeout_s = 1;
  tuning.read_timeout = std::chrono::seconds(1);
  tune_client(client, tuning);
  const auto result = client.Get(path);
  return result && result->status >= 200 && result->status < 300;
}

void tune_client(httplib::Client& client, const ClientTuning& tuning) {
  client.set_tcp_nodelay(true);
  client.set_keep_alive(tuning.keep_alive);
  client.set_connection_timeout(tuning.connect_timeout_s, 0);
  client.set_read_timeout(tuning.read_timeout);
  client.set_write_timeout(tuning.write_timeout_s, 0);
  // Paths and bodies pass through byte for byte: no re-encoding of the
  // request target and no transparent decompression of responses.
  client.set_url_encode(false);
  client.set_decompress(false);
}

}  // namespace sessim
