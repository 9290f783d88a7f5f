#include "vocab/node_mode.h"

#include <fmt/format.h>

#include "common/errors.h"
#include "common/name_table.h"

namespace sessim {
namespace {

constexpr NameTable<NodeMode, 2> kNodeModes{{{
    {NodeMode::inproc, "inproc"},
    {NodeMode::process, "process"},
}}};

}  // namespace

NodeMode parse_node_mode(const std::string& name) {
  if (const auto mode = kNodeModes.parse(name)) return *mode;
  throw UsageError(fmt::format("unknown mode '{}' (expected inproc or process)", name));
}

std::string to_string(NodeMode mode) { return std::string(kNodeModes.name(mode)); }

const std::vector<std::string>& node_mode_names() {
  static const std::vector<std::string> names = kNodeModes.names();
  return names;
}

}  // namespace sessim
