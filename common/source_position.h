#pragma once

#include <string>

namespace sessim {

// Where something stands in a scenario or profile file; 1-based line and
// column.
struct SourcePosition {
  std::string file;
  int line = 0;
  int column = 0;
  std::string to_string() const;  // "file:line:column"; just "file" for generated steps
};

}  // namespace sessim
