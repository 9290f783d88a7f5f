#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace sessim {

// What one response may cost a client of sessim's (the browser of `run`,
// `--target`, health and readiness probes): a server that never stops
// sending, trickles bytes or answers with interim responses forever fails
// the request with a sentence saying so, at a bounded cost in memory and
// time.
struct HttpClientLimits {
  std::uint64_t max_response_bytes = 1 << 20;         // the body (--max-response-size)
  std::chrono::milliseconds request_timeout{10'000};  // connecting, sending, the whole answer
  std::chrono::milliseconds connect_timeout{2'000};
};

// Interim (1xx) responses accepted before the final one, by the clients and
// by the balancer; a server that sends more is not answering.
inline constexpr int kMaxInterimResponses = 16;

// The status line and header fields of one response, as a browser would
// accept them.
inline constexpr std::size_t kMaxClientResponseHeaderBytes = 64 * 1024;

// A request whose last byte waits (play/release_gate.h): once every other
// byte is on the wire, `release` is called with the socket and the last byte;
// it returns true when it sent the byte itself, else the client sends it.
// Requests whose last bytes go together reach the server together. Over
// https it is called with no socket (-1) before the request goes.
struct LastByteHold {
  std::function<bool(int socket, char last)> release;
  explicit operator bool() const { return static_cast<bool>(release); }
};

struct HttpClientRequest {
  std::string method = "GET";
  std::string target = "/";
  std::vector<std::pair<std::string, std::string>> headers;  // besides Host, Content-Length
  std::string body;
  // Where set, the request's last byte waits (play/release_gate.h).
  LastByteHold last_byte;
};

struct HttpClientResponse {
  int status = 0;     // 0: no (complete) response; `error` says why
  std::string error;  // "connection refused", "timed out after 10 s waiting for the response"
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

// An HTTP/1.1 client for one origin with one keep-alive connection, as a
// browser tab holds one: a connection the server closed while idle is
// reopened once and the request sent again, before any byte of an answer
// arrived. Plain http is sessim's one asynchronous connection
// (net/http_connection.h) run on a loop of this client's own until the
// answer; https goes through cpp-httplib (the only TLS client at hand), with
// the same body cap and whole-request deadline. Not thread-safe: one per
// thread.
class HttpClient {
 public:
  HttpClient(std::string scheme, std::string host, int port, bool verify_tls = true,
             HttpClientLimits limits = {}, bool keep_alive = true);
  ~HttpClient();
  HttpClient(HttpClient&&) noexcept;
  HttpClient& operator=(HttpClient&&) noexcept;

  // Sends from this local address (any in 127.0.0.0/8 on Linux).
  void send_from(const std::string& local_address);
  // Never throws for a failed exchange: status 0 and error say what failed.
  HttpClientResponse send(const HttpClientRequest& request);

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// True if GET path on host:port answers 2xx within a second (readiness and
// health probes).
bool http_get_succeeds(const std::string& host, int port, const std::string& path);

}  // namespace sessim
