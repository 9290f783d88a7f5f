#include <fmt/format.h>
#include <fmt/ranges.h>
#include <unistd.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <thread>

#include "cli/command_options.h"
#include "cli/commands.h"
#include "cli/output_files.h"
#include "cli/run_options.h"
#include "cli/signals.h"
#include "cli/terminal.h"
#include "cluster/capacity.h"
#include "common/errors.h"
#include "load/load_generator.h"
#include "report/json_report.h"

namespace sessim::cli {
namespace {

double ms(std::int64_t micros) { return static_cast<double>(micros) / 1000.0; }

std::string render_json(const LoadResult& result, const LoadOptions& load,
                        const ClusterSummary& cluster, const RunEnvironment& environment) {
  const auto& latency = result.latency;
  const nlohmann::json document{{"schema_version", 1},
                                {"command", "bench"},
                                {"target", load.target.url()},
                                {"cluster",
                                 {{"nodes", cluster.nodes},
                                  {"mode", cluster.mode},
                                  {"store", to_string(cluster.store)},
                                  {"balancer", cluster.balancer_name()},
                                  {"app", cluster.app}}},
                                {"users", load.users},
                                {"write_ratio", load.write_ratio},
                                {"seconds", result.seconds},
                                {"requests", result.requests},
                                {"succeeded", result.succeeded},
                                {"statuses", result.statuses},
                                {"throughput_rps", result.throughput_rps()},
                                {"latency_ms",
                                 {{"p50", ms(latency.percentile(0.5))},
                                  {"p90", ms(latency.percentile(0.9))},
                                  {"p99", ms(latency.percentile(0.99))},
                                  {"p999", ms(latency.percentile(0.999))},
                                  {"max", ms(latency.max())}}},
                                {"errors", result.errors},
                                {"reads", result.reads},
                                {"session_hit_rate", result.session_hit_rate()},
                                {"requests_per_node", result.requests_per_node},
                                {"generator_busy", result.generator_busy},
                                {"generator_saturated", result.generator_saturated()},
                                {"environment", environment_json(environment)}};
  return document.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::string render_text(const LoadResult& result, const LoadOptions& load) {
  const auto& latency = result.latency;
  std::string out = fmt::format(
      "bench: {} users against {} for {:.1f} s, {:.0f}% writes\n"
      "  requests    {} ({:.0f} req/s)\n"
      "  latency ms  p50 {:.2f}  p90 {:.2f}  p99 {:.2f}  p99.9 {:.2f}  max {:.2f}\n"
      "  session     {:.1f}% of {} reads returned the value the user had written\n",
      load.users, load.target.url(), result.seconds, load.write_ratio * 100, result.requests,
      result.throughput_rps(), ms(latency.percentile(0.5)), ms(latency.percentile(0.9)),
      ms(latency.percentile(0.99)), ms(latency.percentile(0.999)), ms(latency.max()),
      result.session_hit_rate() * 100, result.reads);
  out += "  per node   ";
  for (const auto& [node, count] : result.requests_per_node)
    out += fmt::format(" {} {}", node, count);
  out += "\n";
  out += "  statuses   ";
  for (const auto& [kind, count] : result.statuses) out += fmt::format(" {} {}", kind, count);
  out += result.statuses.empty() ? " none answered\n" : "\n";
  if (result.errors.empty()) {
    out += "  errors      none\n";
  } else {
    for (const auto& [kind, count] : result.errors)
      out += fmt::format("  errors      {} {}\n", count, kind);
  }
  if (result.generator_saturated()) {
    out += fmt::format(
        "  note: the load generator's loops were busy {:.0f}% of the time: it, not the target, "
        "may have limited the rate (--loops, fewer --users)\n",
        result.generator_busy * 100);
  }
  return out;
}

}  // namespace

int run_bench(const BenchOptions& options) {
  if (options.duration_s > 0 && options.requests > 0) {
    throw UsageError("give --duration or --requests, not both");
  }
  ReportOutputs outputs;
  if (options.run.json) outputs.add("--json", options.run.json_path);
  outputs.check({}, options.run.force);
  const auto profile = profile_for(nullptr, options.run.cluster);
  auto config = cluster_config(options.run.cluster, profile);
  if (config.target_url.rfind("https://", 0) == 0) {
    throw UsageError("sessim bench drives http:// targets only (no TLS in the load generator yet)");
  }
  const auto environment = start_event_loops(options.run.cluster);
  stop_everything_on_signal();
  const auto topology = start_topology(config);
  LoadOptions load;
  load.target = topology->entry();
  load.profile = profile;
  load.users = options.users;
  load.write_ratio = options.write_ratio;
  load.think_s = options.think_s;
  const auto limits = client_limits(options.run.cluster);
  load.max_response_bytes = limits.max_response_bytes;
  load.request_timeout = limits.request_timeout;
  load.loops = environment.event_loops;
  if (options.requests > 0) {
    load.requests = options.requests;
  } else {
    load.duration_s = options.duration_s > 0 ? options.duration_s : 10;
  }
  const bool progress = !json_goes_to_stdout(options.run) && ::isatty(STDERR_FILENO);
  const auto result = run_load(load, [progress](const LoadResult& so_far) {
    if (!progress) return;
    fmt::print(stderr, "\r  {:.1f} s  {} requests  {:.0f} req/s  p99 {:.2f} ms   ", so_far.seconds,
               so_far.requests, so_far.throughput_rps(), ms(so_far.latency.percentile(0.99)));
    std::fflush(stderr);
  });
  if (progress) fmt::print(stderr, "\r{:70}\r", "");
  const auto cluster = topology->summary();
  topology->stop();
  if (!json_goes_to_stdout(options.run)) fmt::print("{}", render_text(result, load));
  if (options.run.json)
    write_report(options.run.json_path, render_json(result, load, cluster, environment));
  // A load test in which nothing succeeded measured nothing.
  if (result.succeeded == 0) {
    std::vector<std::string> kinds;
    for (const auto& [kind, count] : result.errors)
      kinds.push_back(fmt::format("{}: {}", kind, count));
    fmt::print(stderr, "sessim bench: no request succeeded ({})\n",
               kinds.empty() ? std::string("none answered in time")
                             : fmt::format("{}", fmt::join(kinds, ", ")));
    return kExitChecksFailed;
  }
  return kExitOk;
}

}  // namespace sessim::cli
