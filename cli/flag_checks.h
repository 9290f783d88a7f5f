#pragma once

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cmath>

#include "common/text.h"
#include "net/request_target.h"

namespace sessim::cli {

// A duration flag in seconds, with or without a unit ("2", "2s", "250ms",
// "1m"), within [min, max]: the text is rewritten to plain seconds for the
// option it checks. NaN and infinities are refused, which CLI::Range lets
// through (every comparison with NaN is false).
inline CLI::Validator seconds_in(double min, double max) {
  return CLI::Validator(
      [min, max](std::string& text) -> std::string {
        const auto seconds = parse_seconds(text);
        if (!seconds) return fmt::format("'{}' is not a duration (2, 2s, 250ms, 1m)", text);
        if (*seconds < min || *seconds > max) {
          return fmt::format("{} s is not within {} to {} s", *seconds, min, max);
        }
        text = fmt::format("{}", *seconds);
        return "";
      },
      fmt::format("DURATION in [{}s - {}s]", min, max));
}

// A finite number within [min, max] (CLI::Range accepts NaN).
inline CLI::Validator finite_in(double min, double max) {
  return CLI::Validator(
      [min, max](std::string& text) -> std::string {
        char* end = nullptr;
        const double value = std::strtod(text.c_str(), &end);
        if (end == text.c_str() || *end != '\0' || !std::isfinite(value)) {
          return fmt::format("'{}' is not a number", text);
        }
        if (value < min || value > max) return fmt::format("{} is not within {} to {}", value, min, max);
        return "";
      },
      fmt::format("NUMBER in [{} - {}]", min, max));
}

// A path sessim will put in a request line (net/request_target.h).
inline CLI::Validator sendable_path() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        if (is_sendable_target(text)) return "";
        return fmt::format("'{}' is not a path (it starts with / and holds no spaces or control "
                           "characters)",
                           printable(text));
      },
      "PATH");
}

}  // namespace sessim::cli
