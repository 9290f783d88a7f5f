#include "support/nginx.h"

#include <fmt/format.h>

#include <fstream>
#include <stdexcept>

#include "net/loopback.h"
#include "support/test_support.h"

namespace sessim::testing {

std::optional<std::string> nginx_program() {
  if (auto found = find_program("nginx")) return found;
  if (auto found = find_program("/usr/sbin/nginx")) return found;
  return std::nullopt;
}

NginxFront::NginxFront(const std::string& program, const std::vector<int>& upstream_ports) {
  std::string servers;
  for (const int upstream : upstream_ports) {
    servers += fmt::format("    server 127.0.0.1:{};\n", upstream);
  }
  port_ = pick_free_loopback_port();
  std::ofstream(dir_.file("nginx.conf")) << fmt::format(
      "daemon off;\nmaster_process off;\npid {0}/nginx.pid;\nerror_log {0}/error.log;\n"
      "events {{ worker_connections 64; }}\n"
      "http {{\n  access_log off;\n  client_body_temp_path {0};\n  proxy_temp_path {0};\n"
      "  upstream app {{\n{1}    keepalive 8;\n  }}\n"
      "  server {{\n    listen 127.0.0.1:{2};\n    location / {{\n"
      "      proxy_pass http://app;\n      proxy_http_version 1.1;\n"
      "      proxy_set_header Connection \"\";\n    }}\n  }}\n}}\n",
      dir_.path(), servers, port_);
  ChildSpec spec{program,
                 {"-p", dir_.path(), "-c", dir_.file("nginx.conf")},
                 dir_.file("nginx.stderr"),
                 false,
                 {}};
  process_ = std::make_unique<ChildProcess>(spec);
  const int port = port_;
  if (!wait_until([&] { return process_->running() && tcp_port_accepts("127.0.0.1", port); })) {
    throw std::runtime_error("nginx did not start: " + last_log_line(dir_.file("error.log")));
  }
}

}  // namespace sessim::testing
