#pragma once

#include <string>
#include <vector>

#include "vocab/session_effect.h"
#include "vocab/session_modes.h"

namespace sessim {

// What the session cookies a request carried led to.
enum class SessionLookup {
  found,      // one named a live session
  no_cookie,  // none was sent
  missed      // some were sent, but none named a live session here
};

// What the request asked of its session.
enum class SessionRoute {
  plain,  // read or write attributes
  login,  // a new id for the same session (Spring's changeSessionId)
  logout  // the session ends (invalidate)
};

// What a node does at the end of a request: to the store, to the browser's
// cookie, and what that means for the browser's session.
struct SessionDecision {
  enum class Store { nothing, save, remove, move_to_new_id };
  enum class Cookie { unchanged, new_id, cleared };
  Store store = Store::nothing;
  Cookie cookie = Cookie::unchanged;
  SessionEffect effect = SessionEffect::none;

  friend bool operator==(const SessionDecision&, const SessionDecision&) = default;
};

// The rule the whole lesson rests on, without HTTP or a store: given what the
// cookie led to, what the request asked, whether it wrote an attribute and
// the node's policy on a miss. A node whose memory never saw the cookie
// answers `missed`, and with `create` hands the browser a new, empty session.
SessionDecision decide_session(SessionLookup lookup, SessionRoute route, bool wrote,
                               MissPolicy on_miss);

}  // namespace sessim
