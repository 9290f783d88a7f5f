#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sessim {

// Where sessions live: each node's memory, a Redis every node shares (a
// private one sessim starts, or --redis-url), or a store of the app's own
// that its instances share (its database, its cache): `shared`, for an app
// that is not sessim's, for which sessim starts nothing. `redis_sentinel`:
// a private Redis master with a replica and three sentinels, which the nodes
// find through the sentinels (redis-sentinel:// URLs), so that the master
// can fail over.
enum class StoreKind { local, redis, shared, redis_sentinel };

// Whether the nodes keep their sessions in a Redis of sessim's (one server,
// or a master behind sentinels).
constexpr bool uses_redis(StoreKind kind) {
  return kind == StoreKind::redis || kind == StoreKind::redis_sentinel;
}

// Throws UsageError for anything but the names of store_kind_names().
StoreKind parse_store_kind(const std::string& name);
std::optional<StoreKind> store_kind_named(std::string_view name);
std::string to_string(StoreKind kind);
// {"local", "redis", "shared", "redis-sentinel"}: the one list of store
// names (flags, scenario files).
const std::vector<std::string>& store_kind_names();

}  // namespace sessim
