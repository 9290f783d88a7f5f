#include "vocab/strategy_kind.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "common/errors.h"
#include "common/name_table.h"

namespace sessim {
namespace {

constexpr NameTable<StrategyKind, 7> kStrategies{{{
    {StrategyKind::round_robin, "round-robin"},
    {StrategyKind::weighted, "weighted"},
    {StrategyKind::least_conn, "least-conn"},
    {StrategyKind::random, "random"},
    {StrategyKind::ip_hash, "ip-hash"},
    {StrategyKind::hash, "hash"},
    {StrategyKind::cookie, "cookie"},
}}};

}  // namespace

StrategyKind parse_strategy_kind(const std::string& name) {
  if (const auto kind = kStrategies.parse(name)) return *kind;
  throw UsageError(fmt::format("unknown balancer '{}' (available: {})", name,
                               fmt::join(strategy_names(), ", ")));
}

std::optional<StrategyKind> strategy_kind_named(std::string_view name) {
  return kStrategies.parse(name);
}

std::string to_string(StrategyKind kind) { return std::string(kStrategies.name(kind)); }

const std::vector<std::string>& strategy_names() {
  static const std::vector<std::string> names = kStrategies.names();
  return names;
}

}  // namespace sessim
