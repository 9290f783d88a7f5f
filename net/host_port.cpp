#include "net/host_port.h"

#include <fmt/format.h>

#include "common/text.h"

namespace sessim {

bool split_host_port(std::string_view authority, HostPort* out, std::string* error) {
  HostPort parsed;
  std::string_view port_text;
  bool has_port = false;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) {
      *error = "unclosed '[' in the host";
      return false;
    }
    parsed.host = std::string(authority.substr(1, close - 1));
    const auto after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') {
        *error = "unexpected text after the host";
        return false;
      }
      port_text = after.substr(1);
      has_port = true;
    }
  } else {
    const auto colon = authority.rfind(':');
    if (colon != std::string_view::npos && authority.find(':') != colon) {
      *error = "an IPv6 host goes in brackets: [addr]:port";
      return false;
    }
    parsed.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      has_port = true;
    }
  }
  if (parsed.host.empty()) {
    *error = "the host is empty";
    return false;
  }
  if (has_port) {
    const auto port = parse_integer(port_text, 1, 65535);
    if (!port) {
      *error = "the port must be a number from 1 to 65535";
      return false;
    }
    parsed.port = static_cast<int>(*port);
  }
  *out = std::move(parsed);
  return true;
}

std::string url_host(const std::string& host) {
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

std::string join_host_port(const std::string& host, int port) {
  return fmt::format("{}:{}", url_host(host), port);
}

}  // namespace sessim
