#pragma once

#include <chrono>
#include <cstddef>
#include <ctime>
#include <string>

namespace httplib {
class Client;
enum class Error;
}  // namespace httplib

namespace sessim {

// cpp-httplib 0.11's client defaults are wrong for a cluster on loopback:
// Nagle's algorithm on (each response waits for a delayed ACK: ~43 ms
// instead of ~0.2 ms) and 5 requests per keep-alive connection. Every
// cpp-httplib client in sessim (health checks, readiness probes, https) is
// configured here.
struct ClientTuning {
  std::time_t connect_timeout_s = 2;
  std::chrono::milliseconds read_timeout{10'000};  // waiting for the response
  std::time_t write_timeout_s = 10;
  bool keep_alive = true;
};

void tune_client(httplib::Client& client, const ClientTuning& tuning = {});

// Why an exchange got no response, in the words of the person reading the
// report ("connection refused", "timed out after 10 s waiting for the
// response"), not the library's ("Connection", "Read"). `elapsed_ms` tells a
// read timeout from a closed connection.
std::string describe_http_failure(httplib::Error error, double elapsed_ms,
                                  const ClientTuning& tuning = {});

}  // namespace sessim
