#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sessim {

// The one way an enum meets text: a fixed table of (value, name) pairs, so
// that parsing, printing and the list of names in an error message cannot
// drift apart. Strings stay at the edges (CLI, YAML, JSON, reports).
template <typename Enum, std::size_t Size>
class NameTable {
 public:
  constexpr explicit NameTable(std::array<std::pair<Enum, std::string_view>, Size> entries)
      : entries_(entries) {}

  constexpr std::string_view name(Enum value) const {
    for (const auto& [entry, text] : entries_) {
      if (entry == value) return text;
    }
    return "?";
  }

  constexpr std::optional<Enum> parse(std::string_view text) const {
    for (const auto& [entry, name] : entries_) {
      if (name == text) return entry;
    }
    return std::nullopt;
  }

  std::vector<std::string> names() const {
    std::vector<std::string> list;
    for (const auto& [entry, text] : entries_) list.emplace_back(text);
    return list;
  }

 private:
  std::array<std::pair<Enum, std::string_view>, Size> entries_;
};

}  // namespace sessim
