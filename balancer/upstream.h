#pragma once

#include <string>

namespace sessim {

// One server behind the balancer.
struct Upstream {
  std::string name;  // shown in reports and in X-Sessim-Upstream
  std::string host;
  int port = 0;
  int weight = 1;  // for the weighted and least-conn strategies

  std::string address() const;  // host:port
};

// Parses "http://host:port" (an optional trailing slash is allowed). The name
// defaults to host:port. Throws UsageError naming the URL.
Upstream parse_upstream_url(const std::string& url);

}  // namespace sessim
