#include "node/store/session_store_factory.h"

#include <fmt/format.h>

#include "common/errors.h"
#include "node/store/local_session_store.h"
#include "node/store/redis_session_store.h"

namespace sessim {

std::unique_ptr<SessionStore> make_session_store(const StoreConfig& config, const Clock& clock) {
  if (config.kind == StoreKind::local) {
    return std::make_unique<LocalSessionStore>(clock, config.save_mode, config.max_local_sessions);
  }
  if (config.kind == StoreKind::shared) {
    throw UsageError("sessim's nodes keep sessions in local memory or Redis, not --store shared");
  }
  if (config.redis_url.empty()) throw UsageError("--store redis needs a Redis URL (--redis-url)");
  RedisStoreOptions options;
  options.url = parse_redis_url(config.redis_url);
  options.key_namespace = config.redis_namespace;
  options.save_mode = config.save_mode;
  options.wait_replicas = config.wait_replicas;
  options.source_address = config.redis_source_address;
  return std::make_unique<RedisSessionStore>(std::move(options), clock);
}

}  // namespace sessim
