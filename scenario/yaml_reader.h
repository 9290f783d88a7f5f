#pragma once

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "app/call_settings_yaml.h"
#include "common/duration.h"
#include "common/grammar.h"
#include "common/source_position.h"
#include "common/template_text.h"
#include "common/text.h"
#include "scenario/scenario_error.h"

// What every reader of a story's YAML shares: errors at file:line:column with
// the line, and the scalars (text, numbers, durations, names) checked against
// their grammar. Copies share the text's lines.
namespace sessim {

class YamlReader {
 public:
  YamlReader(const std::string& text, std::string source);

  [[noreturn]] void fail(const YAML::Mark& mark, const std::string& message) const {
    SourcePosition position{source_, mark.line + 1, mark.column + 1};
    auto index = static_cast<std::size_t>(std::max(mark.line, 0));
    // yaml-cpp reports what ends too early at the end of the text; point at
    // the end of the last line instead, where the reader can see it.
    if (index >= lines().size() && !lines().empty()) {
      index = lines().size() - 1;
      position.line = static_cast<int>(lines().size());
      position.column = static_cast<int>(lines().back().size()) + 1;
    }
    throw ScenarioError(position, message, index < lines().size() ? lines()[index] : "");
  }

  [[noreturn]] void fail(const YAML::Node& node, const std::string& message) const {
    fail(node.Mark(), message);
  }

  SourcePosition position(const YAML::Node& node) const {
    return {source_, node.Mark().line + 1, node.Mark().column + 1};
  }

  void check_keys(const YAML::Node& map, const std::vector<std::string>& allowed,
                  const std::string& what) const {
    for (auto it = map.begin(); it != map.end(); ++it) {
      if (!it->first.IsScalar()) fail(it->first, fmt::format("a key of {} must be a name", what));
      const auto key = it->first.as<std::string>();
      if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
      const auto suggestion = nearest_name(key, allowed);
      fail(it->first,
           fmt::format("unknown key '{}' in {}{} (allowed: {})", key, what,
                       suggestion.empty() ? "" : fmt::format(" (did you mean '{}'?)", suggestion),
                       fmt::join(allowed, ", ")));
    }
  }

  YamlFailure failure() const {
    return [this](const YAML::Node& node, const std::string& message) { fail(node, message); };
  }

  // Text that may name ${variables}: a malformed reference is refused here.
  std::string template_text(const YAML::Node& node, const std::string& what) const {
    auto value = text(node, what);
    check_template(node, value, failure());
    return value;
  }

  std::string text(const YAML::Node& node, const std::string& what) const {
    if (!node.IsScalar())
      fail(node, fmt::format("{} must be a single value, not a list or map", what));
    return node.as<std::string>();
  }

  int integer(const YAML::Node& node, const std::string& what, int min, int max) const {
    const auto value = node.IsScalar() ? parse_integer(node.Scalar(), min, max) : std::nullopt;
    if (!value) fail(node, fmt::format("{} must be a whole number from {} to {}", what, min, max));
    return static_cast<int>(*value);
  }

  bool boolean(const YAML::Node& node, const std::string& what) const {
    bool value = false;
    if (!node.IsScalar() || !YAML::convert<bool>::decode(node, value)) {
      fail(node, fmt::format("{} must be true or false", what));
    }
    return value;
  }

  std::string one_of(const YAML::Node& node, const std::string& what,
                     const std::vector<std::string>& choices) const {
    const auto value = text(node, what);
    if (std::find(choices.begin(), choices.end(), value) != choices.end()) return value;
    const auto suggestion = nearest_name(value, choices);
    fail(node,
         fmt::format("{} '{}' is not one of {}{}", what, value, fmt::join(choices, ", "),
                     suggestion.empty() ? "" : fmt::format(" (did you mean '{}'?)", suggestion)));
  }

  std::string header_name(const YAML::Node& node) const {
    const auto name = text(node, "a header name");
    if (!is_header_name(name)) {
      fail(node, fmt::format("'{}' is not a header name (letters, digits and !#$%&'*+-.^_`|~)",
                             printable(name, 64)));
    }
    return name;
  }

  double milliseconds(const YAML::Node& node, const std::string& what) const {
    return duration(node, what) * 1000;
  }

  // Seconds, through the one grammar of durations (a unit required in
  // files), at most `max_s`; errors name the key.
  std::chrono::milliseconds duration_ms(const YAML::Node& node, const std::string& what,
                                        double max_s = 600) const {
    return std::chrono::milliseconds(std::llround(duration(node, what, max_s) * 1000.0));
  }

  double duration(const YAML::Node& node, const std::string& what, double max_s = 600) const {
    if (!node.IsScalar())
      fail(node, fmt::format("{} needs a duration such as 1.5s, 500ms or 2m", what));
    std::string problem;
    const auto seconds = parse_duration(node.Scalar(), DurationGrammar{}, &problem);
    if (!seconds) fail(node, fmt::format("{}: {}", what, problem));
    if (*seconds > max_s) {
      fail(node, fmt::format("{} is at most {}; {} is {}", what, duration_text(max_s),
                             printable(node.Scalar(), 40), duration_text(*seconds)));
    }
    return *seconds;
  }

 protected:
  const std::string& source() const { return source_; }

 private:
  const std::vector<std::string>& lines() const { return *lines_; }

  std::string source_;
  std::shared_ptr<const std::vector<std::string>> lines_;
};

}  // namespace sessim
