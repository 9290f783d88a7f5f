#include <fmt/format.h>
#include <fmt/ranges.h>
#include <fnmatch.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "balancer/strategy_factory.h"
#include "cli/command_options.h"
#include "cli/commands.h"
#include "cli/output_files.h"
#include "cli/run_options.h"
#include "cli/signals.h"
#include "cli/terminal.h"
#include "cluster/capacity.h"
#include "common/errors.h"
#include "common/text.h"
#include "history/history_jsonl.h"
#include "history/history_of.h"
#include "play/scenario_runner.h"
#include "report/html_report.h"
#include "report/json_report.h"
#include "report/junit_report.h"
#include "report/scenario_report.h"
#include "report/sequence_diagram.h"
#include "report/terminal_report.h"
#include "scenario/reference_story.h"
#include "scenario/scenario_catalog.h"
#include "scenario/scenario_error.h"
#include "scenario/scenario_loader.h"

namespace sessim::cli {
namespace {

struct PlannedRun {
  const Scenario* scenario;
  ClusterConfig config;
  AppProfile profile;
};

// Flags that only the reference story reads must not be ignored in silence.
void refuse_reference_flags(const RunOptions& options) {
  for (const auto& [flag, given] : {std::pair{"reads", options.reads.has_value()},
                                    std::pair{"value", options.value.has_value()}}) {
    if (given) {
      throw UsageError(fmt::format(
          "--{} applies to the reference story only; a scenario says what it reads and writes",
          flag));
    }
  }
}

std::string keep_running_note(const ClusterSummary& cluster) {
  std::string note = "cluster still running; press Ctrl-C to stop it\n";
  if (!cluster.balancer) {
    note += fmt::format("  target    {}\n", cluster.balancer_url);
  } else {
    note += fmt::format("  balancer  {}  ({})\n", cluster.balancer_url, cluster.balancer_name());
  }
  for (const auto& node : cluster.node_urls) {
    note += fmt::format("  {:<8}  {}\n", node.name, node.url);
  }
  if (!cluster.redis_url.empty()) {
    note += fmt::format("  redis     {}{}\n", cluster.redis_url,
                        cluster.private_redis ? "  (private)" : "");
  }
  note += fmt::format("try: curl -c jar -b jar {}/get-session\n", cluster.balancer_url);
  return note;
}

class RunCommand {
 public:
  explicit RunCommand(const RunOptions& options)
      : options_(options),
        mode_(options.verdict == "declared"  ? VerdictMode::declared
              : options.verdict == "lenient" ? VerdictMode::lenient
                                             : VerdictMode::actual) {
    style_.color = !options.no_color && should_use_color(stdout);
    style_.explain = options.explain;
  }

  // Whatever ends the run (a failed check, a broken file, a system that
  // broke or never answered), every report asked for is written and says
  // the same as the exit code; one left by an earlier run never stays.
  int run() {
    try {
      return run_suite();
    } catch (const ScenarioError& error) {
      report_stop("usage", error.what());
      throw;
    } catch (const UsageError& error) {
      report_stop("usage", error.what());
      throw;
    } catch (const EnvironmentError& error) {
      report_stop("environment", error.what());
      throw;
    } catch (const StoreUnavailable& error) {
      report_stop("environment", error.what());
      throw;
    }
  }

