#include <fmt/format.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <climits>
#include <cstdio>
#include <fstream>
#include <memory>
#include <optional>
#include <set>

#include "balancer/strategy_factory.h"
#include "cli/commands.h"
#include "cli/run_options.h"
#include "cli/signals.h"
#include "cli/terminal.h"
#include "cluster/child_process.h"
#include "cluster/cluster.h"
#include "cluster/run_directory.h"
#include "common/errors.h"
#include "common/random.h"
#include "common/text.h"
#include "report/json_report.h"
#include "report/junit_report.h"
#include "report/scenario_report.h"
#include "report/terminal_report.h"
#include "scenario/reference_story.h"
#include "scenario/scenario_catalog.h"
#include "scenario/scenario_loader.h"
#include "scenario/scenario_runner.h"

namespace sessim::cli {
namespace {

int run_scenarios(const RunOptions& options) {
  const auto mode = options.verdict == "declared" ? VerdictMode::declared : VerdictMode::actual;
  const auto scenarios = load_scenarios(options.scenarios);
  // Every plan is checked before the first cluster starts.
  std::vector<std::pair<const Scenario*, ClusterConfig>> plan;
  for (const auto& scenario : scenarios) {
    for (const auto store : stores_for(scenario, options)) {
      plan.emplace_back(&scenario, scenario_cluster(scenario, store, options));
      check_node_names(scenario, plan.back().second.nodes);
    }
  }
  stop_everything_on_signal();
  ScenarioOptions scenario_options;
  scenario_options.fail_fast = options.fail_fast;
  scenario_options.seed = options.seed ? *options.seed : secure_random_seed();
  TerminalStyle style;
  style.color = !options.no_color && should_use_color(stdout);
  style.explain = options.explain;

  const bool json_to_stdout = json_goes_to_stdout(options);
  std::vector<ScenarioRun> runs;
  for (const auto& [scenario, config] : plan) {
    runs.push_back(run_scenario(*scenario, config, scenario_options));
    if (!json_to_stdout) fmt::print("{}", render_scenario_run(runs.back(), style));
    std::fflush(stdout);
  }
  if (!json_to_stdout) {
    fmt::print("{}", render_suite_summary(runs, mode, style));
    fmt::print("seed {}: rerun with --seed {}\n", scenario_options.seed, scenario_options.seed);
  }
  if (options.json) write_file(options.json_path, render_scenarios_json(runs, mode));
  if (!options.junit_path.empty()) write_file(options.junit_path, render_junit_report(runs, mode));
  const bool all = std::all_of(runs.begin(), runs.end(),
                               [mode](const auto& run) { return counts_as_success(run, mode); });
  return all ? kExitOk : kExitChecksFailed;
}

int run(const RunOptions& options) {
  if (!options.scenarios.empty()) return run_scenarios(options);
  if (!options.junit_path.empty()) throw UsageError("--junit needs a scenario to run");
  if (options.store.find(',') != std::string::npos) {
    throw UsageError("the reference story runs one store at a time; give a scenario to compare");
  }
  const auto config = cluster_config(options);
  stop_everything_on_signal();

  Cluster cluster(config);
  ReferenceStoryOptions story;
  story.value = options.value;
  story.reads = options.reads > 0 ? options.reads : 2 * options.nodes;
  RunResult result = run_reference_story("127.0.0.1", cluster.balancer_port(), story);
  result.cluster = summarize(cluster);
  if (!options.keep_running) cluster.stop();

  const bool json_to_stdout = json_goes_to_stdout(options);
  if (options.json && !json_to_stdout) write_file(options.json_path, render_json_report(result));
  if (json_to_stdout) {
    fmt::print("{}", render_json_report(result));
  } else {
    TerminalStyle style;
    style.color = !options.no_color && should_use_color(stdout);
    fmt::print("{}", render_terminal_report(result, style));
  }
  if (options.keep_running) {
    fmt::print(stderr, "cluster still running at {}; press Ctrl-C to stop it\n",
               cluster.balancer_url());
    std::fflush(stdout);
    std::fflush(stderr);
    while (true) ::pause();  // the signal thread stops everything and exits
  }
  return result.passed() ? kExitOk : kExitChecksFailed;
}

}  // namespace

void add_run_command(CLI::App& app, CommandAction& selected) {
  auto options = std::make_shared<RunOptions>();
  auto* command = app.add_subcommand(
      "run",
      "Without SCENARIO: start a cluster (N nodes, balancer, Redis if needed), drive the reference "
      "story through the balancer like a browser (one set-session, then K get-sessions), report "
      "every request and exit 0 only if every read returned the value written. With SCENARIO "
      "(a YAML file, a directory of them, or a built-in name from `sessim list`): play each "
      "scenario on a fresh cluster per store and report its verdict.");
  command->add_option("scenario", options->scenarios,
                      "scenario file, directory or built-in name (repeatable)");
  command->add_option("--nodes,-n", options->nodes, "number of app nodes")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  command
      ->add_option("--store,-s", options->store,
                   "where nodes keep sessions: local or redis; for scenarios a list such as "
                   "local,redis (default: the stores the scenario declares)")
      ->check([](const std::string& value) -> std::string {
        for (const auto& store : split_list(value)) {
          if (store != "local" && store != "redis") {
            return fmt::format("store '{}' is not local or redis", store);
          }
        }
        return "";
      })
      ->capture_default_str();
  command
      ->add_option("--mode,-m", options->mode,
                   "inproc: nodes are threads of this process; process: child processes")
      ->check(CLI::IsMember({"inproc", "process"}))
      ->capture_default_str();
  command->add_option("--redis-url", options->redis_url,
                      "use this Redis (redis://host:port[/db]) instead of a private redis-server");
  command
      ->add_option("--redis-server", options->redis_server,
                   "redis-server program for the private Redis")
      ->capture_default_str();
  command
      ->add_option("--base-port", options->base_port,
                   "node i listens on BASE+i-1 (default: free ports); 9001 reproduces the "
                   "reference setup")
      ->check(CLI::Range(1, 65535));
  command
      ->add_option("--balancer-port", options->balancer_port,
                   "balancer port (default: a free port); 9000 in the reference setup")
      ->check(CLI::Range(1, 65535));
  command->add_option("--balancer,-b", options->balancer, "balancing strategy")
      ->check(CLI::IsMember(strategy_names()))
      ->capture_default_str();
  command
      ->add_option("--hash-key", options->hash_key,
                   "what --balancer hash hashes: cookie:NAME or header:NAME")
      ->capture_default_str();
  command
      ->add_option("--on-miss", options->on_miss,
                   "nodes, when the cookie names no session they know: create (Spring: new "
                   "session, replacement cookie) or keep (express-session "
                   "saveUninitialized:false)")
      ->check(CLI::IsMember({"create", "keep"}))
      ->capture_default_str();
  command
      ->add_option("--health-check", options->health_check_ms,
                   "balancer: GET /healthz on every node every MS milliseconds (0: passive "
                   "checks only)")
      ->check(CLI::Range(0, 3'600'000));
  command
      ->add_option("--reads,-k", options->reads, "number of get-session reads (default: 2 x nodes)")
      ->check(CLI::Range(1, 100000));
  command->add_option("--value", options->value, "the value set-session stores")
      ->capture_default_str();
  command
      ->add_option("--session-timeout", options->session_timeout_s,
                   "session idle timeout in seconds")
      ->check(CLI::Range(1, 365 * 24 * 3600))
      ->capture_default_str();
  command->add_flag("--explain", options->explain,
                    "under each failed read, say in one sentence why it failed");
  command->add_flag("--fail-fast", options->fail_fast,
                    "stop a scenario at its first failed expectation");
  command
      ->add_option("--verdict", options->verdict,
                   "actual: exit 0 only if every scenario passes; declared: a scenario that "
                   "fails where its file declares it fails counts as a success")
      ->check(CLI::IsMember({"actual", "declared"}))
      ->capture_default_str();
  command->add_option("--seed", options->seed,
                      "seed for the order of parallel steps (printed by every run)");
  command->add_option("--junit", options->junit_path,
                      "write a JUnit XML report of the scenarios to FILE");
  auto* json = command
                   ->add_option("--json", options->json_path,
                                "write the result as JSON to FILE (default: stdout)")
                   ->expected(0, 1)
                   ->type_name("[FILE]");
  command->add_flag("--keep-running", options->keep_running,
                    "leave the cluster running after the report (explore it with curl) until "
                    "Ctrl-C");
  command->add_flag("--no-color", options->no_color,
                    "never colour the output (NO_COLOR works too)");
  command->callback([options, json, command, &selected] {
    options->json = json->count() > 0;
    remember_given_options(*command, *options);
    selected = [options] { return run(*options); };
  });
}

}  // namespace sessim::cli
