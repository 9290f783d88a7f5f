#pragma once

#include <chrono>
#include <string>

namespace sessim {

// Runs the user's command for a node fault in a deployment sessim does not
// run (--fault-cmd crash='kubectl delete pod {name} --now'): {name} becomes
// the node's name, quoted for the shell (common/text.h, shell_quote);
// SESSIM_NODE and SESSIM_FAULT hold
// the same. It runs through /bin/sh in `work_dir`, its output in a log
// file there. Returns once it exits 0; throws EnvironmentError naming the
// fault, the node and the command's last line of output when it fails or
// runs past `timeout`.
void run_fault_hook(const std::string& fault, const std::string& command, const std::string& node,
                    const std::string& work_dir,
                    std::chrono::seconds timeout = std::chrono::seconds(60));

}  // namespace sessim