 private:
  int run_suite() {
    ScenarioLoad load;
    if (options_.scenarios.empty()) {
      if (options_.cluster.stores.size() > 1) {
        throw UsageError(
            "the reference story runs one store at a time; give a scenario to compare stores");
      }
      const int reads = options_.reads.value_or(2 * options_.cluster.nodes.value_or(2));
      load.scenarios.push_back(reference_scenario(options_.value.value_or("hello"), reads));
    } else {
      refuse_reference_flags(options_);
      if (std::find(options_.scenarios.begin(), options_.scenarios.end(), "-") !=
          options_.scenarios.end()) {
        throw UsageError(
            "'-' is not a scenario; for JSON on stdout write --json (or --json=-), the value "
            "attached with =");
      }
      load = load_every_scenario(options_.scenarios);
      select_by_tag_and_name(load);
    }
    input_files_ = load.files;
    check_outputs();

    // Every plan is checked before the first cluster starts. A scenario that
    // names a node the cluster lacks, or asks what the app cannot do, is
    // invalid like a file that does not parse: reported, and the others run.
    std::vector<PlannedRun> plan;
    for (const auto& scenario : load.scenarios) {
      const auto profile = profile_for(&scenario, options_.cluster);
      if (scenario.source == "reference") {
        plan.push_back({&scenario, cluster_config(options_.cluster, profile), profile});
        check_playable(scenario, abilities_of(plan.back().config), profile);
        continue;
      }
      const auto first = plan.size();
      try {
        for (const auto store : stores_for(scenario, options_.cluster)) {
          // --redis-wait 0,1: a Redis store once per value; any other store
          // once, the list meaning nothing to it.
          const auto& given = options_.cluster.redis_waits;
          const auto waits =
              uses_redis(store) || given.empty() ? given : std::vector<int>{given.front()};
          for (std::size_t i = 0; i < std::max<std::size_t>(waits.size(), 1); ++i) {
            auto flags = options_.cluster;
            if (!waits.empty()) flags.redis_waits = {waits[i]};
            plan.push_back({&scenario, scenario_cluster(scenario, store, flags, profile), profile});
            if (options_.cluster.target.empty()) {
              check_node_names(scenario, plan.back().config.nodes);
            }
            check_playable(scenario, abilities_of(plan.back().config), profile);
          }
        }
      } catch (const ScenarioError& error) {
        plan.resize(first);
        load.invalid.push_back({scenario.source, error.what()});
      }
    }
    if (!load.invalid.empty() && (!options_.fail_fast.empty() || plan.empty())) {
      return report_invalid(load.invalid);
    }
    invalid_ = load.invalid;
    for (const auto& source : invalid_) fmt::print(stderr, "{}\n", source.message);
    if (options_.keep_running && plan.size() != 1) {
      throw UsageError(fmt::format(
          "--keep-running leaves one cluster up, but this run plays {} (give one scenario and "
          "one --store)",
          count_of(static_cast<long long>(plan.size()), "cluster")));
    }
    environment_ = start_event_loops(options_.cluster);
    if (options_.trace) {
      fmt::print(stderr, "sessim: {} event loops ({} usable CPUs)\n", environment_.event_loops,
                 environment_.usable_cpus);
    }
    stop_everything_on_signal();
    auto scenario_options = playing_options(options_.cluster);
    scenario_options.fail_fast = !options_.fail_fast.empty();
    // --verdict lenient lets a run pass where a node was down throughout;
    // otherwise such a run tested nothing of what it is about: an error.
    scenario_options.down_node_is_error = mode_ != VerdictMode::lenient;
    watch(scenario_options);

    auto& runs = runs_;
    auto& runs_mutex = runs_mutex_;
    set_interruption_report([this, &runs, &runs_mutex, total = plan.size()] {
      const std::lock_guard lock(runs_mutex);
      std::string report = fmt::format("\ninterrupted after {} of {}\n", runs.size(),
                                       count_of(static_cast<long long>(total), "run"));
      if (!runs.empty()) report += render_suite_summary(runs, mode_, style_);
      return report;
    });
    // The report refers to `runs`: it must not outlive this function.
    struct ClearReport {
      ~ClearReport() { set_interruption_report(nullptr); }
    } clear_report;
    for (const auto& planned : plan) profiles_.push_back(planned.profile);
    for (std::size_t index = 0; index < plan.size(); ++index) {
      const auto& planned = plan[index];
      if (!end_.not_run_why.empty()) {
        end_.not_run.push_back(planned_name(planned));
        continue;
      }
      std::optional<ScenarioExecution> started;
      try {
        started.emplace(*planned.scenario, planned.config, planned.profile, scenario_options);
      } catch (const EnvironmentError& error) {
        stop_at(plan, index, error.what());
        break;
      } catch (const StoreUnavailable& error) {
        stop_at(plan, index, error.what());
        break;
      }
      auto& execution = *started;
      const bool streaming = streams(*planned.scenario);
      auto options = scenario_options;
      if (streaming) {
        ScenarioRun header;
        header.scenario = planned.scenario->name;
        header.lesson = planned.scenario->lesson;
        header.store = execution.topology().store();
        header.cluster = execution.topology().summary();
        fmt::print("{}", render_scenario_header(header, style_));
        std::fflush(stdout);
        auto previous = options.on_step;
        options.on_step = [this, previous](const StepRecord& step) {
          if (previous) previous(step);
          static std::mutex lines;
          const std::lock_guard lock(lines);
          fmt::print("{}", render_scenario_step(step, style_));
          std::fflush(stdout);
        };
      }
      execution.set_options(options);
      auto run = execution.play();
      run.rerun_flags = options_.cluster.rerun_flags();
      {
        const std::lock_guard lock(runs_mutex);
        runs.push_back(std::move(run));
      }
      if (streaming) {
        fmt::print("{}", render_scenario_footer(runs.back(), style_));
        std::fflush(stdout);
      }
      if (!json_goes_to_stdout(options_)) {
        if (!streaming && !options_.quiet) print_run(runs.back(), planned.profile);
        // A CI log has no terminal to stream to: one line per finished run.
        if ((!streaming && planned.scenario->source != "reference") || options_.quiet) {
          fmt::print("{}",
                     render_verdict_line(runs.back(), mode_, runs.size(), plan.size(), style_));
          std::fflush(stdout);
        }
      }
      if (options_.keep_running) {
        finish(runs);
        fmt::print(stderr, "{}", keep_running_note(runs.back().cluster));
        if (options_.trace) trace_balancer(execution);
        std::fflush(stderr);
        while (true) ::pause();  // the signal thread stops everything and exits
      }
      try {
        execution.finish();
      } catch (const EnvironmentError& error) {
        stop_at(plan, index + 1, error.what());
        break;
      }
      if (options_.fail_fast == "suite" && !counts_as_success(runs.back(), mode_)) {
        end_.not_run_why = fmt::format("--fail-fast: {} [{}] did not succeed", runs.back().scenario,
                                       runs.back().variant());
      }
    }
    return finish(runs);
  }

