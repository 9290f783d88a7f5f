#include "common/source_error.h"

#include <fmt/format.h>

namespace sessim {

std::string format_source_error(const std::string& file, int line, int column,
                                const std::string& message, const std::string& source_line) {
  std::string text = line > 0 ? fmt::format("{}:{}:{}: {}", file, line, column, message)
                              : fmt::format("{}: {}", file, message);
  if (!source_line.empty()) {
    const std::size_t caret = column > 0 ? static_cast<std::size_t>(column) : 1;
    text += fmt::format("\n  {}\n  {}^", source_line, std::string(caret - 1, ' '));
  }
  return text;
}

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
