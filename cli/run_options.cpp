#include "cli/run_options.h"

#include "common/random.h"

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

ScenarioOptions playing_options(const ClusterFlags& flags) {
  ScenarioOptions options;
  options.client_limits = client_limits(flags);
  options.probe = flags.probe ? ProbeMode::on : ProbeMode::off;
  options.seed = flags.seed ? *flags.seed : secure_random_seed();
  return options;
}

}  // namespace sessim::cli
