#include "play/compare.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "common/errors.h"
#include "history/explain.h"
#include "vocab/faults.h"

namespace sessim {

Scenario with_fault(const Scenario& scenario, CompareFault fault) {
  if (fault == CompareFault::none) return scenario;
  const auto first_request = std::find_if(scenario.steps.begin(), scenario.steps.end(),
                                          [](const Step& step) { return is_request(step.kind); });
  if (first_request == scenario.steps.end()) {
    throw UsageError(fmt::format("{}: a fault needs a request step to follow", scenario.source));
  }
  Step injected;
  injected.position = first_request->position;
  switch (fault) {
    case CompareFault::restart_redis:
      injected.kind = StepKind::redis;
      injected.detail = RedisStep{RedisAction::restart};
      break;
    case CompareFault::crash_node:
    case CompareFault::stop_node:
    case CompareFault::restart_node:
    case CompareFault::none:
      injected.kind = fault == CompareFault::crash_node  ? StepKind::crash
                      : fault == CompareFault::stop_node ? StepKind::stop
                                                         : StepKind::restart;
      injected.detail = NodeFaultStep{kInjectedFaultTarget};
      break;
  }
  Scenario faulty = scenario;
  const auto offset = first_request - scenario.steps.begin() + 1;
  faulty.steps.insert(faulty.steps.begin() + offset, injected);
  return faulty;
}

double CompareCell::read_success_rate() const {
  return reads_total == 0 ? 0.0 : static_cast<double>(reads_ok) / reads_total;
}

CompareCell make_cell(const ScenarioRun& run, StrategyKind balancer, FrontKind front,
                      CompareFault fault) {
  CompareCell cell;
  cell.store = run.store;
  cell.balancer = balancer;
  cell.front = front;
  cell.fault = fault;
  cell.reads_ok = run.reads_ok();
  cell.reads_total = run.reads_total();
  cell.verdict = run.verdict();
  cell.model = run.model;
  if (!run.not_applicable_reason.empty()) {
    cell.not_applicable_reason = run.not_applicable_reason;
    return cell;
  }
  const auto explanations = explain_failed_reads(run);
  if (!explanations.empty()) cell.first_failed_read = explanations.begin()->second;
  return cell;
}

void judge_as_cell(ScenarioRun& run, const Scenario& scenario, StrategyKind balancer,
                   FrontKind front, CompareFault fault) {
  run.fault = fault;
  run.cell_balancer = balancer;
  run.cell_front = front;
  if (balancer != scenario.cluster.balancer || front != scenario.cluster.front ||
      fault != CompareFault::none) {
    run.declared.reset();
    run.declared_anomalies.reset();
    run.undeclared_why =
        fmt::format("the file declares for balancer={}, front={}, no fault",
                    to_string(scenario.cluster.balancer), to_string(scenario.cluster.front));
  }
  if (fault == CompareFault::restart_redis && !uses_redis(run.store) &&
      run.not_applicable_reason.empty()) {
    run.not_applicable_reason =
        fmt::format("restart-redis: store={} uses no Redis of sessim's", to_string(run.store));
  }
}

}  // namespace sessim
