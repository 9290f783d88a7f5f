#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cluster/cluster.h"
#include "scenario/run_result.h"
#include "scenario/scenario.h"

namespace sessim {

// One executed step: a request step's requests with their checks, or what a
// fault did. Steps inside repeat and parallel appear once per execution.
struct StepRecord {
  int number = 0;     // order of execution, from 1
  std::string label;  // "get cart", "crash node-1 (2/3)"
  SourcePosition position;
  std::string note;  // faults and waits: what happened
  StepKind kind = StepKind::get;
  std::string fault_node;  // crash/stop/restart: the node it hit
  // redis start/restart without persistence: Redis came back empty.
  bool redis_came_back_empty = false;
  std::vector<RequestRecord> requests;
  double started_ms = 0;  // since the scenario began
};

enum class Verdict { pass, fail, unknown };
std::string to_string(Verdict verdict);

struct ScenarioRun {
  std::string scenario;
  std::string fault;  // the fault `sessim compare` injected, "" for none
  std::string lesson;
  std::string source;
  std::string store;
  ClusterSummary cluster;
  std::optional<DeclaredOutcome> declared;  // what the file says this store should do
  std::vector<StepRecord> steps;
  std::uint64_t seed = 0;
  bool stopped_early = false;  // --fail-fast stopped it after a failed check
  double duration_ms = 0;

  int checks_total() const;
  int checks_failed() const;
  // pass: at least one check and none failed; unknown: nothing was checked.
  Verdict verdict() const;
  // The verdict matches the declared outcome (false when none is declared).
  bool as_declared() const;
  // Reads: requests that checked a value or an absence; and how many of
  // those checks passed.
  int reads_total() const;
  int reads_ok() const;
};

// How a run counts toward the exit code: `actual` needs every scenario to
// pass; `declared` counts a run that did what its file declares (an expected
// failure included) as a success. An unknown verdict never succeeds.
enum class VerdictMode { actual, declared };
bool counts_as_success(const ScenarioRun& run, VerdictMode mode);

struct ScenarioOptions {
  bool fail_fast = false;
  std::uint64_t seed = 0;  // orders the branches of parallel steps
};

// Starts `cluster` (built from the scenario and the command line), plays the
// steps through it and stops it. A failed expectation is recorded and the
// story goes on (unless fail_fast). Throws ScenarioError for steps this
// cluster cannot run (checked before anything starts) and EnvironmentError
// when the cluster cannot start.
ScenarioRun run_scenario(const Scenario& scenario, const ClusterConfig& cluster,
                         const ScenarioOptions& options);

}  // namespace sessim
