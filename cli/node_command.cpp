#include <fmt/format.h>

#include <cstdio>
#include <memory>

#include "cli/cluster_flags.h"
#include "cli/command_options.h"
#include "cli/commands.h"
#include "cli/run_options.h"
#include "cli/signals.h"
#include "common/errors.h"
#include "node/app_node.h"
#include "node/store/redis_session_store.h"
#include "node/store/session_store_factory.h"

namespace sessim::cli {

int run_node(const NodeOptions& options) {
  // Before the first thread (event loops, a Sentinel watcher) starts.
  block_termination_signals();
  const auto& flags = options.cluster;
  if (flags.stores.size() > 1) throw UsageError("a node has one store: --store local or redis");
  StoreConfig store;
  store.kind = flags.stores.empty() ? StoreKind::local : flags.stores.front();
  store.redis_url = flags.redis_url;
  store.redis_namespace = options.redis_namespace;
  store.redis_source_address = options.redis_source;
  if (flags.save_mode) store.save_mode = *flags.save_mode;
  if (flags.max_sessions) store.max_local_sessions = static_cast<std::size_t>(*flags.max_sessions);
  if (flags.redis_waits.size() > 1) throw UsageError("a node takes one --redis-wait value");
  if (!flags.redis_waits.empty()) store.wait_replicas = flags.redis_waits.front();
  if (store.kind == StoreKind::shared) {
    throw UsageError(
        "sessim node keeps sessions in local memory or Redis; --store shared is for "
        "an app of your own");
  }
  if (store.kind == StoreKind::redis_sentinel) {
    throw UsageError(
        "a node finds the master through sentinels with --store redis --redis-url "
        "redis-sentinel://host:port[,host:port...]#master");
  }
  if (store.wait_replicas > 0 && store.kind != StoreKind::redis) {
    throw UsageError("--redis-wait needs --store redis");
  }
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
  if (flags.node_delay) config.delay_ms = static_cast<int>(flags.node_delay->count());
  const auto environment = start_event_loops(flags);
  AppNode node(config, make_session_store(store));
  const int port = node.bind();
  stop_server_on_signal([&node] { node.stop(); }, std::chrono::milliseconds(300));
  // The cluster's process mode reads this first line to learn the port.
  fmt::print("{} listening on http://{}:{} (store={}, session timeout {} s, {} event loops)\n",
             options.node.name, options.node.host, port, to_string(store.kind),
             config.session_timeout_s, environment.event_loops);
  std::fflush(stdout);
  node.serve();
  return kExitOk;
}

}  // namespace sessim::cli
