#include "vocab/session_effect.h"

#include <array>
#include <utility>

namespace sessim {
namespace {

constexpr std::array<std::pair<SessionEffect, std::string_view>, 11> kNames{{
    {SessionEffect::unknown, "unknown"},
    {SessionEffect::kept, "kept"},
    {SessionEffect::created, "created"},
    {SessionEffect::replaced, "replaced"},
    {SessionEffect::rotated, "rotated"},
    {SessionEffect::ended, "ended"},
    {SessionEffect::cleared, "cleared"},
    {SessionEffect::missed, "missed"},
    {SessionEffect::adopted, "adopted"},
    {SessionEffect::none, "none"},
    {SessionEffect::gone, "gone"},
}};

}  // namespace

bool satisfies(SessionEffect actual, SessionEffect expected) {
  if (expected == SessionEffect::gone) {
    return actual == SessionEffect::replaced || actual == SessionEffect::cleared ||
           actual == SessionEffect::missed || actual == SessionEffect::adopted ||
           actual == SessionEffect::none || actual == SessionEffect::created;
  }
  return actual == expected;
}

std::string_view to_string(SessionEffect effect) {
  for (const auto& [value, name] : kNames) {
    if (value == effect) return name;
  }
  return "unknown";
}

std::optional<SessionEffect> parse_session_effect(std::string_view name) {
  for (const auto& [value, text] : kNames) {
    if (text == name && value != SessionEffect::unknown) return value;
  }
  return std::nullopt;
}

const std::vector<std::string>& session_effect_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> list;
    for (const auto& [value, name] : kNames) {
      if (value != SessionEffect::unknown) list.emplace_back(name);
    }
    return list;
  }();
  return names;
}

}  // namespace sessim
