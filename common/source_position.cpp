#include "common/source_position.h"

#include <fmt/format.h>

namespace sessim {

std::string SourcePosition::to_string() const {
  if (line <= 0) return file;
  return fmt::format("{}:{}:{}", file, line, column);
}

}  // namespace sessim
