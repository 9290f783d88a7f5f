#include "node/session_rule.h"

#include <fmt/format.h>

#include "common/errors.h"
#include "common/name_table.h"

namespace sessim {
namespace {

// A session made for this request: created when the browser had none,
// replaced when its cookie named one this node does not have.
SessionEffect new_session_effect(SessionLookup lookup) {
  return lookup == SessionLookup::no_cookie ? SessionEffect::created : SessionEffect::replaced;
}

}  // namespace

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
