#include "net/http_tuning.h"

#include <fmt/format.h>
#include <httplib.h>

#include <chrono>
#include <thread>

#include "common/errors.h"
#include "common/text.h"

namespace sessim {

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
