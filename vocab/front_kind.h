#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sessim {

// What stands in front of the nodes: sessim's own balancer, or a real nginx
// or HAProxy that sessim configures from the same strategy and runs.
enum class FrontKind { builtin, nginx, haproxy };

// Throws UsageError, with the names that exist, for an unknown one.
FrontKind parse_front_kind(const std::string& name);
std::optional<FrontKind> front_kind_named(std::string_view name);
std::string to_string(FrontKind kind);
// The names of --front and `cluster: {front: …}`, in FrontKind's order.
const std::vector<std::string>& front_names();

}  // namespace sessim
