#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sessim {

// What one request did to the browser's session, in the words every report,
// the scenario format (`expect: {session: ...}`) and the X-Sessim-Session
// header share (docs/node.md, "Session effects").
enum class SessionEffect {
  unknown,   // the server did not say (not a sessim node, or no answer)
  kept,      // the cookie named a live session, and it stays the browser's
  created,   // no cookie was sent; a new session and a cookie came back
  replaced,  // the cookie named no live session there; a new one replaced it
  rotated,   // the same session under a new id (login)
  ended,     // the session was invalidated and the cookie cleared (logout)
  cleared,   // the cookie was deleted by a request that was no logout (Django, on an unknown id)
  missed,    // the cookie named no live session, and none replaced it
  adopted,   // the cookie named no live session; the app took its id for an empty one (PHP without
             // use_strict_mode)
  none,      // no cookie was sent and none was given
  // In expectations only, the app-neutral word for "the browser's session is
  // gone", whatever the app then does: replaced (Spring, Tomcat), cleared
  // (Django), missed (express-session without saveUninitialized), adopted
  // (PHP without use_strict_mode), or none
  // and created (the cookie itself had expired in the browser, by its
  // Max-Age or Expires date, and the app did or did not start a new one).
  gone
};

// Whether what a request did satisfies what a story expected of it.
bool satisfies(SessionEffect actual, SessionEffect expected);

std::string_view to_string(SessionEffect effect);
std::optional<SessionEffect> parse_session_effect(std::string_view name);
// Every name but "unknown", in declaration order (for the loader's messages).
const std::vector<std::string>& session_effect_names();

}  // namespace sessim
