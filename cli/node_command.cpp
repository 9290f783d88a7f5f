#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>

#include "cli/cluster_flags.h"
#include "cli/commands.h"
#include "cli/signals.h"
#include "common/errors.h"
#include "node/app_node.h"
#include "node/store/redis_session_store.h"
#include "node/store/session_store_factory.h"

namespace sessim::cli {
namespace {

struct NodeOptions {
  NodeConfig node;
  // --store, --redis-url, --max-sessions, --session-timeout, --on-miss,
  // --save-mode, --flush
  ClusterFlags cluster;
  std::string redis_namespace = "sessim:session";
};

int run_node(const NodeOptions& options) {
  const auto& flags = options.cluster;
  if (flags.stores.size() > 1) throw UsageError("a node has one store: --store local or redis");
  StoreConfig store;
  store.kind = flags.stores.empty() ? StoreKind::local : flags.stores.front();
  store.redis_url = flags.redis_url;
  store.redis_namespace = options.redis_namespace;
  if (flags.save_mode) store.save_mode = *flags.save_mode;
  if (flags.max_sessions) store.max_local_sessions = static_cast<std::size_t>(*flags.max_sessions);
  if (store.kind == StoreKind::redis && store.redis_url.empty()) {
    throw UsageError("--store redis needs --redis-url redis://host:port");
  }
  if (store.kind != StoreKind::redis && !store.redis_url.empty()) {
    throw UsageError("--redis-url needs --store redis");
  }
  if (store.kind == StoreKind::redis) check_redis_answers(store.redis_url);
  auto config = options.node;
  if (flags.session_timeout_s) config.session_timeout_s = *flags.session_timeout_s;
  if (flags.on_miss) config.on_miss = *flags.on_miss;
  if (flags.flush) config.flush = *flags.flush;
  AppNode node(config, make_session_store(store));
  const int port = node.bind();
  stop_server_on_signal([&node] { node.stop(); }, std::chrono::milliseconds(300));
  // The cluster's process mode reads this first line to learn the port.
  fmt::print("{} listening on http://{}:{} (store={}, session timeout {} s)\n", options.node.name,
             options.node.host, port, to_string(store.kind), config.session_timeout_s);
  std::fflush(stdout);
  node.serve();
  return kExitOk;
}

}  // namespace

void add_node_command(CLI::App& app, CommandAction& selected) {
  auto options = std::make_shared<NodeOptions>();
  options->node.name = "node-1";
  auto* command = app.add_subcommand(
      "node",
      "Run one app node: the reference Spring Boot app (GET /set-session?sessionVal=V, "
      "GET /get-session, GET /healthz) with its sessions in local memory or Redis. Runs until "
      "SIGINT/SIGTERM.");
  command->add_option("--port,-p", options->node.port, "port to listen on (0: any free port)")
      ->check(CLI::Range(0, 65535))
      ->required();
  command->add_option("--host", options->node.host, "address to listen on")->capture_default_str();
  command->add_option("--name", options->node.name, "node name, sent in X-Sessim-Node")
      ->capture_default_str();
  register_cluster_flags(*command, FlagCommand::node, options->cluster);
  option_of(*command, Flag::redis_url)
      ->description(
          "redis://[[user]:password@]host:port[/db] for --store redis (or the SESSIM_REDIS_URL "
          "environment variable, which keeps a password out of ps)")
      ->envname("SESSIM_REDIS_URL");
  command
      ->add_option("--redis-namespace", options->redis_namespace,
                   "key prefix: <namespace>:sessions:<id>")
      ->capture_default_str();
  command
      ->add_option("--delay-ms", options->node.delay_ms,
                   "every session request takes this long before it ends (a request's own "
                   "?delay=MS adds to it): races become reproducible")
      ->check(CLI::Range(0, kMaxRequestDelayMs));
  command
      ->add_option("--id-seed", options->node.id_seed,
                   "simulation only: derive session ids from this seed instead of the CSPRNG, "
                   "so that a seeded run repeats them (anyone who knows the seed can predict "
                   "them)")
      ->group("Simulation");
  command->callback([options, &selected] { selected = [options] { return run_node(*options); }; });
}

}  // namespace sessim::cli
