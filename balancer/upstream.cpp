#include "balancer/upstream.h"

#include <fmt/format.h>

#include "common/errors.h"
#include "common/grammar.h"
#include "common/text.h"
#include "net/host_port.h"

namespace sessim {

std::string Upstream::address() const { return join_host_port(host, port); }

Upstream parse_upstream_url(const std::string& url) {
  const auto fail = [&](std::string_view why) {
    throw UsageError(fmt::format("invalid upstream '{}': {} (expected http://host:port)",
                                 printable(url, 120), why));
  };
  constexpr std::string_view kScheme = "http://";
  if (url.rfind(kScheme, 0) != 0) fail("only http:// upstreams are supported");
  std::string_view authority(url);
  authority.remove_prefix(kScheme.size());
  if (!authority.empty() && authority.back() == '/') authority.remove_suffix(1);
  if (authority.find('/') != std::string_view::npos) fail("a path is not allowed");

  HostPort host_port;
  std::string error;
  if (!split_host_port(authority, &host_port, &error)) fail(error);
  if (!host_port.port) fail("the port is missing");
  if (const auto why = host_problem(host_port.host); !why.empty()) fail(why);
  Upstream upstream;
  upstream.host = std::move(host_port.host);
  upstream.port = *host_port.port;
  upstream.name = upstream.address();
  return upstream;
}

}  // namespace sessim
