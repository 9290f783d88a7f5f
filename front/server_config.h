#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "balancer/upstream.h"
#include "balancer/upstream_health.h"
#include "vocab/front_kind.h"
#include "vocab/strategy_kind.h"

// The configuration of a real nginx or HAProxy in front of sessim's nodes,
// written from the same strategy the built-in balancer would run: pure text
// generation, so that what each server is told can be read and tested
// without starting it.
namespace sessim {

struct ServerFrontPlan {
  FrontKind kind = FrontKind::nginx;
  int port = 0;  // listen_host:port
  // 127.0.0.1 for a run; "0.0.0.0" inside a container (sessim export).
  std::string listen_host = "127.0.0.1";
  std::string directory;  // its prefix: pid file, logs, temp files
  StrategyKind strategy = StrategyKind::round_robin;
  std::string hash_key;  // hash: cookie:NAME or header:NAME
  HealthPolicy health;
  std::string health_path = "/healthz";
  std::chrono::milliseconds upstream_timeout{10'000};
  std::vector<Upstream> upstreams;
  // Inside a deployment (sessim export) the upstreams are host names whose
  // addresses come and go with their containers or pods: the front then
  // resolves them while it runs, starts while some are missing, and names
  // the node that answered from its own configuration rather than from an
  // address. They ask `resolver` (Docker's 127.0.0.11, the cluster's DNS);
  // HAProxy, without one, the servers of the container's /etc/resolv.conf.
  bool follow_names = false;
  std::string resolver;  // a host; nginx needs one
  int resolver_port = 53;
  // Bumped at every reload; served at kGenerationPath, so that sessim knows
  // when the new configuration answers.
  int generation = 1;
};

// Where the front says which configuration it runs.
inline constexpr const char* kGenerationPath = "/.sessim-front-generation";

// Why `plan` has no equivalent in that server ("" when it has): a strategy
// or health check it cannot do, in words that say what would.
std::string front_refusal(const ServerFrontPlan& plan);

std::string nginx_config(const ServerFrontPlan& plan);
std::string haproxy_config(const ServerFrontPlan& plan);

// "nginx (ip_hash)", "haproxy (balance source)": the report's name for it.
std::string describe_front(const ServerFrontPlan& plan);

}  // namespace sessim
