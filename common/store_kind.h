#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sessim {

// Where sessions live: each node's memory, a Redis every node shares (a
// private one sessim starts, or --redis-url), or a store of the app's own
// that its instances share (its database, its cache): `shared`, for an app
// that is not sessim's, for which sessim starts nothing.
enum class StoreKind { local, redis, shared };

// Throws UsageError for anything but "local", "redis" or "shared".
StoreKind parse_store_kind(const std::string& name);
std::optional<StoreKind> store_kind_named(std::string_view name);
std::string to_string(StoreKind kind);
// {"local", "redis"}: the one list of store names (flags, scenario files).
const std::vector<std::string>& store_kind_names();

}  // namespace sessim
