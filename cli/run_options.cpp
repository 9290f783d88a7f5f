#include "cli/run_options.h"

#include <fmt/format.h>

#include <CLI/CLI.hpp>

#include "common/random.h"

namespace sessim::cli {

bool json_goes_to_stdout(const RunOptions& options) {
  return options.json && (options.json_path.empty() || options.json_path == "-");
}

CLI::Option* add_seed_option(CLI::App& command, ClusterFlags& flags, const std::string& help) {
  const CLI::Validator digits(
      [](std::string& text) -> std::string {
        const bool only_digits = !text.empty() && text.size() <= 20 &&
                                 text.find_first_not_of("0123456789") == std::string::npos;
        if (only_digits && (text.size() < 20 || text <= "18446744073709551615")) return "";
        return "a seed is a whole number from 0 to 18446744073709551615, got '" + text + "'";
      },
      "SEED");
  return command.add_option("--seed", flags.seed, help)->check(digits);
}

CLI::Option* add_json_option(CLI::App& command, RunOptions& options, const std::string& what) {
  return command
      .add_flag("--json{-}", options.json_path,
                fmt::format("{} as JSON: --json prints it on stdout instead of the table, "
                            "--json=FILE writes FILE (docs/json-report.md)",
                            what))
      ->type_name("[=FILE]");
}

std::uint64_t secure_random_seed() {
  std::uint64_t seed = 0;
  for (const char byte : secure_random_bytes(6))
    seed = (seed << 8) | static_cast<unsigned char>(byte);
  return seed;
}

}  // namespace sessim::cli
