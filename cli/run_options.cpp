#include "cli/run_options.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <climits>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <mutex>

#include "cli/flag_checks.h"
#include "cli/signals.h"
#include "cluster/child_process.h"
#include "cluster/command_node.h"
#include "cluster/run_directory.h"
#include "common/errors.h"
#include "common/random.h"
#include "common/text.h"

namespace sessim::cli {

std::chrono::milliseconds seconds_to_ms(double seconds) {
  return std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000));
}

std::string own_executable() {
  char path[PATH_MAX];
  const ssize_t length = ::readlink("/proc/self/exe", path, sizeof(path) - 1);
  if (length <= 0) throw EnvironmentError("cannot find the sessim executable (/proc/self/exe)");
  return std::string(path, static_cast<std::size_t>(length));
}

// Inproc nodes and the balancer are threads and end with the process.
namespace {

std::mutex interruption_mutex;
std::function<std::string()>& interruption_report() {
  static std::function<std::string()> report;
  return report;
}

}  // namespace

void set_interruption_report(std::function<std::string()> report) {
  const std::lock_guard lock(interruption_mutex);
  interruption_report() = std::move(report);
}

void stop_everything_on_signal() {
  handle_termination_signals([](int signal) {
    terminate_all_children(std::chrono::milliseconds(2000));
    remove_all_run_directories();
    {
      const std::lock_guard lock(interruption_mutex);
      if (interruption_report()) {
        fmt::print("{}", interruption_report()());
        std::fflush(stdout);
      }
    }
    fmt::print(stderr, "sessim: interrupted ({}); all nodes and servers stopped\n",
               strsignal(signal));
    std::fflush(stderr);
    ::_exit(128 + signal);
  });
}

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
