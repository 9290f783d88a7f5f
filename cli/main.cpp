#include <fmt/format.h>

#include <CLI/CLI.hpp>

#include "cli/command_line.h"
#include "cli/commands.h"
#include "cli/signals.h"
#include "common/errors.h"
#include "node/store/session_store.h"
#include "scenario/scenario_error.h"
#include "sessim_version.h"
#include "sys/child_process.h"

namespace {

constexpr const char* kExitCodes =
    "Exit codes (every command):\n"
    "  0    every check passed (run), every file is valid (check), clean shutdown (node, balance)\n"
    "  1    the run completed and at least one check failed\n"
    "  2    usage error: bad flag or value, malformed scenario; nothing was started\n"
    "  3    environment error: redis-server missing, port busy, a node failed to start\n"
    "  130  interrupted (SIGINT); 143 for SIGTERM, 129 for SIGHUP; children are stopped first\n";

}  // namespace

int main(int argc, char** argv) {
  using namespace sessim;
  cli::ignore_sigpipe();
  // Orphans among the processes sessim starts come back to it, not to init.
  become_subreaper();

  CLI::App app{
      "sessim: a cluster simulator and test harness for web sessions.\n"
      "Starts app nodes, a round-robin balancer and (if needed) a private redis-server, "
      "drives browser-like clients through them and reports which session reads succeed.",
      "sessim"};
  app.require_subcommand(1);
  const std::string version = fmt::format("sessim {}", SESSIM_VERSION);
  app.set_version_flag("-V,--version", version, "print the version and exit");

  cli::CommandAction selected;
  cli::add_run_command(app, selected);
  cli::add_compare_command(app, selected);
  cli::add_audit_command(app, selected);
  cli::add_bench_command(app, selected);
  cli::add_list_command(app, selected);
  cli::add_show_command(app, selected);
  cli::add_check_command(app, selected);
  cli::add_check_history_command(app, selected);
  cli::add_node_command(app, selected);
  cli::add_balance_command(app, selected);
  cli::add_export_command(app, selected);
  cli::add_profile_command(app, selected);
  app.add_subcommand("version", "Print the version.")->callback([&] {
    selected = [&version] {
      fmt::print("{}\n", version);
      return kExitOk;
    };
  });
  auto* completion = app.add_subcommand(
      "completion", "Print a shell completion script: source <(sessim completion bash)");
  completion->add_option("shell", "the shell (bash)")->check(CLI::IsMember({"bash"}))->required();
  completion->callback([&] {
    selected = [&app] {
      fmt::print("{}", cli::bash_completion(app));
      return kExitOk;
    };
  });
  // Set after the subcommands, which would otherwise inherit it.
  app.footer(kExitCodes);

  if (const auto message = cli::unknown_command_message(app, argc, argv); !message.empty()) {
    fmt::print(stderr, "sessim: {}\n", message);
    return kExitUsage;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& help) {
    return app.exit(help);
  } catch (const CLI::CallForAllHelp& help) {
    return app.exit(help);
  } catch (const CLI::CallForVersion& version_request) {
    return app.exit(version_request);
  } catch (const CLI::ParseError& error) {
    fmt::print(stderr, "{}\n", cli::parse_error_message(app, argc, argv, error));
    return kExitUsage;
  }

  try {
    return selected();
  } catch (const ScenarioError& error) {
    // Starts with file:line:column, as compilers print it, for editors to jump to.
    fmt::print(stderr, "{}\n", error.what());
    return kExitUsage;
  } catch (const UsageError& error) {
    fmt::print(stderr, "sessim: {}\n", error.what());
    return kExitUsage;
  } catch (const EnvironmentError& error) {
    fmt::print(stderr, "sessim: {}\n", error.what());
    return kExitEnvironment;
  } catch (const StoreUnavailable& error) {
    fmt::print(stderr, "sessim: {}\n", error.what());
    return kExitEnvironment;
  } catch (const std::exception& error) {
    fmt::print(stderr, "sessim: internal error: {}\n", error.what());
    return kExitEnvironment;
  }
}
