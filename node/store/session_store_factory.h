#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/clock.h"
#include "node/store/session_store.h"

namespace sessim {

enum class StoreKind { local, redis };

// Throws UsageError for anything but "local" or "redis".
StoreKind parse_store_kind(const std::string& name);
std::string to_string(StoreKind kind);
// {"local", "redis"}: the one list of store names (flags, scenario files).
const std::vector<std::string>& store_kind_names();

struct StoreConfig {
  StoreKind kind = StoreKind::local;
  std::string redis_url;  // required for StoreKind::redis
  std::string redis_namespace = "sessim:session";
  SaveMode save_mode = SaveMode::delta;
  std::size_t max_local_sessions = 100'000;  // StoreKind::local: see LocalSessionStore
};

std::unique_ptr<SessionStore> make_session_store(const StoreConfig& config,
                                                 const Clock& clock = SystemClock::instance());

}  // namespace sessim
