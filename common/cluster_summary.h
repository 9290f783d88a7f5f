#pragma once

#include <string>
#include <vector>

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
  std::string store;
  std::string balancer;      // "" behind --target: the user's own front
  std::string balancer_url;  // the entry point: the balancer or the target
  std::string redis_url;     // "" unless the store is Redis; never with a password
  bool private_redis = false;
  std::string app;              // the app profile's name
  int session_timeout_s = 0;    // the nodes' idle timeout when sessim runs them; 0: unknown
  std::vector<Node> node_urls;  // every node at the end of the run
};

}  // namespace sessim
