#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sys/child_process.h"
#include "sys/run_directory.h"

namespace sessim::testing {

// nginx's path where it is installed (CI installs nginx-light); nullopt
// elsewhere, for the tests to skip with that reason.
std::optional<std::string> nginx_program();

// A real nginx on a free loopback port in front of the given upstream ports
// (round-robin, HTTP/1.1 keep-alive to them, as the reference setup runs
// it), in the foreground and stopped with its owner.
class NginxFront {
 public:
  NginxFront(const std::string& program, const std::vector<int>& upstream_ports);
  int port() const { return port_; }

 private:
  RunDirectory dir_;
  std::unique_ptr<ChildProcess> process_;
  int port_ = 0;
};

}  // namespace sessim::testing
