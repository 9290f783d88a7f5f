#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sessim {

// Where sessim's nodes keep sessions: each node's memory, or a shared Redis.
enum class StoreKind { local, redis };

// Throws UsageError for anything but "local" or "redis".
StoreKind parse_store_kind(const std::string& name);
std::optional<StoreKind> store_kind_named(std::string_view name);
std::string to_string(StoreKind kind);
// {"local", "redis"}: the one list of store names (flags, scenario files).
const std::vector<std::string>& store_kind_names();

}  // namespace sessim
