#include "net/transport_failure.h"

#include <fmt/format.h>

#include <boost/asio/error.hpp>

#include "common/text.h"

namespace sessim {

std::string connect_failure(const boost::system::error_code& error) {
  namespace asio = boost::asio;
  if (error == asio::error::no_descriptors) return "out of file descriptors (ulimit -n)";
  if (error == asio::error::no_buffer_space || error == asio::error::no_memory) {
    return "out of socket buffers";
  }
  if (error == asio::error::connection_refused) return std::string(kConnectionRefused);
  return fmt::format("cannot connect: {}", error.message());
}

std::string no_connection_within(std::chrono::milliseconds timeout) {
  return fmt::format("no connection within {}", seconds_text(timeout));
}

std::string timed_out_waiting_for_response(std::chrono::milliseconds timeout) {
  return fmt::format("timed out after {} waiting for the response", seconds_text(timeout));
}

}  // namespace sessim
