#include "vocab/session_modes.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "common/errors.h"
#include "common/name_table.h"

namespace sessim {
namespace {

constexpr NameTable<SaveMode, 2> kSaveModes{{{
    {SaveMode::delta, "delta"},
    {SaveMode::full, "full"},
}}};

constexpr NameTable<MissPolicy, 2> kMissPolicies{{{
    {MissPolicy::create, "create"},
    {MissPolicy::keep, "keep"},
}}};

constexpr NameTable<FlushMode, 2> kFlushModes{{{
    {FlushMode::on_request_end, "on-request-end"},
    {FlushMode::immediate, "immediate"},
}}};

template <typename Table>
auto parse_or_throw(const Table& table, const std::string& name, const char* what) {
  if (const auto value = table.parse(name)) return *value;
  throw UsageError(
      fmt::format("unknown {} '{}' (expected {})", what, name, fmt::join(table.names(), " or ")));
}

}  // namespace

std::string to_string(SaveMode mode) { return std::string(kSaveModes.name(mode)); }
SaveMode parse_save_mode(const std::string& name) {
  return parse_or_throw(kSaveModes, name, "save mode");
}
const std::vector<std::string>& save_mode_names() {
  static const std::vector<std::string> names = kSaveModes.names();
  return names;
}

std::string to_string(MissPolicy policy) { return std::string(kMissPolicies.name(policy)); }
MissPolicy parse_miss_policy(const std::string& name) {
  return parse_or_throw(kMissPolicies, name, "miss policy");
}
const std::vector<std::string>& miss_policy_names() {
  static const std::vector<std::string> names = kMissPolicies.names();
  return names;
}

std::string to_string(FlushMode mode) { return std::string(kFlushModes.name(mode)); }
FlushMode parse_flush_mode(const std::string& name) {
  return parse_or_throw(kFlushModes, name, "flush mode");
}
const std::vector<std::string>& flush_mode_names() {
  static const std::vector<std::string> names = kFlushModes.names();
  return names;
}

}  // namespace sessim
