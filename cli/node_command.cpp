#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>

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
  std::string on_miss = "create";
  std::string store = "local";
  std::string redis_url;
  int max_sessions = 100'000;
  std::string redis_namespace = "sessim:session";
  std::string save_mode = "delta";
  std::string flush = "on-request-end";
};

int run_node(const NodeOptions& options) {
  StoreConfig store;
  store.kind = parse_store_kind(options.store);
  store.redis_url = options.redis_url;
  store.redis_namespace = options.redis_namespace;
  store.save_mode = parse_save_mode(options.save_mode);
  store.max_local_sessions = static_cast<std::size_t>(options.max_sessions);
  if (store.kind == StoreKind::redis && store.redis_url.empty()) {
    throw UsageError("--store redis needs --redis-url redis://host:port");
  }
  if (store.kind != StoreKind::redis && !store.redis_url.empty()) {
    throw UsageError("--redis-url needs --store redis");
  }
  if (store.kind == StoreKind::redis) check_redis_answers(store.redis_url);
  auto config = options.node;
  config.on_miss = parse_miss_policy(options.on_miss);
  config.flush = parse_flush_mode(options.flush);
  AppNode node(config, make_session_store(store));
  const int port = node.bind();
  stop_server_on_signal([&node] { node.stop(); }, std::chrono::milliseconds(300));
  // The cluster's process mode reads this first line to learn the port.
  fmt::print("{} listening on http://{}:{} (store={}, session timeout {} s)\n", options.node.name,
             options.node.host, port, options.store, options.node.session_timeout_s);
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
  command->add_option("--store,-s", options->store, "local or redis")
      ->check(CLI::IsMember(store_kind_names()))
      ->capture_default_str();
  command
      ->add_option("--redis-url", options->redis_url,
                   "redis://[[user]:password@]host:port[/db] for --store redis (or the "
                   "SESSIM_REDIS_URL environment variable, which keeps a password out of ps)")
      ->envname("SESSIM_REDIS_URL");
  command
      ->add_option("--max-sessions", options->max_sessions,
                   "sessions kept in memory with --store local; beyond, the one idle the longest "
                   "is dropped")
      ->check(CLI::Range(1, 100'000'000))
      ->capture_default_str();
  command
      ->add_option("--redis-namespace", options->redis_namespace,
                   "key prefix: <namespace>:sessions:<id>")
      ->capture_default_str();
  command
      ->add_option("--session-timeout", options->node.session_timeout_s,
                   "session idle timeout in seconds")
      ->check(CLI::Range(1, 365 * 24 * 3600))
      ->capture_default_str();
  command
      ->add_option("--on-miss", options->on_miss,
                   "when the cookie names no known session: create (Spring: new session, "
                   "replacement cookie) or keep (express-session saveUninitialized:false: no "
                   "new session unless the request writes)")
      ->check(CLI::IsMember(miss_policy_names()))
      ->capture_default_str();
  command
      ->add_option("--save-mode", options->save_mode,
                   "how a loaded session is written back: delta (changed attributes, only into "
                   "a session that still exists: Spring Session) or full (the whole session, "
                   "unconditionally: express-session with connect-redis)")
      ->check(CLI::IsMember(save_mode_names()))
      ->capture_default_str();
  command
      ->add_option("--flush", options->flush,
                   "when changes reach the store: on-request-end or immediate (before the delay)")
      ->check(CLI::IsMember(flush_mode_names()))
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
