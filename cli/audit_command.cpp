#include <fmt/format.h>

#include <memory>

#include "cli/command_options.h"
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

int run_audit(AuditCommandOptions& options) {
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
  start_event_loops(options.run.cluster);
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
  if (!report.incomplete.empty()) {
    throw EnvironmentError(fmt::format("audit incomplete: {}", report.incomplete));
  }
  return !never && audit_fails(report, threshold) ? kExitChecksFailed : kExitOk;
}

}  // namespace sessim::cli