  static std::string planned_name(const PlannedRun& planned) {
    return fmt::format("{} [store={}]", planned.scenario->name, to_string(planned.config.store));
  }

  // A system that could not start, or broke between runs: the suite stops
  // there, and the reports say so with the runs it never played.
  void stop_at(const std::vector<PlannedRun>& plan, std::size_t from, const std::string& why) {
    end_.stopped_by = why;
    end_.stop_kind = "environment";
    for (auto i = from; i < plan.size(); ++i) end_.not_run.push_back(planned_name(plan[i]));
    if (!end_.not_run.empty()) end_.not_run_why = "the suite stopped: " + why;
  }

  void check_outputs() {
    if (outputs_checked_) return;
    ReportOutputs outputs;
    if (options_.json) outputs.add("--json", options_.json_path);
    outputs.add("--junit", options_.junit_path);
    outputs.add("--history", options_.history_path);
    outputs.add("--report", options_.html_path);
    outputs.add("--mermaid", options_.mermaid_path);
    outputs.check(input_files_, options_.force);
    outputs_checked_ = true;
    // A report left from an earlier run must not pass for this one's, even
    // if this run is killed before it writes its own.
    outputs.remove_earlier();
  }

  // Writes the JSON and JUnit reports of a suite that stopped on an error
  // thrown past run_suite(); the caller prints it and exits 2 or 3.
  void report_stop(const std::string& kind, const std::string& why) {
    if (reports_written_) return;
    try {
      check_outputs();
    } catch (const UsageError&) {
      return;  // the paths themselves are what is wrong: nothing may be written there
    }
    end_.stopped_by = why;
    end_.stop_kind = kind;
    const std::lock_guard lock(runs_mutex_);
    write_machine_reports(runs_);
  }

  void write_machine_reports(const std::vector<ScenarioRun>& runs) {
    reports_written_ = true;
    if (options_.json) {
      write_report(options_.json_path, render_runs_json(runs, mode_, end_, environment_));
    }
    if (!options_.junit_path.empty()) {
      write_report(options_.junit_path, render_junit_report(runs, mode_, end_));
    }
  }

