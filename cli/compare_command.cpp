#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <memory>

#include "balancer/strategy_factory.h"
#include "cli/commands.h"
#include "cli/output_files.h"
#include "cli/run_options.h"
#include "cli/signals.h"
#include "cli/terminal.h"
#include "cluster/capacity.h"
#include "common/errors.h"
#include "play/compare.h"
#include "play/scenario_runner.h"
#include "report/compare_report.h"
#include "report/scenario_report.h"
#include "scenario/scenario_catalog.h"
#include "scenario/scenario_loader.h"

namespace sessim::cli {
namespace {

struct CompareOptions {
  RunOptions run;
  std::string scenario = "sticky-session";
  std::vector<StoreKind> stores{StoreKind::local, StoreKind::redis};
  std::vector<StrategyKind> balancers{StrategyKind::round_robin, StrategyKind::ip_hash,
                                      StrategyKind::hash, StrategyKind::cookie};
  std::vector<std::string> faults{"none", "crash-node"};
  std::string markdown_path;
};

int compare(CompareOptions& options) {
  const auto sources = scenario_sources(options.scenario);
  ReportOutputs outputs;
  if (options.run.json) outputs.add("--json", options.run.json_path);
  outputs.add("--markdown", options.markdown_path);
  outputs.check(sources, options.run.force);
  const auto scenarios = load_scenarios({options.scenario});
  if (scenarios.size() != 1) throw UsageError("compare takes one scenario, not a directory");
  const auto& scenario = scenarios.front();

  // Every combination is planned and checked before the first cluster starts.
  struct Plan {
    StrategyKind balancer;
    std::string fault;
    Scenario scenario;
    ClusterConfig config;
  };
  const auto profile = profile_for(&scenario, options.run.cluster);
  std::vector<Plan> plans;
  for (const auto store : options.stores) {
    for (const auto balancer : options.balancers) {
      for (const auto& fault : options.faults) {
        auto faulty = with_fault(scenario, fault);
        auto config = scenario_cluster(faulty, store, options.run.cluster, profile);
        config.balancer = balancer;
        if (config.target_url.empty()) check_node_names(faulty, config.nodes);
        check_playable(faulty, abilities_of(config), profile);
        plans.push_back({balancer, fault, std::move(faulty), std::move(config)});
      }
    }
  }
  stop_everything_on_signal();
  ScenarioOptions scenario_options;
  scenario_options.client_limits = client_limits(options.run.cluster);
  scenario_options.probe = options.run.cluster.probe ? ProbeMode::on : ProbeMode::off;
  scenario_options.seed =
      options.run.cluster.seed ? *options.run.cluster.seed : secure_random_seed();

  CompareSummary summary;
  summary.scenario = scenario.name;
  summary.lesson = scenario.lesson;
  summary.stores = options.stores;
  summary.balancers = options.balancers;
  summary.faults = options.faults;
  summary.seed = scenario_options.seed;
  summary.seeded_session_ids =
      options.run.cluster.seed.has_value() && options.run.cluster.own_nodes();
  for (const auto& plan : plans) {
    summary.nodes = plan.config.nodes;
    summary.mode = node_set_label(plan.config);
    summary.on_miss = to_string(plan.config.on_miss);
    summary.sessim_nodes =
        plan.config.node_kind == NodeKind::sessim && plan.config.target_url.empty();
    const auto run = run_scenario(plan.scenario, plan.config, profile, scenario_options);
    summary.cells.push_back(make_cell(run, plan.balancer, plan.fault));
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
  return kExitOk;
}

}  // namespace

void add_compare_command(CLI::App& app, CommandAction& selected) {
  auto options = std::make_shared<CompareOptions>();
  auto* command = app.add_subcommand(
      "compare",
      "Run one scenario on a fresh cluster for every store x balancer x fault and print the share "
      "of reads that succeeded in each: the sticky-session lesson as one table. Exits 0 once the "
      "table is made, whatever its cells say.");
  command->add_option("scenario", options->scenario,
                      "scenario file or built-in name (default: sticky-session)");
  command
      ->add_option_function<std::vector<std::string>>(
          "--stores",
          [options](const std::vector<std::string>& names) {
            options->stores.clear();
            for (const auto& name : names) options->stores.push_back(parse_store_kind(name));
          },
          "stores to compare (default local,redis)")
      ->delimiter(',')
      ->check(CLI::IsMember(store_kind_names()));
  command
      ->add_option_function<std::vector<std::string>>(
          "--balancers",
          [options](const std::vector<std::string>& names) {
            options->balancers.clear();
            for (const auto& name : names) options->balancers.push_back(parse_strategy_kind(name));
          },
          "balancing strategies to compare (default round-robin,ip-hash,hash,cookie)")
      ->delimiter(',')
      ->check(CLI::IsMember(strategy_names()));
  command
      ->add_option("--faults", options->faults,
                   "faults injected after the first request (node faults hit the node that "
                   "served it)")
      ->delimiter(',')
      ->check(CLI::IsMember(fault_names()))
      ->capture_default_str();
  auto& run = options->run;
  register_cluster_flags(*command, FlagCommand::compare, run.cluster);
  add_seed_option(*command, run.cluster,
                  "seed for random choices, parallel steps and session ids: a rerun with it "
                  "repeats the table");
  add_json_option(*command, run, "the matrix");
  command->add_option("--markdown", options->markdown_path, "write the matrix as Markdown to FILE")
      ->type_name("FILE");
  command->add_flag("--force", run.force,
                    "let a report replace a file that holds a scenario (never the one compared)");
  command->add_flag("--explain", run.explain, "under the table, why each failing cell failed");
  command->add_flag("--no-color", run.no_color, "never colour the output");
  command->callback([options, &selected] {
    options->run.json = !options->run.json_path.empty();
    selected = [options] { return compare(*options); };
  });
}

}  // namespace sessim::cli
