#include "scenario/scenario_error.h"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

namespace sessim {
namespace {

std::string render(const SourcePosition& position, const std::string& message,
                   const std::string& source_line) {
  std::string text = fmt::format("{}: {}", position.to_string(), message);
  if (!source_line.empty()) {
    const std::size_t column = position.column > 0 ? static_cast<std::size_t>(position.column) : 1;
    text += fmt::format("\n  {}\n  {}^", source_line, std::string(column - 1, ' '));
  }
  return text;
}

}  // namespace

ScenarioError::ScenarioError(const SourcePosition& position, const std::string& message,
                             const std::string& source_line)
    : UsageError(render(position, message, source_line)), position_(position) {}

std::string source_line(const std::string& text, int line) {
  std::size_t start = 0;
  for (int current = 1; current < line && start != std::string::npos; ++current) {
    start = text.find('\n', start);
    if (start != std::string::npos) ++start;
  }
  if (start == std::string::npos) return "";
  return text.substr(start, text.find('\n', start) - start);
}

}  // namespace sessim