  // On a terminal, a scenario's steps print as they run, not all at the end.
  bool streams(const Scenario& scenario) const {
    return scenario.source != "reference" && !json_goes_to_stdout(options_) && !options_.quiet &&
           (options_.format == "auto" || options_.format == "steps") && ::isatty(STDOUT_FILENO);
  }

  // --trace, --pace, --step: the story as it happens.
  void watch(ScenarioOptions& scenario) const {
    if (options_.trace) {
      scenario.on_request = [](const RequestRecord& record) {
        static std::mutex lines;  // parallel branches finish at once
        const std::lock_guard lock(lines);
        fmt::print(stderr, "{}\n", trace_line(record));
        std::fflush(stderr);
      };
      scenario.on_step = [](const StepRecord& step) {
        if (step.requests.empty() && !step.note.empty()) {
          fmt::print(stderr, "{:>9.1f} ms  step {}: {}\n", step.ended_ms, step.label, step.note);
        }
      };
    }
    const auto pace = std::chrono::duration<double>(options_.pace_s);
    const bool step_by_step = options_.step_by_step;
    if (options_.pace_s > 0 || step_by_step) {
      // Without a terminal (a log, a pipe that feeds Enter) each prompt is a
      // line of its own; when stdin ends, the rest runs without waiting.
      const bool terminal = ::isatty(STDERR_FILENO) != 0;
      auto input_ended = std::make_shared<bool>(false);
      scenario.before_step = [pace, step_by_step, terminal, input_ended](const Step& step) {
        if (!step_by_step) {
          std::this_thread::sleep_for(pace);
          return;
        }
        if (*input_ended) {
          fmt::print(stderr, "next: {} ({})\n", step.describe(), step.position.to_string());
          return;
        }
        fmt::print(stderr, "next: {} ({}) — press Enter{}", step.describe(),
                   step.position.to_string(), terminal ? " " : "\n");
        std::fflush(stderr);
        std::string ignored;
        if (!std::getline(std::cin, ignored)) {
          *input_ended = true;
          fmt::print(stderr, "(stdin has ended: the remaining steps run without waiting)\n");
        }
      };
    }
  }

  // With --keep-running: what the balancer forwards for the user's own
  // requests (curl, a browser).
  static void trace_balancer(ScenarioExecution& execution) {
    execution.topology().set_access_log([](const std::string& line) {
      fmt::print(stderr, "balancer: {}\n", line);
      std::fflush(stderr);
    });
  }

  void print_run(const ScenarioRun& run, const AppProfile& profile) const {
    const bool table =
        options_.format == "table" || (options_.format == "auto" && run.source == "reference");
    if (options_.format == "ascii") {
      fmt::print("{} [store={}]\n{}", run.scenario, to_string(run.store),
                 render_ascii_sequence(run, history_of(run, profile)));
      fmt::print("{}\n", anomaly_summary(run));
    } else {
      fmt::print("{}",
                 table ? render_request_table(run, style_) : render_scenario_run(run, style_));
    }
    std::fflush(stdout);
  }

