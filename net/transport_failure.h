#pragma once

#include <boost/system/error_code.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

// Why an HTTP exchange got no answer, in one wording for every client of
// sessim's (the browser, --target, bench, the balancer's 502 bodies), so
// that every report says the same thing the same way.
namespace sessim {

inline constexpr std::string_view kConnectionRefused = "connection refused";
inline constexpr std::string_view kClosedWhileSending =
    "connection closed while the request was being sent";
inline constexpr std::string_view kClosedBeforeResponse = "connection closed before the response";

// "connection refused", "out of file descriptors (ulimit -n)", ... for a
// failed connect.
std::string connect_failure(const boost::system::error_code& error);
// "no connection within 2 s"
std::string no_connection_within(std::chrono::milliseconds timeout);
// "timed out after 10 s waiting for the response"
std::string timed_out_waiting_for_response(std::chrono::milliseconds timeout);
// "the response body exceeds 1048576 bytes (--max-response-size)"
std::string response_body_over(std::uint64_t max_bytes);
// "the response header exceeds 64 KiB"
std::string response_header_over(std::size_t max_bytes);

// Why a TCP connection to host:port (a name, an IPv4 or an IPv6 address)
// cannot be made within `timeout`, in the words above; "" when it can. The
// connection is closed at once: nothing is sent.
std::string connect_problem(const std::string& host, int port,
                            std::chrono::milliseconds timeout = std::chrono::seconds(2));

}  // namespace sessim
