#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "app/app_profile.h"
#include "cluster/cluster.h"
#include "net/http_client.h"
#include "scenario/scenario.h"

namespace CLI {
class App;
class Option;
}  // namespace CLI

namespace sessim::cli {

// The cluster flags of `run` and `compare`, as parsed.
struct RunOptions {
  std::vector<std::string> scenarios;  // empty: the reference story
  int nodes = 2;
  std::string store = "local";
  std::string mode = "inproc";
  std::string redis_url;
  std::string redis_server = "redis-server";
  int base_port = 0;
  int balancer_port = 0;
  std::string balancer = "round-robin";
  int reads = 0;  // 0: twice the number of nodes
  std::string value = "hello";
  int session_timeout_s = 1800;
  std::string json_path;  // "-": stdout, instead of the terminal report
  bool json = false;
  bool force = false;  // report files may replace a file that holds a scenario
  bool no_color = false;
  bool keep_running = false;
  std::string hash_key;  // given: this; else cookie:<the profile's session cookie>
  std::string on_miss = "create";
  std::string save_mode = "delta";
  std::string flush = "on-request-end";
  int node_delay_ms = 0;
  int max_sessions = 100'000;
  int health_check_ms = 0;
  double upstream_timeout_s = 10;
  bool fail_fast = false;
  bool explain = false;
  std::string verdict = "actual";
  std::optional<std::uint64_t> seed;  // given on the command line
  std::string junit_path;
  std::string history_path;     // JSON Lines of every run's operations
  std::string html_path;        // --report FILE.html
  std::string mermaid_path;     // --mermaid FILE
  std::string format = "auto";  // auto | table | steps | ascii
  bool trace = false;           // a line per request as it completes (stderr)
  double pace_s = 0;            // wait before each step
  bool step_by_step = false;    // wait for Enter before each step
  // The system under test, when it is not sessim's own nodes.
  std::string probe = "on";  // learn the app's session model first (on | off)
  std::string profile;      // built-in name or file; "": the scenario's, else default
  std::string node_header;  // overrides the profile's
  std::string node_cmd;     // the user's app as N command nodes
  bool node_shell = false;
  std::string ready_path;
  double ready_timeout_s = 30;
  double stop_grace_s = 3;
  std::vector<std::string> upstreams;  // servers that already run
  std::string target;                  // the user's own entry point
  bool insecure = false;               // --target https:// without certificate checks
  // What one response may cost sessim's clients (net/http_client.h).
  std::uint64_t max_response_bytes = 1 << 20;
  std::uint64_t node_log_bytes = kDefaultNodeLogBytes;
  double request_timeout_s = 10;
  // Which flags were given, so that they override a scenario's own cluster.
  std::set<std::string> given;
};

// The limits of sessim's clients (the browser, bench) from the flags.
HttpClientLimits client_limits(const RunOptions& options);

// A flag's seconds (1.5) as the milliseconds the library takes.
std::chrono::milliseconds seconds_to_ms(double seconds);

// The sessim binary itself, for the process mode.
std::string own_executable();

// On SIGINT/SIGTERM/SIGHUP: stop every child (nodes, redis-server), remove
// the run's temporary files, print the partial report (see below) and exit
// with 128+signal.
void stop_everything_on_signal();

// What an interrupted command prints on stdout before it exits: the runs it
// completed. Called on the signal thread; must be thread-safe.
void set_interruption_report(std::function<std::string()> report);

// The cluster the flags ask for; throws UsageError for impossible ones. An
// explicit --seed also seeds the nodes' session ids (SeededSessionIds).
ClusterConfig cluster_config(const RunOptions& options, const AppProfile& profile);

// The app profile: --profile, else the scenario's `app:`, else `sessim` for
// sessim's own nodes and `spring` (the reference app) for any other; with
// --node-header applied.
AppProfile profile_for(const Scenario* scenario, const RunOptions& options);

// --save-mode, --flush, --node-delay: how sessim's nodes treat sessions.
void add_session_handling_options(CLI::App& command, RunOptions& options);

// --profile, --node-cmd, --upstream, --target and their companions, shared by
// run and compare.
void add_system_under_test_options(CLI::App& command, RunOptions& options);

// --json alone or --json=-: JSON replaces the terminal report on stdout, so
// that it can be piped.
bool json_goes_to_stdout(const RunOptions& options);

// `--json` alone means stdout; `--json=FILE` writes FILE. A separate word
// after --json is never taken as its value: it stays a positional argument
// (a scenario), so that `run --json my-story.yaml` runs my-story.yaml.
CLI::Option* add_json_option(CLI::App& command, RunOptions& options, const std::string& what);

// --seed N: a whole number from 0 to 2^64-1, written in decimal digits only
// (CLI11 would read "-1" as 2^64-1).
CLI::Option* add_seed_option(CLI::App& command, RunOptions& options, const std::string& help);

// A fresh seed from the CSPRNG, small enough to type back in (48 bits).
std::uint64_t secure_random_seed();

// --store as a list, else the stores the scenario declares, else its own.
std::vector<StoreKind> stores_for(const Scenario& scenario, const RunOptions& options);

// The scenario's cluster for one store, with the flags that were given
// overriding it.
ClusterConfig scenario_cluster(const Scenario& scenario, StoreKind store, const RunOptions& options,
                               const AppProfile& profile);

// Records which long options were given on the command line.
void remember_given_options(const CLI::App& command, RunOptions& options);

}  // namespace sessim::cli
