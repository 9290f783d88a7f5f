#include <fmt/format.h>
#include <fmt/ranges.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>

#include "balancer/balancer.h"
#include "balancer/strategy_factory.h"
#include "cli/commands.h"
#include "cli/signals.h"
#include "common/errors.h"

namespace sessim::cli {
namespace {

struct BalanceOptions {
  std::string host = "127.0.0.1";
  int port = 0;
  std::vector<std::string> upstreams;
  std::string strategy = "round-robin";
};

int run_balancer(const BalanceOptions& options) {
  BalancerConfig config;
  config.host = options.host;
  config.port = options.port;
  std::vector<std::string> names;
  for (const auto& spec : options.upstreams) {
    config.upstreams.push_back(parse_named_upstream(spec));
    names.push_back(fmt::format("{}={}", config.upstreams.back().name,
                                config.upstreams.back().address()));
  }
  Balancer balancer(std::move(config), make_strategy(options.strategy));
  const int port = balancer.bind();
  stop_server_on_signal([&balancer] { balancer.stop(); }, std::chrono::milliseconds(300));
  fmt::print("balancer listening on http://{}:{} ({} over {})\n", options.host, port,
             options.strategy, fmt::join(names, ", "));
  std::fflush(stdout);
  balancer.serve();
  return kExitOk;
}

}  // namespace

void add_balance_command(CLI::App& app, CommandAction& selected) {
  auto options = std::make_shared<BalanceOptions>();
  auto* command = app.add_subcommand(
      "balance",
      "Run the built-in balancer alone in front of running servers (sessim nodes or your own "
      "app). Runs until SIGINT/SIGTERM.");
  command->add_option("--port,-p", options->port, "port to listen on (0: any free port)")
      ->check(CLI::Range(0, 65535))
      ->required();
  command->add_option("--host", options->host, "address to listen on")->capture_default_str();
  command->add_option("--upstream,-u", options->upstreams,
                      "upstream server, http://host:port or NAME=http://host:port (repeatable)")
      ->required();
  command->add_option("--balancer,-b", options->strategy, "balancing strategy")
      ->check(CLI::IsMember(strategy_names()))
      ->capture_default_str();
  command->callback(
      [options, &selected] { selected = [options] { return run_balancer(*options); }; });
}

}  // namespace sessim::cli
