#include "scenario/scenario_error.h"

namespace sessim {

ScenarioError::ScenarioError(const SourcePosition& position, const std::string& message,
                             const std::string& source_line)
    : UsageError(
          format_source_error(position.file, position.line, position.column, message, source_line)),
      position_(position) {}

}  // namespace sessim
