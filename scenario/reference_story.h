#pragma once

#include <string>

#include "scenario/run_result.h"

namespace sessim {

struct ReferenceStoryOptions {
  std::string value = "hello";
  int reads = 4;
};

// The reference story of the Spring Boot demo: one browser stores a value in
// its session through the balancer, then reads it back `reads` times.
// Requests that fail are recorded, never thrown.
RunResult run_reference_story(const std::string& host, int port,
                              const ReferenceStoryOptions& options);

}  // namespace sessim
