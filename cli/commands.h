#pragma once

#include <functional>

namespace CLI {
class App;
}

namespace sessim::cli {

// What main runs after parsing: the chosen subcommand, returning its exit code.
using CommandAction = std::function<int()>;

// Each adds one subcommand to `app`; when it is chosen on the command line,
// `selected` is set to its action.
void add_run_command(CLI::App& app, CommandAction& selected);
void add_node_command(CLI::App& app, CommandAction& selected);
void add_export_command(CLI::App& app, CommandAction& selected);
void add_balance_command(CLI::App& app, CommandAction& selected);
void add_list_command(CLI::App& app, CommandAction& selected);
void add_check_command(CLI::App& app, CommandAction& selected);
void add_show_command(CLI::App& app, CommandAction& selected);
void add_check_history_command(CLI::App& app, CommandAction& selected);
void add_bench_command(CLI::App& app, CommandAction& selected);
void add_compare_command(CLI::App& app, CommandAction& selected);
void add_audit_command(CLI::App& app, CommandAction& selected);
void add_profile_command(CLI::App& app, CommandAction& selected);

}  // namespace sessim::cli
