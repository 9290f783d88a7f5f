#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <memory>

#include "cli/commands.h"
#include "cli/output_files.h"
#include "cli/run_options.h"
#include "cli/signals.h"
#include "cli/terminal.h"
#include "cluster/capacity.h"
#include "cluster/cluster.h"
#include "common/errors.h"
#include "play/audit.h"
#include "report/audit_report.h"

namespace sessim::cli {
namespace {

struct AuditCommandOptions {
  RunOptions run;
  std::string fail_on = "high";
  std::string junit_path;
  std::string html_path;
  int samples = 20;
};

int audit(AuditCommandOptions& options) {
  ReportOutputs outputs;
  if (options.run.json) outputs.add("--json", options.run.json_path);
  outputs.add("--junit", options.junit_path);
  outputs.add("--report", options.html_path);
  outputs.check({}, options.run.force);
  // --fail-on never: the JSON and JUnit reports mark nothing below info.
  const bool never = options.fail_on == "never";
  const auto threshold = never ? Severity::info : parse_severity(options.fail_on).value();
  const auto profile = profile_for(nullptr, options.run.cluster);
  const auto config = cluster_config(options.run.cluster, profile);
  stop_everything_on_signal();
  auto topology = start_topology(config);
  HttpTransport transport(client_limits(options.run.cluster));
  AuditOptions audit_options;
  audit_options.id_samples = options.samples;
  audit_options.https = topology->entry().scheme == "https";
  const auto report = audit_app(profile, *topology, transport, audit_options);
  const auto problems = topology->stop();
  if (!problems.empty()) throw EnvironmentError(fmt::format("{}", fmt::join(problems, "; ")));

  if (!json_goes_to_stdout(options.run)) {
    TerminalStyle style;
    style.color = !options.run.no_color && should_use_color(stdout);
    fmt::print("{}", render_audit_terminal(report, style));
  }
  if (options.run.json) write_report(options.run.json_path, render_audit_json(report, threshold));
  if (!options.junit_path.empty()) {
    write_report(options.junit_path, render_audit_junit(report, threshold));
  }
  if (!options.html_path.empty()) write_report(options.html_path, render_audit_html(report));
  return !never && audit_fails(report, threshold) ? kExitChecksFailed : kExitOk;
}

}  // namespace

void add_audit_command(CLI::App& app, CommandAction& selected) {
  auto options = std::make_shared<AuditCommandOptions>();
  auto* command = app.add_subcommand(
      "audit",
      "Check how an app handles sessions across its instances: session fixation (adopted ids), "
      "id rotation on login, logout on every instance and of copied cookies, cookie flags, id "
      "entropy, damaged cookies answered with 5xx, sessions lost to a restart or kept on one "
      "instance, lost updates under concurrent writes. Each finding has a severity and the "
      "requests that show it. Exit 0 when no finding reaches --fail-on, 1 when one does.");
  auto& run = options->run;
  register_cluster_flags(*command, FlagCommand::audit, run.cluster);
  command
      ->add_option("--fail-on", options->fail_on,
                   "exit 1 when a finding is at least this severe: high, medium, low, info, or "
                   "never")
      ->check(CLI::IsMember({"high", "medium", "low", "info", "never"}))
      ->capture_default_str();
  command
      ->add_option("--samples", options->samples,
                   "fresh session ids drawn for the length and entropy estimate")
      ->check(CLI::Range(2, 1000))
      ->capture_default_str();
  add_json_option(*command, run, "the findings");
  command
      ->add_option("--junit", options->junit_path, "write JUnit XML to FILE (a case per finding)")
      ->type_name("FILE");
  command->add_option("--report", options->html_path, "write the findings as an HTML page")
      ->type_name("FILE");
  command->add_flag("--force", run.force, "let a report replace an existing file of another kind");
  command->add_flag("--no-color", run.no_color, "never colour the output");
  command->callback([options, &selected] {
    options->run.json = !options->run.json_path.empty();
    selected = [options] { return audit(*options); };
  });
}

}  // namespace sessim::cli
