#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "balancer/upstream_health.h"
#include "vocab/front_kind.h"
#include "vocab/store_kind.h"
#include "vocab/strategy_kind.h"

// `sessim export compose|k8s`: the topology of a run (N replicas of the
// user's app, nginx or HAProxy configured from the strategy, Redis or Redis
// with a replica and three sentinels) as a Docker Compose project or
// Kubernetes manifests, and the `sessim run --target ... --fault-cmd ...`
// line that plays the same story against it. Pure text generation: what a
// deployment is told can be read and tested without starting it.
namespace sessim {

// The image of sessim's own node (deploy/image/build-image.sh makes it from
// a Debian root filesystem): `sessim node` with every setting from SESSIM_*.
inline constexpr const char* kNodeImage = "sessim-node:local";

struct ExportPlan {
  int nodes = 2;
  StoreKind store = StoreKind::redis;
  FrontKind front = FrontKind::nginx;
  StrategyKind strategy = StrategyKind::round_robin;
  std::string hash_key;  // hash: cookie:NAME or header:NAME
  HealthPolicy health;
  std::chrono::milliseconds upstream_timeout{10'000};
  std::string image = kNodeImage;  // the app's image
  std::string command;        // "": the image's own; else with {port}, {name}, {redis_url}, ...
  int app_port = 8080;        // where each replica listens in its container
  int published_port = 8080;  // the front on the host's 127.0.0.1
  int session_timeout_s = 1800;
  // The Compose project (-p); in Kubernetes, the prefix of every object's
  // name, so that an export never overwrites objects called `node` or
  // `redis` that were there before.
  std::string name = "sessim";
  std::string k8s_namespace = "sessim";
  std::string front_image;  // "": nginx:stable or haproxy:2.6
  std::string redis_image = "redis:7";
  // Where a replica says it serves (Kubernetes' readiness and liveness
  // probes; Compose's health check, with sessim's own image or
  // --health-cmd).
  std::string health_path = "/healthz";
  std::string health_command;  // Compose: run in the replica's container
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

// run-story.sh for the project exported into `folder`: finds the Compose
// tool the machine has (docker compose, docker-compose, podman compose,
// podman-compose) and sessim, and plays `story` (an absolute path or a
// built-in name) with the tool's kill, stop and restart as --fault-cmd.
// `sessim_path`: the sessim that exported, used when none is on PATH.
std::string compose_script(const ExportPlan& plan, const std::string& folder,
                           const std::string& story, const std::string& sessim_path);

// sessim.yaml: a StatefulSet `node` whose pods are node-1..node-N (start
// ordinal 1, Kubernetes 1.27 or later) behind a headless Service, the front
// as a Deployment with its configuration in a ConfigMap, and Redis. The
// replicas' {name} and {index} are filled by Kubernetes from the pod
// ($(SESSIM_NAME), $(SESSIM_INDEX)). Throws UsageError where export_compose
// does, and for --store redis-sentinel (a Sentinel chart does that better).
std::vector<ExportedFile> export_k8s(const ExportPlan& plan);

// The same round trip through `kubectl port-forward`, with each node's
// StatefulSet scaled to 0 (crash, stop) and back to 1 (restart).
std::string k8s_script(const ExportPlan& plan, const std::string& folder, const std::string& story,
                       const std::string& sessim_path);

}  // namespace sessim
