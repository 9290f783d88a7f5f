#include <fmt/format.h>
#include <fmt/ranges.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "cli/command_options.h"
#include "common/errors.h"
#include "deploy/deployment_export.h"

namespace sessim::cli {

int run_export(const ExportOptions& options) {
  const auto& flags = options.cluster;
  if (flags.stores.size() > 1)
    throw UsageError("export writes one store: --store local, redis or redis-sentinel");
  ExportPlan plan;
  if (flags.nodes) plan.nodes = *flags.nodes;
  plan.store = flags.stores.empty() ? StoreKind::redis : flags.stores.front();
  plan.front = *flags.front;
  if (flags.balancer) plan.strategy = *flags.balancer;
  plan.hash_key = flags.hash_key.value_or("cookie:SESSION");
  if (flags.health_check) plan.health.check_interval_ms = flags.health_check->count();
  if (flags.upstream_timeout) plan.upstream_timeout = *flags.upstream_timeout;
  if (flags.session_timeout_s) plan.session_timeout_s = *flags.session_timeout_s;
  plan.command = flags.node_cmd;
  plan.image = options.image;
  plan.app_port = options.app_port;
  plan.published_port = options.published_port;
  const bool k8s = options.kind == "k8s";
  const auto files = k8s ? export_k8s(plan) : export_compose(plan);

  const auto folder = std::filesystem::absolute(options.out).lexically_normal().string();
  std::vector<std::string> names;
  for (const auto& file : files) names.push_back(file.name);
  names.push_back("run-story.sh");
  if (!options.force) {
    for (const auto& name : names) {
      if (std::filesystem::exists(folder + "/" + name)) {
        throw UsageError(fmt::format("{}/{} exists; give --force to overwrite it", folder, name));
      }
    }
  }
  std::error_code error;
  std::filesystem::create_directories(folder, error);
  if (error) throw EnvironmentError(fmt::format("cannot create {}: {}", folder, error.message()));
  const auto write = [&](const std::string& name, const std::string& text) {
    std::ofstream file(folder + "/" + name, std::ios::trunc);
    file << text;
    if (!file.flush()) throw EnvironmentError(fmt::format("cannot write {}/{}", folder, name));
  };
  for (const auto& file : files) write(file.name, file.text);
  const auto start =
      k8s ? fmt::format("kubectl apply -f {}/sessim.yaml", folder)
          : fmt::format("docker compose -p {} -f {}/compose.yaml up -d", plan.project, folder);
  write("run-story.sh",
        fmt::format("#!/bin/bash\n# Plays a story against the exported deployment, started "
                    "with:\n#   {}\n{}{}\n",
                    start, k8s ? "" : "exec ",
                    k8s ? k8s_round_trip_command(plan, options.story)
                        : round_trip_command(plan, folder, options.story)));
  ::chmod((folder + "/run-story.sh").c_str(), 0755);
  fmt::print("sessim: wrote {} into {}\n", fmt::join(names, ", "), folder);
  fmt::print("  start it:  {}\n", start);
  fmt::print(
      "  play:      {}/run-story.sh (sessim run {} --target http://127.0.0.1:{} with "
      "--fault-cmd for crash, stop and restart)\n",
      folder, options.story, plan.published_port);
  return kExitOk;
}

}  // namespace sessim::cli
