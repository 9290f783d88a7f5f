#include <fmt/format.h>
#include <fmt/ranges.h>

#include <chrono>
#include <mutex>

#include "common/errors.h"
#include "play/scenario_runner.h"
#include "play/session_probe.h"
#include "scenario/scenario_loader.h"

namespace sessim {
namespace {

using Steady = std::chrono::steady_clock;

}  // namespace

ScenarioExecution::ScenarioExecution(const Scenario& scenario, const ClusterConfig& config,
                                     const AppProfile& profile, const ScenarioOptions& options)
    : scenario_(scenario),
      config_(config),
      profile_(profile),
      options_(options),
      seeded_session_ids_(config.session_id_seed.has_value() &&
                          config.node_kind == NodeKind::sessim && config.target_url.empty()) {
  if (config.target_url.empty()) check_node_names(scenario, config.nodes);
  check_playable(scenario, abilities_of(config), profile_);
  started_ms_ = std::chrono::duration<double, std::milli>(Steady::now().time_since_epoch()).count();
  topology_ = start_topology(config);
}

ScenarioExecution::~ScenarioExecution() {
  if (topology_) topology_->stop();
}

SessionModel ScenarioExecution::learn_session_model(Transport& transport) {
  const auto store = to_string(topology_->store());
  if (config_.node_kind == NodeKind::sessim && config_.target_url.empty()) {
    auto model = sessim_node_model(topology_->store());
    if (config_.on_miss == MissPolicy::keep) model.unknown_id = UnknownIdHandling::ignored;
    return model;
  }
  if (profile_.session_model) return *profile_.session_model;
  if (options_.probe == ProbeMode::off) {
    SessionModel model;
    model.learned_by = "not probed: --probe off";
    return model;
  }
  const auto summary = topology_->summary();
  const auto shape =
      fmt::format("{} nodes, store={}, front={}, {}, {}", summary.nodes, store, summary.front,
                  summary.kind, summary.kind == "target" ? summary.balancer_url : "");
  const std::lock_guard lock(options_.model_cache->mutex);
  auto& cached = options_.model_cache->by_shape;
  if (const auto found = cached.find(shape); found != cached.end()) return found->second;
  std::vector<Endpoint> instances;
  const bool separate = config_.target_url.empty() && !topology_->node_names().empty();
  if (separate) {
    for (const auto& name : topology_->node_names()) {
      instances.push_back(topology_->node_endpoint(name));
    }
  } else {
    instances.push_back(topology_->entry());
  }
  return cached[shape] = probe_session_model(profile_, instances, separate, transport);
}

ScenarioRun ScenarioExecution::play() {
  HttpTransport transport(options_.client_limits);
  options_.session_model = learn_session_model(transport);
  auto run = play_scenario(scenario_, *topology_, transport, profile_, options_);
  run.seeded_session_ids = seeded_session_ids_;
  run.duration_ms =
      std::chrono::duration<double, std::milli>(Steady::now().time_since_epoch()).count() -
      started_ms_;
  return run;
}

void ScenarioExecution::finish() {
  const auto problems = topology_->stop();
  if (!problems.empty()) throw EnvironmentError(fmt::format("{}", fmt::join(problems, "; ")));
}

ScenarioRun run_scenario(const Scenario& scenario, const ClusterConfig& config,
                         const AppProfile& profile, const ScenarioOptions& options) {
  ScenarioExecution execution(scenario, config, profile, options);
  auto run = execution.play();
  execution.finish();
  return run;
}

}  // namespace sessim
