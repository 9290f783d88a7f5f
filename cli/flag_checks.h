#pragma once

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cmath>
#include <optional>
#include <string>

#include "common/duration.h"
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
        std::string problem;
        const auto seconds =
            parse_duration(text, DurationGrammar{std::chrono::seconds(1)}, &problem);
        if (!seconds) return problem;
        if (*seconds < min || *seconds > max) {
          return fmt::format("{} s is not within {} to {} s", *seconds, min, max);
        }
        text = fmt::format("{}", *seconds);
        return "";
      },
      fmt::format("DURATION in [{}s - {}s]", min, max));
}

// A duration flag's text: "250ms", "2s", "1m", or a bare number counted in
// `bare_unit`; nullopt for anything else.
inline std::optional<std::chrono::milliseconds> parse_duration_flag(
    const std::string& text, std::chrono::milliseconds bare_unit) {
  const auto seconds = parse_duration(text, DurationGrammar{bare_unit});
  if (!seconds || *seconds > 1e9) return std::nullopt;
  return std::chrono::milliseconds(static_cast<std::int64_t>(*seconds * 1000.0 + 0.5));
}

// A duration within [min_s, max_s] seconds, checked but left as written (so
// that a rerun line repeats it).
inline CLI::Validator duration_in(double min_s, double max_s, std::chrono::milliseconds bare_unit) {
  return CLI::Validator(
      [min_s, max_s, bare_unit](std::string& text) -> std::string {
        std::string problem;
        if (!parse_duration(text, DurationGrammar{bare_unit}, &problem)) return problem;
        const auto duration = parse_duration_flag(text, bare_unit);
        if (!duration) return fmt::format("'{}' is too long a duration", printable(text, 40));
        const double seconds = static_cast<double>(duration->count()) / 1000.0;
        if (seconds < min_s || seconds > max_s) {
          return fmt::format("{} s is not within {} to {} s", seconds, min_s, max_s);
        }
        return "";
      },
      "DURATION");
}

// A size in bytes, with or without a binary unit ("1048576", "512KiB",
// "1MiB", "1M"), within [min, max]; rewritten to plain bytes.
inline CLI::Validator byte_size_in(std::uint64_t min, std::uint64_t max) {
  return CLI::Validator(
      [min, max](std::string& text) -> std::string {
        std::string_view digits = text;
        std::uint64_t unit = 1;
        for (const auto& [suffix, size] : {std::pair<std::string_view, std::uint64_t>{"KiB", 1024},
                                           {"MiB", 1 << 20},
                                           {"GiB", 1 << 30},
                                           {"K", 1024},
                                           {"M", 1 << 20},
                                           {"G", 1 << 30}}) {
          if (digits.ends_with(suffix)) {
            digits.remove_suffix(suffix.size());
            unit = size;
            break;
          }
        }
        const auto number = parse_integer(digits, 0, static_cast<long long>(max));
        if (!number || static_cast<std::uint64_t>(*number) > max / unit ||
            static_cast<std::uint64_t>(*number) * unit < min ||
            static_cast<std::uint64_t>(*number) * unit > max) {
          return fmt::format("'{}' is not a size from {} to {} bytes (1MiB, 512KiB, 4096)", text,
                             min, max);
        }
        text = std::to_string(static_cast<std::uint64_t>(*number) * unit);
        return "";
      },
      "SIZE");
}

// A finite number within [min, max] (CLI::Range accepts NaN).
inline CLI::Validator finite_in(double min, double max) {
  return CLI::Validator(
      [min, max](std::string& text) -> std::string {
        char* end = nullptr;
        const double value = std::strtod(text.c_str(), &end);
        if (end == text.c_str() || *end != '\0' || !std::isfinite(value)) {
          return fmt::format("'{}' is not a number", printable(text, 40));
        }
        if (value < min || value > max)
          return fmt::format("{} is not within {} to {}", value, min, max);
        return "";
      },
      fmt::format("NUMBER in [{} - {}]", min, max));
}

// A path sessim will put in a request line (net/request_target.h).
inline CLI::Validator sendable_path() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        if (is_sendable_target(text)) return "";
        return fmt::format(
            "'{}' is not a path (it starts with / and holds no spaces or control "
            "characters)",
            printable(text));
      },
      "PATH");
}

}  // namespace sessim::cli
