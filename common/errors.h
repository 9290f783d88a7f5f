#pragma once

#include <stdexcept>
#include <string>

namespace sessim {

// Documented process exit codes (README, `sessim --help`). The CLI is the only
// place that turns errors into these; the library throws the types below.
enum ExitCode : int {
  kExitOk = 0,            // every check passed
  kExitChecksFailed = 1,  // the run completed and at least one check failed
  kExitUsage = 2,         // bad flags or bad input files; nothing was started
  kExitEnvironment = 3,   // the machine could not run it: missing redis-server, busy port, ...
  kExitInterrupted = 130  // stopped by SIGINT/SIGTERM after cleaning up
};

// Wrong input from the user: flags, URLs, scenario files.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The environment cannot support the request: a program is missing, a port is
// busy, a child failed to start.
class EnvironmentError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace sessim
