#pragma once

#include <string>

#include "common/errors.h"
#include "common/source_error.h"
#include "common/text.h"
#include "scenario/scenario.h"

namespace sessim {

// A scenario file that cannot be run as written. what() is
//   file:line:column: what is wrong
//     the offending line
//     ^ under the column
// A usage error: exit 2, nothing started.
class ScenarioError : public UsageError {
 public:
  ScenarioError(const SourcePosition& position, const std::string& message,
                const std::string& source_line);
  const SourcePosition& position() const { return position_; }

 private:
  SourcePosition position_;
};

}  // namespace sessim
