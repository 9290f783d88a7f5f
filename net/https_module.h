#pragma once

#include <memory>
#include <string>

#include "net/http_client.h"

// The interface between sessim and its https module (libsessim-https.so),
// which holds the only TLS client at hand, cpp-httplib, and with it
// OpenSSL. Loaded with dlopen when an https URL is first used: linked into
// sessim, OpenSSL's initialisation cost every start about 2 ms, the largest
// part of `sessim --version`, though only `--target https://` needs it.
// Both sides are built together from this header; kInterfaceVersion guards
// against a module left over from another build.
namespace sessim::https {

inline constexpr int kInterfaceVersion = 1;

// Why an exchange got no response; http_client.cpp words it for reports,
// so that https failures read like plain ones.
enum class Failure {
  none,
  connection_refused,
  connect_timeout,
  closed_before_response,
  closed_while_sending,
  cannot_bind,
  handshake_failed,
  certificate_rejected,
  timed_out,
  body_too_large,
  other,  // `detail` names it
};

struct ConnectionOptions {
  std::string host;  // an IPv6 address without brackets
  int port = 443;
  bool verify_tls = true;
  HttpClientLimits limits;
  bool keep_alive = true;
};

struct Outcome {
  HttpClientResponse response;  // its `error` is left to the caller
  Failure failure = Failure::none;
  std::string detail;
};

// One origin's connection, with the body cap and the whole-request
// deadline of HttpClientLimits. Not thread-safe, like HttpClient.
class Connection {
 public:
  virtual ~Connection() = default;
  virtual void send_from(const std::string& local_address) = 0;
  virtual Outcome send(const HttpClientRequest& request) = 0;
};

}  // namespace sessim::https

// The module's two entry points, looked up by these names.
extern "C" {
int sessim_https_interface_version();
// Null if it could not be made (it throws nothing across this boundary).
sessim::https::Connection* sessim_https_open(const sessim::https::ConnectionOptions& options);
}
