#pragma once

#include <string_view>
#include <vector>

namespace sessim {

// A scenario from the scenarios/ folder, compiled into the binary.
struct BuiltinScenario {
  std::string_view name;  // the file name without .yaml
  std::string_view text;
};

// In file-name order.
const std::vector<BuiltinScenario>& builtin_scenarios();

}  // namespace sessim
