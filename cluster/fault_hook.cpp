#include "cluster/fault_hook.h"

#include <fmt/format.h>

#include <cctype>

#include "common/errors.h"
#include "common/text.h"
#include "sys/child_process.h"

namespace sessim {

void run_fault_hook(const std::string& fault, const std::string& command, const std::string& node,
                    const std::string& work_dir, std::chrono::seconds timeout) {
  std::string line;
  for (std::size_t at = 0; at < command.size();) {
    const auto placeholder = command.find("{name}", at);
    line += command.substr(at, placeholder - at);
    if (placeholder == std::string::npos) break;
    line += shell_quote(node);
    at = placeholder + 6;
  }
  ChildSpec spec;
  spec.executable = "/bin/sh";
  spec.args = {"-c", line};
  spec.env = {{"SESSIM_NODE", node}, {"SESSIM_FAULT", fault}};
  std::string file_name = node;
  for (auto& c : file_name) {
    const bool plain = std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
    if (!plain) c = '_';
  }
  spec.log_path = fmt::format("{}/fault-{}-{}.log", work_dir, fault, file_name);
  ChildProcess hook(spec);
  const auto status = hook.wait_for_exit(timeout);
  if (!status) {
    hook.stop();
    throw EnvironmentError(fmt::format("--fault-cmd {} for {} did not end within {} s: {}", fault,
                                       node, timeout.count(), command));
  }
  if (*status != 0) {
    const auto said = last_log_line(spec.log_path);
    throw EnvironmentError(fmt::format("--fault-cmd {} for {} exited with status {}{}", fault, node,
                                       *status, said.empty() ? "" : ": " + said));
  }
}

}  // namespace sessim
