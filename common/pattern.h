#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace re2 {
class RE2;
}

// A regular expression from a scenario (`matches:`), compiled once where it
// is read and searched in time linear in the text, in memory bounded by its
// compiled size, whatever the pattern (RE2's automata, not backtracking).
// What needs backtracking (back-references, look-arounds) or would compile
// past the bound is refused with the reason, never run.
namespace sessim {

// The compiled program's bound; RE2's own default is 8 MiB.
inline constexpr std::int64_t kPatternMemoryBytes = 4 << 20;

class Pattern {
 public:
  // nullopt with `problem` set when `text` is refused.
  static std::optional<Pattern> compile(std::string_view text, std::string* problem = nullptr);

  // Whether the pattern is found anywhere in `text` (NUL bytes included).
  bool search(std::string_view text) const;
  // The first group of the first match ("" when the pattern has no group);
  // nullopt when there is no match.
  std::optional<std::string> first_group(std::string_view text) const;
  int groups() const;  // capturing groups: ( ), not (?: )
  const std::string& text() const { return text_; }

 private:
  std::string text_;
  std::shared_ptr<const re2::RE2> program_;  // shared: searching is const and thread-safe
};

}  // namespace sessim
