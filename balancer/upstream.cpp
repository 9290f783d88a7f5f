#include "balancer/upstream.h"

#include <fmt/format.h>

#include "common/errors.h"
#include "common/text.h"

namespace sessim {

std::string Upstream::address() const {
  return host.find(':') != std::string::npos ? fmt::format("[{}]:{}", host, port)
                                             : fmt::format("{}:{}", host, port);
}

Upstream parse_upstream_url(const std::string& url) {
  const auto fail = [&](std::string_view why) {
    throw UsageError(
        fmt::format("invalid upstream '{}': {} (expected http://host:port)", url, why));
  };
  constexpr std::string_view kScheme = "http://";
  if (url.rfind(kScheme, 0) != 0) fail("only http:// upstreams are supported");
  std::string_view authority(url);
  authority.remove_prefix(kScheme.size());
  if (!authority.empty() && authority.back() == '/') authority.remove_suffix(1);
  if (authority.find('/') != std::string_view::npos) fail("a path is not allowed");

  Upstream upstream;
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos || close + 1 >= authority.size() ||
        authority[close + 1] != ':') {
      fail("an IPv6 host needs the form [addr]:port");
    }
    upstream.host = std::string(authority.substr(1, close - 1));
    port_text = authority.substr(close + 2);
  } else {
    const auto colon = authority.rfind(':');
    if (colon == std::string_view::npos) fail("the port is missing");
    upstream.host = std::string(authority.substr(0, colon));
    port_text = authority.substr(colon + 1);
  }
  if (upstream.host.empty()) fail("the host is empty");
  const auto port = parse_integer(port_text, 1, 65535);
  if (!port) fail("the port must be a number from 1 to 65535");
  upstream.port = static_cast<int>(*port);
  upstream.name = upstream.address();
  return upstream;
}

}  // namespace sessim
