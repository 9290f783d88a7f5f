#pragma once

#include <optional>
#include <string>
#include <vector>

#include "vocab/store_kind.h"
#include "vocab/strategy_kind.h"

namespace sessim {

// The system under test as reports show it: plain data, filled by the
// topology at the end of a run.
struct ClusterSummary {
  struct Node {
    std::string name;
    std::string url;
  };
  int nodes = 0;
  std::string kind = "sessim";  // sessim | command | external | target
  std::string mode;             // inproc | process (sessim nodes)
  StoreKind store = StoreKind::local;
  std::optional<StrategyKind> balancer;  // none behind --target: the user's own front
  std::string front = "builtin";         // builtin | nginx | haproxy
  std::string front_config;              // a server's: "nginx (ip_hash)"
  std::string balancer_url;              // the entry point: the balancer or the target
  std::string redis_url;                 // "" unless the store is Redis; never with a password
  bool private_redis = false;
  int redis_wait_replicas = 0;  // sessim's nodes WAIT for this many replicas per write
  std::string app;              // the app profile's name
  int session_timeout_s = 0;    // the nodes' idle timeout when sessim runs them; 0: unknown
  std::vector<Node> node_urls;  // every node at the end of the run

  // The strategy's name, "" behind --target.
  std::string balancer_name() const { return balancer ? to_string(*balancer) : ""; }

  // What ran, for the first line of every report: "2 node(s) (inproc),
  // store=redis (redis://127.0.0.1:6391, private), balancer=round-robin", or
  // behind --target "target http://127.0.0.1:8080 (the app's own entry
  // point: nodes and balancer unknown), store=redis (as told)".
  std::string describe() const {
    const auto redis = redis_url.empty()
                           ? std::string()
                           : " (" + redis_url + (private_redis ? ", private" : "") + ")";
    if (kind == "target") {
      return "target " + balancer_url +
             " (the app's own entry point: nodes and balancer unknown), store=" + to_string(store) +
             " (as told)";
    }
    const auto wait =
        redis_wait_replicas > 0
            ? ", writes wait for " + std::to_string(redis_wait_replicas) + " replica(s)"
            : std::string();
    return std::to_string(nodes) + " node(s) (" + mode + "), store=" + to_string(store) + redis +
           wait + ", balancer=" + balancer_name() +
           (front_config.empty() ? "" : " in " + front_config);
  }
};

}  // namespace sessim
