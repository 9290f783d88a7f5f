#pragma once

#include <string>
#include <vector>

namespace sessim {

// How the cluster runs its nodes: threads of this process (fast, one address
// space; a "crash" drops the node's memory) or child processes of the sessim
// binary (real processes; a crash is a real SIGKILL).
enum class NodeMode { inproc, process };
NodeMode parse_node_mode(const std::string& name);  // throws UsageError
std::string to_string(NodeMode mode);
const std::vector<std::string>& node_mode_names();  // {"inproc", "process"}

}  // namespace sessim
