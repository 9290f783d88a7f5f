// Durations, as scenario files, profiles and flags give them: one grammar,
// bounded in length; whatever is taken is a finite, non-negative number of
// seconds, written with no space and at most 32 bytes.
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "common/duration.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  for (const auto& grammar :
       {sessim::DurationGrammar{}, sessim::DurationGrammar{std::chrono::milliseconds(1)},
        sessim::DurationGrammar{std::chrono::seconds(1)}}) {
    std::string problem;
    const auto seconds = sessim::parse_duration(text, grammar, &problem);
    if (!seconds) {
      if (problem.empty()) std::abort();
      continue;
    }
    if (!std::isfinite(*seconds) || *seconds < 0) std::abort();
    if (text.size() > sessim::kMaxDurationText) std::abort();
    if (text.find_first_of(" \t\r\n") != std::string::npos) std::abort();
    if (!grammar.bare_unit && text.find_first_of("smh") == std::string::npos) std::abort();
  }
  return 0;
}
