#include "cli/run_options.h"

#include "common/random.h"
#include "net/cpu_budget.h"
#include "net/event_loops.h"

namespace sessim::cli {

bool json_goes_to_stdout(const RunOptions& options) {
  return options.json && (options.json_path.empty() || options.json_path == "-");
}

std::uint64_t secure_random_seed() {
  std::uint64_t seed = 0;
  for (const char byte : secure_random_bytes(6))
    seed = (seed << 8) | static_cast<unsigned char>(byte);
  return seed;
}

RunEnvironment start_event_loops(const ClusterFlags& flags) {
  EventLoops::set_shared_loop_count(flags.loops.value_or(0));
  return {static_cast<int>(EventLoops::shared().size()), available_cpus()};
}

ScenarioOptions playing_options(const ClusterFlags& flags) {
  ScenarioOptions options;
  options.client_limits = client_limits(flags);
  options.probe = flags.probe ? ProbeMode::on : ProbeMode::off;
  options.seed = flags.seed ? *flags.seed : secure_random_seed();
  return options;
}

}  // namespace sessim::cli
