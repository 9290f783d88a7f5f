#include "net/transport_failure.h"

#include <fmt/format.h>

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/error.hpp>
#include <boost/system/error_code.hpp>
#include <cerrno>
#include <memory>

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

std::string connect_problem(const std::string& host, int port,
                            std::chrono::milliseconds timeout) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* found = nullptr;
  if (::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0 || !found) {
    return fmt::format("cannot resolve {}", host);
  }
  const std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> addresses(found, ::freeaddrinfo);
  std::string problem;
  for (const auto* address = found; address; address = address->ai_next) {
    const int fd =
        ::socket(address->ai_family, address->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) continue;
    int error = ::connect(fd, address->ai_addr, address->ai_addrlen) == 0 ? 0 : errno;
    if (error == EINPROGRESS) {
      pollfd entry{fd, POLLOUT, 0};
      socklen_t length = sizeof(error);
      if (::poll(&entry, 1, static_cast<int>(timeout.count())) != 1) {
        error = ETIMEDOUT;
      } else if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0) {
        error = errno;
      }
    }
    ::close(fd);
    if (error == 0) return "";
    problem = error == ETIMEDOUT
                  ? no_connection_within(timeout)
                  : connect_failure(boost::system::error_code(error, boost::system::system_category()));
  }
  return problem.empty() ? fmt::format("cannot connect to {}", host) : problem;
}

std::string no_connection_within(std::chrono::milliseconds timeout) {
  return fmt::format("no connection within {}", seconds_text(timeout));
}

std::string timed_out_waiting_for_response(std::chrono::milliseconds timeout) {
  return fmt::format("timed out after {} waiting for the response", seconds_text(timeout));
}

std::string response_body_over(std::uint64_t max_bytes) {
  return fmt::format("the response body exceeds {} bytes (--max-response-size)", max_bytes);
}

std::string response_header_over(std::size_t max_bytes) {
  return fmt::format("the response header exceeds {} KiB", max_bytes / 1024);
}

}  // namespace sessim
