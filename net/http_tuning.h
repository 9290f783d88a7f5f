#pragma once

#include <chrono>
#include <cstddef>
#include <ctime>
#include <string>

namespace httplib {
class Server;
class Client;
enum class Error;
}  // namespace httplib

namespace sessim {

// cpp-httplib 0.11's defaults are wrong for a cluster on loopback: Nagle's
// algorithm on (each response waits for a delayed ACK: ~43 ms instead of
// ~0.2 ms), 5 requests per keep-alive connection, and 8 worker threads that
// 8 idle keep-alive connections can pin. Every server and client in sessim is
// configured here, in one place.
struct ServerTuning {
  // Each open connection holds one worker for up to keep_alive_timeout_s, so
  // the pool must exceed the connections a balancer keeps open to a node.
  std::size_t worker_threads = 48;
  std::time_t keep_alive_timeout_s = 5;
  std::size_t keep_alive_max_requests = 100'000;
  std::time_t read_timeout_s = 10;
  std::time_t write_timeout_s = 10;
  std::size_t max_body_bytes = 1 << 20;
};

struct ClientTuning {
  std::time_t connect_timeout_s = 2;
  std::chrono::milliseconds read_timeout{10'000};  // waiting for the response
  std::time_t write_timeout_s = 10;
  bool keep_alive = true;
};

// The balancer's server pool. Its idle upstream connections are capped per
// upstream (BalancerConfig) below a node's 48 workers, so that they can never
// use up a node's workers.
ServerTuning balancer_server_tuning();

void tune_server(httplib::Server& server, const ServerTuning& tuning = {});

// Binds `server` to host:port (port 0: any free port) and returns the port.
// Throws EnvironmentError naming `owner` when the address cannot be bound.
int bind_server(httplib::Server& server, const std::string& host, int port,
                const std::string& owner);

// Blocks until `server`, listening on another thread, accepts connections; a
// stop() before that point would be lost. Throws EnvironmentError after 10 s.
void wait_until_serving(const httplib::Server& server, const std::string& owner);
void tune_client(httplib::Client& client, const ClientTuning& tuning = {});

// Why an exchange got no response, in the words of the person reading the
// report ("connection refused", "timed out after 10 s waiting for the
// response"), not the library's ("Connection", "Read"). `elapsed_ms` tells a
// read timeout from a closed connection.
// True if GET path on host:port answers 2xx within a second.
bool http_get_succeeds(const std::string& host, int port, const std::string& path);

std::string describe_http_failure(httplib::Error error, double elapsed_ms,
                                  const ClientTuning& tuning = {});

}  // namespace sessim
