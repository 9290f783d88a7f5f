#include "vocab/compare_fault.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "common/errors.h"
#include "common/name_table.h"

namespace sessim {
namespace {

constexpr NameTable<CompareFault, 5> kCompareFaults{{{
    {CompareFault::none, "none"},
    {CompareFault::crash_node, "crash-node"},
    {CompareFault::stop_node, "stop-node"},
    {CompareFault::restart_node, "restart-node"},
    {CompareFault::restart_redis, "restart-redis"},
}}};

}  // namespace

std::string to_string(CompareFault fault) { return std::string(kCompareFaults.name(fault)); }

CompareFault parse_compare_fault(const std::string& name) {
  if (const auto fault = kCompareFaults.parse(name)) return *fault;
  throw UsageError(fmt::format("unknown fault '{}' (available: {})", name,
                               fmt::join(compare_fault_names(), ", ")));
}

const std::vector<std::string>& compare_fault_names() {
  static const std::vector<std::string> names = kCompareFaults.names();
  return names;
}

}  // namespace sessim
