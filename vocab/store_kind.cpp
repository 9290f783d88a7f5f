#include "vocab/store_kind.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "common/errors.h"
#include "common/name_table.h"

namespace sessim {
namespace {

constexpr NameTable<StoreKind, 4> kStores{{{
    {StoreKind::local, "local"},
    {StoreKind::redis, "redis"},
    {StoreKind::shared, "shared"},
    {StoreKind::redis_sentinel, "redis-sentinel"},
}}};

}  // namespace

StoreKind parse_store_kind(const std::string& name) {
  if (const auto kind = kStores.parse(name)) return *kind;
  throw UsageError(
      fmt::format("unknown store '{}' (expected {})", name, fmt::join(kStores.names(), ", ")));
}

std::optional<StoreKind> store_kind_named(std::string_view name) { return kStores.parse(name); }

std::string to_string(StoreKind kind) { return std::string(kStores.name(kind)); }

const std::vector<std::string>& store_kind_names() {
  static const std::vector<std::string> names = kStores.names();
  return names;
}

}  // namespace sessim
