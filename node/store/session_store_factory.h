#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/clock.h"
#include "node/store/session_store.h"
#include "vocab/store_kind.h"

namespace sessim {

struct StoreConfig {
  StoreKind kind = StoreKind::local;
  std::string redis_url;  // required for StoreKind::redis
  std::string redis_namespace = "sessim:session";
  SaveMode save_mode = SaveMode::delta;
  int wait_replicas = 0;                     // Redis: WAIT after each write (RedisStoreOptions)
  std::string redis_source_address;          // Redis: the node's own loopback address
  std::size_t max_local_sessions = 100'000;  // StoreKind::local: see LocalSessionStore
};

std::unique_ptr<SessionStore> make_session_store(const StoreConfig& config,
                                                 const Clock& clock = SystemClock::instance());

}  // namespace sessim
