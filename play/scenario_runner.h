#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "app/app_profile.h"
#include "app/session_model.h"
#include "cluster/cluster_config.h"
#include "cluster/topology.h"
#include "history/run_result.h"
#include "net/http_client.h"
#include "play/transport.h"
#include "scenario/scenario.h"

namespace sessim {

// Whether a run learns the app's session model by probing it first.
enum class ProbeMode { on, off };

// Models probed once per cluster shape (node count, store, front, kind of
// node) for the whole invocation: stories of one shape meet the same
// system, and a story on another shape gets the model of its own (one node
// cannot show whether instances share sessions; two can).
struct SessionModelCache {
  std::mutex mutex;
  std::map<std::string, SessionModel> by_shape;
};

struct ScenarioOptions {
  bool fail_fast = false;
  // A node the balancer found down throughout, the story having served
  // none of its requests there, makes the run an error: what it asks of
  // several nodes was not tested (false: --verdict lenient).
  bool down_node_is_error = true;
  std::uint64_t seed = 0;  // orders the branches of parallel steps
  // Watching it happen. Each is called on the thread that ran the step or
  // request (parallel branches: several at once).
  std::function<void(const RequestRecord&)> on_request;  // as each request completes
  std::function<void(const StepRecord&)> on_step;        // as each step completes
  // Before each step of the main sequence: to pause it (--pace, --step).
  std::function<void(const Step&)> before_step;
  // What each response may cost the browsers.
  HttpClientLimits client_limits;
  ProbeMode probe = ProbeMode::on;
  std::shared_ptr<SessionModelCache> model_cache = std::make_shared<SessionModelCache>();
  // What is known of how the app keeps sessions; ScenarioExecution fills it
  // in (from sessim's own nodes, or by probing) before the story plays.
  SessionModel session_model;
};

// Refuses, before anything starts, a scenario that asks what this topology
// or app cannot do: a crash of a node sessim does not run, a `via:` behind
// --target, a logout for an app profile without one. Throws ScenarioError
// at the step, with the reason ("crash node-1: nodes are --upstream servers
// that sessim does not run").
// Also refuses a ${NAME} nothing gives a value (the story's `vars:`, the
// profile's variables from --var, a capture) and an unset ${env:NAME}.
void check_playable(const Scenario& scenario, const TopologyAbilities& abilities,
                    const AppProfile& profile);

// Plays a scenario's steps against a topology that is already up, through
// the app's profile, sending requests over `transport`. Requests that fail
// are recorded, never thrown.
ScenarioRun play_scenario(const Scenario& scenario, Topology& topology, Transport& transport,
                          const AppProfile& profile, const ScenarioOptions& options);

// Records the run's history and fills run.anomalies with what the checker
// finds in it.
void check_run(ScenarioRun& run, const AppProfile& profile);

// One scenario on a system under test of its own. The constructor starts it
// (built from the scenario and the command line: see start_topology); play()
// runs the steps; it stays up until finish() or destruction, so that
// `--keep-running` can leave it to the user. Throws ScenarioError for steps
// this topology cannot run (checked before anything starts) and
// EnvironmentError when it cannot start.
class ScenarioExecution {
 public:
  ScenarioExecution(const Scenario& scenario, const ClusterConfig& config,
                    const AppProfile& profile, const ScenarioOptions& options);
  ~ScenarioExecution();
  ScenarioExecution(const ScenarioExecution&) = delete;
  ScenarioExecution& operator=(const ScenarioExecution&) = delete;

  // Replaces the options given to the constructor (before play()).
  void set_options(const ScenarioOptions& options) { options_ = options; }
  // Learns how the app keeps sessions (once per store for an invocation),
  // then plays the story.
  ScenarioRun play();
  // Stops everything; throws EnvironmentError when stopping went wrong (a
  // node command that ignored SIGTERM), after everything is stopped.
  void finish();
  Topology& topology() { return *topology_; }

 private:
  SessionModel learn_session_model(Transport& transport);

  const Scenario& scenario_;
  ClusterConfig config_;
  AppProfile profile_;
  ScenarioOptions options_;
  std::unique_ptr<Topology> topology_;
  bool seeded_session_ids_ = false;
  double started_ms_ = 0;
};

// Starts the topology, plays the scenario, stops everything.
ScenarioRun run_scenario(const Scenario& scenario, const ClusterConfig& config,
                         const AppProfile& profile, const ScenarioOptions& options);

}  // namespace sessim
