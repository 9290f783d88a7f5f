#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sessim {

// The host and port of a URL's authority (RFC 3986 section 3.2.2): "host",
// "host:port", "[::1]" or "[::1]:port". The one parser of upstream, target
// and Redis URLs, so that each takes IPv6 alike.
struct HostPort {
  std::string host;         // without the brackets of an IPv6 literal
  std::optional<int> port;  // none when the authority gives none
};

// False, with `error` saying why ("the host is empty", ...), for anything
// else; a port, when given, is a number from 1 to 65535.
bool split_host_port(std::string_view authority, HostPort* out, std::string* error);

// The host as a URL writes it: an IPv6 literal in brackets.
std::string url_host(const std::string& host);
// "host:port", or "[v6]:port".
std::string join_host_port(const std::string& host, int port);

}  // namespace sessim
