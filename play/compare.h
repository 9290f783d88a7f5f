#pragma once

#include <optional>
#include <string>
#include <vector>

#include "history/explain.h"
#include "history/run_result.h"
#include "scenario/scenario.h"
#include "vocab/compare_fault.h"
#include "vocab/front_kind.h"

namespace sessim {

// The faults `sessim compare` can inject: none, crash-node, stop-node,
// restart-node (each hitting the node that served the first request, unless
// the story addresses that node directly: see kInjectedFaultTarget) and
// restart-redis.

// The scenario with `fault` inserted right after its first request step.
// Throws UsageError for an unknown fault or a scenario without requests.
Scenario with_fault(const Scenario& scenario, CompareFault fault);

// One cell of the comparison matrix.
struct CompareCell {
  StoreKind store = StoreKind::local;
  StrategyKind balancer = StrategyKind::round_robin;
  FrontKind front = FrontKind::builtin;
  CompareFault fault = CompareFault::none;
  int reads_ok = 0;
  int reads_total = 0;
  Verdict verdict = Verdict::unknown;  // not_applicable: the fault could not be injected
  std::string not_applicable_reason;  // "" unless the verdict is not_applicable
  // Why the cell's first failed read failed, and what the app's sessions are
  // known to do, for its words (report/explanation_words.h).
  std::optional<ReadExplanation> first_failed_read;
  SessionModel model;

  double read_success_rate() const;  // 0..1; 0 when there were no reads
};

CompareCell make_cell(const ScenarioRun& run, StrategyKind balancer, FrontKind front,
                      CompareFault fault);

// A compared run as its own cell: titled with its balancer, front and
// fault; judged against what the file declares only where the cell is the
// file's own cluster (its balancer and front, no fault), since the file
// declares nothing about the others; and not applicable where the fault
// has nothing to act on (restart-redis where sessim runs no Redis).
void judge_as_cell(ScenarioRun& run, const Scenario& scenario, StrategyKind balancer,
                   FrontKind front, CompareFault fault);

}  // namespace sessim