  // The summary, the reports and the exit code.
  int finish(const std::vector<ScenarioRun>& runs) {
    end_.invalid = invalid_;
    const bool reference = runs.size() == 1 && runs.front().source == "reference";
    if (!json_goes_to_stdout(options_) && !reference && options_.quiet && !runs.empty()) {
      fmt::print("{}", render_suite_count(runs, mode_));
    } else if (!json_goes_to_stdout(options_) && !reference && !runs.empty()) {
      fmt::print("{}", render_suite_summary(runs, mode_, style_));
      fmt::print("{}", seed_line(runs.front().seed, runs.front().seeded_session_ids,
                                 runs.front().cluster.kind == "sessim"));
    }
    if (!end_.not_run.empty() && !json_goes_to_stdout(options_)) {
      fmt::print("not run ({}): {}\n", end_.not_run_why, fmt::join(end_.not_run, ", "));
    }
    write_machine_reports(runs);
    std::vector<History> histories;
    for (std::size_t i = 0; i < runs.size(); ++i)
      histories.push_back(history_of(runs[i], profiles_[i]));
    if (!options_.history_path.empty()) {
      std::string text;
      for (const auto& history : histories) text += render_history_jsonl(history);
      write_report(options_.history_path, text);
    }
    if (!options_.html_path.empty()) {
      write_report(options_.html_path, render_html_report(runs, histories));
    }
    if (!options_.mermaid_path.empty()) {
      std::string text;
      for (std::size_t i = 0; i < runs.size(); ++i) {
        text += fmt::format("%% {} [store={}]\n{}", runs[i].scenario, to_string(runs[i].store),
                            render_mermaid(runs[i], histories[i]));
      }
      write_report(options_.mermaid_path, text);
    }
    if (!end_.stopped_by.empty()) {
      fmt::print(stderr, "sessim: {}\n", end_.stopped_by);
      return kExitEnvironment;
    }
    const bool all = std::all_of(runs.begin(), runs.end(), [this](const ScenarioRun& run) {
      return counts_as_success(run, mode_);
    });
    if (!invalid_.empty()) {
      fmt::print(stderr, "sessim: {} invalid (said above, and in the reports); the others ran\n",
                 count_of(static_cast<long long>(invalid_.size()), "scenario file"));
      return kExitUsage;
    }
    // A node that ended on its own broke the system under test: an error of
    // the environment, whatever the checks said or the file declared.
    for (const auto& run : runs) {
      if (run.verdict() == Verdict::error) {
        fmt::print(stderr, "sessim: {}: {}\n", run.scenario, run.error);
        return kExitEnvironment;
      }
    }
    return all && end_.not_run.empty() ? kExitOk : kExitChecksFailed;
  }

  // Nothing runs when a file is broken; the reports still say which.
  int report_invalid(const std::vector<InvalidScenario>& invalid) {
    for (const auto& source : invalid) fmt::print(stderr, "{}\n", source.message);
    end_.invalid = invalid;
    write_machine_reports({});
    fmt::print(stderr, "sessim: {} invalid; nothing was run\n",
               count_of(static_cast<long long>(invalid.size()), "scenario file"));
    return kExitUsage;
  }

  // --tag and --filter: the scenarios to play; every invalid file is still
  // reported.
  void select_by_tag_and_name(ScenarioLoad& load) const {
    if (options_.tags.empty() && options_.filters.empty()) return;
    std::set<std::string> known_tags;
    std::vector<Scenario> chosen;
    for (auto& scenario : load.scenarios) {
      known_tags.insert(scenario.tags.begin(), scenario.tags.end());
      const bool tagged =
          options_.tags.empty() ||
          std::any_of(options_.tags.begin(), options_.tags.end(), [&](const auto& tag) {
            return std::find(scenario.tags.begin(), scenario.tags.end(), tag) !=
                   scenario.tags.end();
          });
      const bool named =
          options_.filters.empty() ||
          std::any_of(options_.filters.begin(), options_.filters.end(), [&](const auto& pattern) {
            return ::fnmatch(pattern.c_str(), scenario.name.c_str(), 0) == 0;
          });
      if (tagged && named) chosen.push_back(std::move(scenario));
    }
    if (chosen.empty() && load.invalid.empty()) {
      throw UsageError(fmt::format(
          "no scenario matches{}{} (of {}; tags in them: {})",
          options_.tags.empty() ? "" : fmt::format(" --tag {}", fmt::join(options_.tags, ",")),
          options_.filters.empty() ? ""
                                   : fmt::format(" --filter {}", fmt::join(options_.filters, " ")),
          count_of(static_cast<long long>(load.scenarios.size()), "scenario"),
          known_tags.empty() ? "none" : fmt::format("{}", fmt::join(known_tags, ", "))));
    }
    load.scenarios = std::move(chosen);
  }

  const RunOptions& options_;
  std::vector<std::string> input_files_;  // never written to
  bool outputs_checked_ = false;
  bool reports_written_ = false;
  std::vector<ScenarioRun> runs_;
  std::mutex runs_mutex_;  // the signal thread reads the completed runs
  SuiteEnd end_;
  std::vector<InvalidScenario> invalid_;  // reported beside the runs
  std::vector<AppProfile> profiles_;      // per planned run
  RunEnvironment environment_;
  VerdictMode mode_;
  TerminalStyle style_;
};

}  // namespace

int run_scenarios(const RunOptions& options) { return RunCommand(options).run(); }

}  // namespace sessim::cli
