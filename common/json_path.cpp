#include "common/json_path.h"

#include <charconv>
#include <cmath>

#include "common/text.h"

namespace sessim {

std::optional<std::vector<JsonPathStep>> parse_json_path(std::string_view path,
                                                         std::string* problem) {
  const auto refuse = [&](std::string why) -> std::optional<std::vector<JsonPathStep>> {
    if (problem) *problem = std::move(why);
    return std::nullopt;
  };
  if (path.starts_with("$")) path.remove_prefix(path.starts_with("$.") ? 2 : 1);
  std::vector<JsonPathStep> steps;
  std::size_t at = 0;
  bool after_dot = false;
  while (at < path.size()) {
    if (path[at] == '[') {
      const auto close = path.find(']', at);
      if (close == std::string_view::npos) return refuse("a '[' without its ']'");
      const auto index = parse_integer(path.substr(at + 1, close - at - 1), 0, 1'000'000);
      if (!index) return refuse("an index is a whole number in brackets, such as [0]");
      steps.push_back({"", static_cast<std::size_t>(*index)});
      at = close + 1;
      after_dot = false;
      if (at < path.size() && path[at] == '.') {
        ++at;
        after_dot = true;
      }
      continue;
    }
    const auto end = path.find_first_of(".[]", at);
    const auto key = path.substr(at, end == std::string_view::npos ? path.size() - at : end - at);
    if (key.empty()) return refuse("an empty name between dots");
    steps.push_back({std::string(key), 0});
    at += key.size();
    after_dot = false;
    if (at < path.size() && path[at] == ']') return refuse("a ']' without its '['");
    if (at < path.size() && path[at] == '.') {
      ++at;
      after_dot = true;
    }
  }
  if (after_dot) return refuse("it ends with a dot");
  if (steps.empty()) return refuse("it names nothing; write a key such as user.name");
  return steps;
}

std::optional<double> parse_json_number(std::string_view text) {
  double value = 0;
  const auto* end = text.data() + text.size();
  const auto [rest, error] = std::from_chars(text.data(), end, value);
  if (error != std::errc() || rest != end || !std::isfinite(value)) return std::nullopt;
  return value;
}

std::string json_path_problem(std::string_view path) {
  std::string problem;
  parse_json_path(path, &problem);
  return problem;
}

}  // namespace sessim
