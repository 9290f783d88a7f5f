#pragma once

#include <string>
#include <vector>

namespace sessim {

// The faults `sessim compare` injects right after a story's first request
// (node faults hit the node that served it).
enum class CompareFault { none, crash_node, stop_node, restart_node, restart_redis };
std::string to_string(CompareFault fault);
CompareFault parse_compare_fault(const std::string& name);  // throws UsageError
// {"none", "crash-node", "stop-node", "restart-node", "restart-redis"}
const std::vector<std::string>& compare_fault_names();

}  // namespace sessim
