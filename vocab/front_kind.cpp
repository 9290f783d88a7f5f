#include "vocab/front_kind.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "common/errors.h"
#include "common/name_table.h"

namespace sessim {
namespace {

constexpr NameTable<FrontKind, 3> kFronts{{{
    {FrontKind::builtin, "builtin"},
    {FrontKind::nginx, "nginx"},
    {FrontKind::haproxy, "haproxy"},
}}};

}  // namespace

FrontKind parse_front_kind(const std::string& name) {
  if (const auto kind = kFronts.parse(name)) return *kind;
  throw UsageError(
      fmt::format("unknown front '{}' (available: {})", name, fmt::join(front_names(), ", ")));
}

std::optional<FrontKind> front_kind_named(std::string_view name) { return kFronts.parse(name); }

std::string to_string(FrontKind kind) { return std::string(kFronts.name(kind)); }

const std::vector<std::string>& front_names() {
  static const std::vector<std::string> names = kFronts.names();
  return names;
}

}  // namespace sessim
