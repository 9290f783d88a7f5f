#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "balancer/upstream_health.h"
#include "common/front_kind.h"
#include "common/store_kind.h"
#include "common/strategy_kind.h"

// `sessim export compose|k8s`: the topology of a run (N replicas of the
// user's app, nginx or HAProxy configured from the strategy, Redis or Redis
// with a replica and three sentinels) as a Docker Compose project or
// Kubernetes manifests, and the `sessim run --target ... --fault-cmd ...`
// line that plays the same story against it. Pure text generation: what a
// deployment is told can be read and tested without starting it.
namespace sessim {

struct ExportPlan {
  int nodes = 2;
  StoreKind store = StoreKind::redis;
  FrontKind front = FrontKind::nginx;
  StrategyKind strategy = StrategyKind::round_robin;
  std::string hash_key;  // hash: cookie:NAME or header:NAME
  HealthPolicy health;
  std::chrono::milliseconds upstream_timeout{10'000};
  std::string image;          // the app's image
  std::string command;        // "": the image's own; else with {port}, {name}, {redis_url}, ...
  int app_port = 8080;        // where each replica listens in its container
  int published_port = 8080;  // the front on the host's 127.0.0.1
  int session_timeout_s = 1800;
  std::string project = "sessim";  // docker compose -p
};

struct ExportedFile {
  std::string name;  // relative to the export folder
  std::string text;
};

// compose.yaml, the front's configuration (nginx.conf or haproxy.cfg) and,
// with sentinels, sentinel.conf. Throws UsageError for what a deployment
// cannot do (a built-in front, a strategy the front has no equivalent for,
// --store shared).
std::vector<ExportedFile> export_compose(const ExportPlan& plan);

// The run that plays `story` against the exported project in `folder`: its
// entry point as --target and Compose commands as --fault-cmd.
std::string round_trip_command(const ExportPlan& plan, const std::string& folder,
                               const std::string& story);

// sessim.yaml: a StatefulSet `node` whose pods are node-1..node-N (start
// ordinal 1, Kubernetes 1.27 or later) behind a headless Service, the front
// as a Deployment with its configuration in a ConfigMap, and Redis. The
// replicas' {name} and {index} are filled by Kubernetes from the pod
// ($(SESSIM_NAME), $(SESSIM_INDEX)). Throws UsageError where export_compose
// does, and for --store redis-sentinel (a Sentinel chart does that better).
std::vector<ExportedFile> export_k8s(const ExportPlan& plan);

// The same round trip through `kubectl port-forward` and `kubectl delete
// pod` as the fault commands.
std::string k8s_round_trip_command(const ExportPlan& plan, const std::string& story);

}  // namespace sessim
