#include "vocab/session_effect.h"

#include <algorithm>

#include "common/name_table.h"

namespace sessim {
namespace {

constexpr NameTable<SessionEffect, 11> kNames{{{
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
}}};

}  // namespace

bool satisfies(SessionEffect actual, SessionEffect expected) {
  if (expected == SessionEffect::gone) {
    return actual == SessionEffect::replaced || actual == SessionEffect::cleared ||
           actual == SessionEffect::missed || actual == SessionEffect::adopted ||
           actual == SessionEffect::none || actual == SessionEffect::created;
  }
  return actual == expected;
}

std::string_view to_string(SessionEffect effect) { return kNames.name(effect); }

// "unknown" is what a report says when nothing was known, never what a
// story can expect.
std::optional<SessionEffect> parse_session_effect(std::string_view name) {
  const auto effect = kNames.parse(name);
  if (effect == SessionEffect::unknown) return std::nullopt;
  return effect;
}

const std::vector<std::string>& session_effect_names() {
  static const std::vector<std::string> names = [] {
    auto list = kNames.names();
    list.erase(std::find(list.begin(), list.end(), "unknown"));
    return list;
  }();
  return names;
}

}  // namespace sessim
