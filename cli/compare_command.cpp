#include <fmt/format.h>

#include <memory>

#include "balancer/strategy_factory.h"
#include "cli/command_options.h"
#include "cli/commands.h"
#include "cli/output_files.h"
#include "cli/run_options.h"
#include "cli/signals.h"
#include "cli/terminal.h"
#include "cluster/capacity.h"
#include "common/errors.h"
#include "history/history_of.h"
#include "play/compare.h"
#include "play/scenario_runner.h"
#include "report/compare_report.h"
#include "report/html_report.h"
#include "report/scenario_report.h"
#include "scenario/scenario_catalog.h"
#include "scenario/scenario_loader.h"

namespace sessim::cli {

int run_compare(CompareOptions& options) {
  const auto sources = scenario_sources(options.scenario);
  ReportOutputs outputs;
  if (options.run.json) outputs.add("--json", options.run.json_path);
  outputs.add("--markdown", options.markdown_path);
  outputs.add("--report", options.html_path);
  outputs.check(sources, options.run.force);
  const auto scenarios = load_scenarios({options.scenario});
  if (scenarios.size() != 1) throw UsageError("compare takes one scenario, not a directory");
  const auto& scenario = scenarios.front();

  // Every combination is planned and checked before the first cluster starts.
  struct Plan {
    StrategyKind balancer;
    FrontKind front;
    CompareFault fault = CompareFault::none;
    Scenario scenario;
    ClusterConfig config;
  };
  const auto profile = profile_for(&scenario, options.run.cluster);
  std::vector<Plan> plans;
  for (const auto store : options.stores) {
    for (const auto balancer : options.balancers) {
      for (const auto front : options.fronts) {
        for (const auto& fault : options.faults) {
          auto faulty = with_fault(scenario, fault);
          auto flags = options.run.cluster;
          flags.balancer = balancer;
          flags.front = front;
          // with the strategy and front of this cell, so that a pair a
          // server cannot do is refused before the first cluster starts
          auto config = scenario_cluster(faulty, store, flags, profile);
          if (config.target_url.empty()) check_node_names(faulty, config.nodes);
          check_playable(faulty, abilities_of(config), profile);
          plans.push_back({balancer, front, fault, std::move(faulty), std::move(config)});
        }
      }
    }
  }
  start_event_loops(options.run.cluster);
  stop_everything_on_signal();
  const auto scenario_options = playing_options(options.run.cluster);

  CompareSummary summary;
  summary.scenario = scenario.name;
  summary.lesson = scenario.lesson;
  summary.stores = options.stores;
  summary.balancers = options.balancers;
  summary.fronts = options.fronts;
  summary.faults = options.faults;
  summary.seed = scenario_options.seed;
  summary.seeded_session_ids =
      options.run.cluster.seed.has_value() && options.run.cluster.own_nodes();
  std::vector<ScenarioRun> runs;  // kept for --report only
  std::vector<History> histories;
  for (const auto& plan : plans) {
    summary.nodes = plan.config.nodes;
    summary.mode = node_set_label(plan.config);
    summary.on_miss = to_string(plan.config.on_miss);
    summary.sessim_nodes =
        plan.config.node_kind == NodeKind::sessim && plan.config.target_url.empty();
    auto run = run_scenario(plan.scenario, plan.config, profile, scenario_options);
    judge_as_cell(run, scenario, plan.balancer, plan.front, plan.fault);
    summary.cells.push_back(make_cell(run, plan.balancer, plan.front, plan.fault));
    if (!options.html_path.empty()) {
      histories.push_back(history_of(run, profile));
      runs.push_back(std::move(run));
    }
  }

  TerminalStyle style;
  style.color = !options.run.no_color && should_use_color(stdout);
  style.explain = options.run.explain;
  const bool json_to_stdout = json_goes_to_stdout(options.run);
  if (!json_to_stdout) {
    fmt::print("{}", render_compare_matrix(summary, style));
    fmt::print("{}", seed_line(summary.seed, summary.seeded_session_ids, summary.sessim_nodes));
  }
  if (options.run.json) write_report(options.run.json_path, render_compare_json(summary));
  if (!options.markdown_path.empty()) {
    write_report(options.markdown_path, render_compare_markdown(summary));
  }
  if (!options.html_path.empty()) {
    write_report(options.html_path, render_compare_html(summary, runs, histories));
  }
  return kExitOk;
}

}  // namespace sessim::cli
