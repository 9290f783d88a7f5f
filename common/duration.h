#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

// The one grammar of durations, for scenario and profile files and for
// flags alike: a decimal number and a unit with nothing between them
// ("250ms", "1.5s", "2m", "1h"), at most 32 bytes. A bare number is taken
// only where the caller says which unit it means (a flag's help says it);
// files always need the unit. Range is the caller's, so that its message
// names the key.
namespace sessim {

inline constexpr std::size_t kMaxDurationText = 32;

struct DurationGrammar {
  // What a bare number means; nullopt: a unit is required.
  std::optional<std::chrono::milliseconds> bare_unit;
};

// Seconds; nullopt with `problem` set ("a unit is missing: write 2s, 500ms or
// 1m") when `text` is not a duration. Never NaN, never infinite, never
// negative.
std::optional<double> parse_duration(std::string_view text, const DurationGrammar& grammar,
                                     std::string* problem = nullptr);

// "2s", "250ms", "1.5s", "10m": a duration as messages and reruns show it.
std::string duration_text(double seconds);

}  // namespace sessim
