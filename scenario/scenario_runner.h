#pragma once

#include <cstdint>
#include <memory>

#include "cluster/cluster.h"
#include "scenario/run_result.h"
#include "scenario/scenario.h"

namespace sessim {

struct ScenarioOptions {
  bool fail_fast = false;
  std::uint64_t seed = 0;  // orders the branches of parallel steps
};

// One scenario on a cluster of its own. The constructor starts the cluster
// (built from the scenario and the command line); play() runs the steps
// through it; the cluster stays up until the execution is destroyed, so that
// `--keep-running` can leave it to the user. A failed expectation is recorded
// and the story goes on (unless fail_fast). Throws ScenarioError for steps
// this cluster cannot run (checked before anything starts) and
// EnvironmentError when the cluster cannot start.
class ScenarioExecution {
 public:
  ScenarioExecution(const Scenario& scenario, const ClusterConfig& config,
                    const ScenarioOptions& options);
  ~ScenarioExecution();
  ScenarioExecution(const ScenarioExecution&) = delete;
  ScenarioExecution& operator=(const ScenarioExecution&) = delete;

  ScenarioRun play();
  const Cluster& cluster() const { return *cluster_; }

 private:
  const Scenario& scenario_;
  ScenarioOptions options_;
  std::unique_ptr<Cluster> cluster_;
  double started_ms_ = 0;
};

// Starts the cluster, plays the scenario, stops the cluster.
ScenarioRun run_scenario(const Scenario& scenario, const ClusterConfig& config,
                         const ScenarioOptions& options);

// Every node of a running cluster with its URL, the balancer, and Redis.
ClusterSummary summarize(const Cluster& cluster);

}  // namespace sessim
