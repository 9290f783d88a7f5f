#include "node/session_rule.h"

#include <fmt/format.h>

#include "common/errors.h"
#include "common/name_table.h"

namespace sessim {
namespace {

constexpr NameTable<MissPolicy, 2> kMissPolicies{{{
    {MissPolicy::create, "create"},
    {MissPolicy::keep, "keep"},
}}};

// A session made for this request: created when the browser had none,
// replaced when its cookie named one this node does not have.
SessionEffect new_session_effect(SessionLookup lookup) {
  return lookup == SessionLookup::no_cookie ? SessionEffect::created : SessionEffect::replaced;
}

constexpr NameTable<FlushMode, 2> kFlushModes{{{
    {FlushMode::on_request_end, "on-request-end"},
    {FlushMode::immediate, "immediate"},
}}};

}  // namespace

std::string to_string(FlushMode mode) { return std::string(kFlushModes.name(mode)); }

FlushMode parse_flush_mode(const std::string& name) {
  if (const auto mode = kFlushModes.parse(name)) return *mode;
  throw UsageError(
      fmt::format("unknown flush mode '{}' (expected on-request-end or immediate)", name));
}

const std::vector<std::string>& flush_mode_names() {
  static const std::vector<std::string> names = kFlushModes.names();
  return names;
}

MissPolicy parse_miss_policy(const std::string& name) {
  if (const auto policy = kMissPolicies.parse(name)) return *policy;
  throw UsageError(fmt::format("unknown miss policy '{}' (expected create or keep)", name));
}

std::string to_string(MissPolicy policy) { return std::string(kMissPolicies.name(policy)); }

const std::vector<std::string>& miss_policy_names() {
  static const std::vector<std::string> names = kMissPolicies.names();
  return names;
}

SessionDecision decide_session(SessionLookup lookup, SessionRoute route, bool wrote,
                               MissPolicy on_miss) {
  using Store = SessionDecision::Store;
  using Cookie = SessionDecision::Cookie;
  const bool found = lookup == SessionLookup::found;
  switch (route) {
    case SessionRoute::logout:
      // The cookie is cleared whether or not this node knew the session.
      return {found ? Store::remove : Store::nothing, Cookie::cleared, SessionEffect::ended};
    case SessionRoute::login:
      return {Store::move_to_new_id, Cookie::new_id,
              found ? SessionEffect::rotated : new_session_effect(lookup)};
    case SessionRoute::plain:
      break;
  }
  if (found) return {Store::save, Cookie::unchanged, SessionEffect::kept};
  if (on_miss == MissPolicy::keep && !wrote) {
    // Nothing to keep: the browser's cookie is left as it was.
    return {Store::nothing, Cookie::unchanged,
            lookup == SessionLookup::no_cookie ? SessionEffect::none : SessionEffect::missed};
  }
  return {Store::save, Cookie::new_id, new_session_effect(lookup)};
}

}  // namespace sessim
