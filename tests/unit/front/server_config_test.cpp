// What nginx and HAProxy are told for each strategy, and where a strategy
// has no equivalent in them.
#include "front/server_config.h"

#include <gtest/gtest.h>

namespace sessim {
namespace {

ServerFrontPlan plan(FrontKind kind, StrategyKind strategy) {
  ServerFrontPlan plan;
  plan.kind = kind;
  plan.port = 8080;
  plan.directory = "/tmp/front";
  plan.strategy = strategy;
  plan.hash_key = "cookie:SESSION";
  plan.upstreams = {{"node-1", "127.0.0.1", 9001, 1}, {"node-2", "127.0.0.1", 9002, 3}};
  return plan;
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(ServerConfig, NginxGetsEachStrategysDirectiveAndNamesTheNodes) {
  const auto round_robin = nginx_config(plan(FrontKind::nginx, StrategyKind::round_robin));
  EXPECT_TRUE(has(round_robin, "listen \"127.0.0.1:8080\";"));
  EXPECT_TRUE(has(round_robin, "server \"127.0.0.1:9002\" weight=3 max_fails=1 fail_timeout=10s;"));
  EXPECT_TRUE(has(round_robin, "\"127.0.0.1:9001\" \"node-1\";"));
  EXPECT_TRUE(has(round_robin, "add_header X-Sessim-Upstream $sessim_upstream always;"));
  EXPECT_TRUE(has(round_robin, "location = /.sessim-front-generation { return 200 \"1\"; }"));
  EXPECT_TRUE(has(nginx_config(plan(FrontKind::nginx, StrategyKind::ip_hash)), "ip_hash;"));
  EXPECT_TRUE(has(nginx_config(plan(FrontKind::nginx, StrategyKind::least_conn)), "least_conn;"));
  EXPECT_TRUE(has(nginx_config(plan(FrontKind::nginx, StrategyKind::hash)),
                  "hash $cookie_SESSION consistent;"));
  auto by_header = plan(FrontKind::nginx, StrategyKind::hash);
  by_header.hash_key = "header:X-User-Id";
  EXPECT_TRUE(has(nginx_config(by_header), "hash $http_x_user_id consistent;"));
  EXPECT_EQ(describe_front(plan(FrontKind::nginx, StrategyKind::ip_hash)), "nginx (ip_hash)");
}

TEST(ServerConfig, HaproxyGetsEachStrategysBalanceAndNamesTheServer) {
  const auto cookie = haproxy_config(plan(FrontKind::haproxy, StrategyKind::cookie));
  EXPECT_TRUE(has(cookie, "bind '127.0.0.1:8080'"));
  EXPECT_TRUE(has(cookie, "cookie SESSIM_NODE insert indirect nocache"));
  EXPECT_TRUE(has(cookie, "server 'node-2' '127.0.0.1:9002' weight 3 cookie 'node-2'"));
  EXPECT_TRUE(has(cookie, "http-response set-header X-Sessim-Upstream %[srv_name]"));
  EXPECT_TRUE(has(haproxy_config(plan(FrontKind::haproxy, StrategyKind::ip_hash)),
                  "balance hash src,ipmask(24)"));
  EXPECT_TRUE(has(haproxy_config(plan(FrontKind::haproxy, StrategyKind::hash)),
                  "balance hash 'req.cook(SESSION)'"));
  auto checked = plan(FrontKind::haproxy, StrategyKind::least_conn);
  checked.health.check_interval_ms = 500;
  const auto health = haproxy_config(checked);
  EXPECT_TRUE(has(health, "balance leastconn"));
  EXPECT_TRUE(has(health, "option httpchk GET '/healthz'"));
  EXPECT_TRUE(has(health, "check inter 500ms rise 2 fall 3"));
}

TEST(ServerConfig, WhatAServerCannotDoIsSaid) {
  EXPECT_TRUE(has(front_refusal(plan(FrontKind::nginx, StrategyKind::cookie)),
                  "nginx (open source) has no cookie-insert stickiness"));
  auto checked = plan(FrontKind::nginx, StrategyKind::round_robin);
  checked.health.check_interval_ms = 1000;
  EXPECT_TRUE(has(front_refusal(checked), "no active health checks"));
  auto dashed = plan(FrontKind::nginx, StrategyKind::hash);
  dashed.hash_key = "cookie:my-id";
  EXPECT_TRUE(has(front_refusal(dashed), "nginx cannot hash the cookie my-id"));
  EXPECT_EQ(front_refusal(plan(FrontKind::haproxy, StrategyKind::cookie)), "");
}

}  // namespace
}  // namespace sessim
