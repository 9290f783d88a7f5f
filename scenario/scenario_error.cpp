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

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
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

std::string nearest_name(const std::string& word, const std::vector<std::string>& candidates) {
  std::string best;
  // Close enough to be a typo: one edit in short words, a third of a long one.
  std::size_t best_distance = std::max<std::size_t>(2, word.size() / 3) + 1;
  for (const auto& candidate : candidates) {
    const auto distance = edit_distance(word, candidate);
    if (distance < best_distance) {
      best = candidate;
      best_distance = distance;
    }
  }
  return best;
}

}  // namespace sessim
