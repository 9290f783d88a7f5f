// Two `sessim node` processes behind a real nginx (round-robin upstream, as in
// the reference setup) must tell the same story as behind sessim's balancer.
// Skipped when nginx is not installed (CI installs it).
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <fstream>

#include "cluster/child_process.h"
#include "cluster/node_instance.h"
#include "net/loopback.h"
#include "support/test_support.h"

namespace sessim {
namespace {

std::optional<std::string> nginx_program() {
  if (auto found = find_program("nginx")) return found;
  if (auto found = find_program("/usr/sbin/nginx")) return found;
  return std::nullopt;
}

class NginxCluster {
 public:
  NginxCluster(const std::string& nginx, StoreKind store) {
    if (store == StoreKind::redis) redis_ = std::make_unique<testing::TestRedis>();
    std::string servers;
    nodes_ = testing::start_process_nodes(2, store, redis_ ? redis_->url() : "", dir_);
    for (const auto& node : nodes_) {
      servers += fmt::format("    server 127.0.0.1:{};\n", node->port());
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
    ChildSpec spec{nginx,
                   {"-p", dir_.path(), "-c", dir_.file("nginx.conf")},
                   dir_.file("nginx.stderr"),
                   false,
                   {}};
    nginx_ = std::make_unique<ChildProcess>(spec);
    httplib::Client probe("127.0.0.1", port_);
    if (!testing::wait_until([&] { return nginx_->running() && probe.Get("/healthz"); })) {
      throw std::runtime_error("nginx did not start: " + last_log_line(dir_.file("error.log")));
    }
  }
  int port() const { return port_; }

 private:
  RunDirectory dir_;
  std::unique_ptr<testing::TestRedis> redis_;
  std::vector<std::unique_ptr<NodeInstance>> nodes_;
  std::unique_ptr<ChildProcess> nginx_;
  int port_ = 0;
};

TEST(ReverseProxy, NginxRoundRobinLosesLocalSessionsLikeTheBuiltInBalancer) {
  const auto nginx = nginx_program();
  if (!nginx) GTEST_SKIP() << "nginx is not installed";
  NginxCluster cluster(*nginx, StoreKind::local);
  const auto result = testing::send_reference_story("127.0.0.1", cluster.port(), 4);
  EXPECT_EQ(result.reads_ok(), 0);
  EXPECT_EQ(result.requests[1].session, SessionEffect::replaced);
  EXPECT_NE(result.requests[1].node, result.requests[0].node);
}

TEST(ReverseProxy, NginxRoundRobinKeepsRedisSessions) {
  const auto nginx = nginx_program();
  if (!nginx) GTEST_SKIP() << "nginx is not installed";
  NginxCluster cluster(*nginx, StoreKind::redis);
  const auto result = testing::send_reference_story("127.0.0.1", cluster.port(), 4);
  EXPECT_EQ(result.reads_ok(), 4);
  std::set<std::string> nodes;
  for (const auto& record : result.requests) nodes.insert(record.node);
  EXPECT_EQ(nodes.size(), 2u);
}

}  // namespace
}  // namespace sessim
