#include "common/duration.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>

#include "common/text.h"

namespace sessim {

std::optional<double> parse_duration(std::string_view text, const DurationGrammar& grammar,
                                     std::string* problem) {
  const auto refuse = [&](std::string why) -> std::optional<double> {
    if (problem) *problem = std::move(why);
    return std::nullopt;
  };
  if (text.empty()) return refuse("a duration cannot be empty; write 2s, 500ms or 1m");
  if (text.size() > kMaxDurationText) {
    return refuse(
        fmt::format("a duration is at most {} characters, such as 1.5s", kMaxDurationText));
  }
  std::size_t digits = 0;
  while (digits < text.size() &&
         ((text[digits] >= '0' && text[digits] <= '9') || text[digits] == '.')) {
    ++digits;
  }
  const auto number = text.substr(0, digits);
  const auto unit = text.substr(digits);
  const auto shape = [&] {
    return fmt::format(
        "'{}' is not a duration: write a number and its unit with nothing between, "
        "such as 2s, 500ms, 1.5m or 1h",
        printable(text, 40));
  };
  if (number.empty() || number.front() == '.' || number.back() == '.' ||
      number.find('.') != number.rfind('.')) {
    return refuse(shape());
  }
  double value = 0;
  const auto [end, error] = std::from_chars(number.data(), number.data() + number.size(), value);
  if (error != std::errc() || end != number.data() + number.size() || !std::isfinite(value)) {
    return refuse(shape());
  }
  double scale = 0;
  if (unit == "ms") {
    scale = 0.001;
  } else if (unit == "s") {
    scale = 1;
  } else if (unit == "m") {
    scale = 60;
  } else if (unit == "h") {
    scale = 3600;
  } else if (unit.empty()) {
    if (!grammar.bare_unit) {
      return refuse(fmt::format("'{}' needs a unit: {}s, {}ms or {}m", printable(text, 40), number,
                                number, number));
    }
    scale = std::chrono::duration<double>(*grammar.bare_unit).count();
  } else {
    return refuse(shape());
  }
  const double seconds = value * scale;
  if (!std::isfinite(seconds)) return refuse(shape());
  return seconds;
}

std::string duration_text(double seconds) {
  if (seconds >= 3600 && std::fmod(seconds, 3600) == 0) return fmt::format("{}h", seconds / 3600);
  if (seconds >= 60 && std::fmod(seconds, 60) == 0) return fmt::format("{}m", seconds / 60);
  if (seconds >= 1 || seconds == 0) return fmt::format("{}s", seconds);
  return fmt::format("{}ms", seconds * 1000);
}

}  // namespace sessim
