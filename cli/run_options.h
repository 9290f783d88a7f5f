#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "cli/cluster_flags.h"
#include "play/scenario_runner.h"
#include "report/json_report.h"

namespace sessim::cli {

// The flags of `run` (and the report flags `compare`, `bench` and `audit`
// share with it); the cluster's own flags are in `cluster` (cli/cluster_flags.h).
struct RunOptions {
  std::vector<std::string> scenarios;  // empty: the reference story
  ClusterFlags cluster;
  std::optional<int> reads;          // the reference story: 2 x nodes when not given
  std::optional<std::string> value;  // the reference story: "hello" when not given
  std::string json_path;             // "-": stdout, instead of the terminal report
  bool json = false;
  bool force = false;  // report files may replace a file that holds a scenario
  bool no_color = false;
  bool keep_running = false;
  // --fail-fast: "suite" stops every run at the first that fails; "story"
  // stops only that story at its first failed check; "": neither.
  std::string fail_fast;
  bool explain = false;
  std::string verdict = "actual";
  std::string junit_path;
  std::string history_path;          // JSON Lines of every run's operations
  std::string html_path;             // --report FILE.html
  std::string mermaid_path;          // --mermaid FILE
  std::string format = "auto";       // auto | table | steps | ascii
  bool trace = false;                // a line per request as it completes (stderr)
  bool quiet = false;                // -q: a verdict line per run, and the summary
  std::vector<std::string> tags;     // --tag: scenarios with any of these tags
  std::vector<std::string> filters;  // --filter: scenario names matching any (glob)
  double pace_s = 0;                 // wait before each step
  bool step_by_step = false;         // wait for Enter before each step
};

// --json alone or --json=-: JSON replaces the terminal report on stdout, so
// that it can be piped.
bool json_goes_to_stdout(const RunOptions& options);

// A fresh seed from the CSPRNG, small enough to type back in (48 bits).
std::uint64_t secure_random_seed();

// Starts this process's event loops (net/event_loops.h): --loops, else one
// per usable CPU. Every command calls it before it starts a server.
RunEnvironment start_event_loops(const ClusterFlags& flags);

// How run and compare play scenarios on the system the flags chose: the
// clients' limits, whether to probe the app first, and the seed (--seed, or a
// fresh one that every report prints).
ScenarioOptions playing_options(const ClusterFlags& flags);

}  // namespace sessim::cli
