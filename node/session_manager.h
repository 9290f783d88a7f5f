#pragma once

#include <string>
#include <vector>

#include "common/clock.h"
#include "node/session.h"
#include "node/session_id.h"
#include "node/session_rule.h"
#include "node/store/session_store.h"

namespace sessim {

// Why a sent cookie did not lead to a session (only for SessionLookup::missed).
enum class MissReason { none, unknown, malformed };
std::string to_string(MissReason reason);

// The session a request works on: the one its cookie named, or a new one
// (saved only if decide_session says so).
struct ResolvedSession {
  Session session;
  SessionLookup lookup;
  MissReason miss_reason = MissReason::none;
};

// Spring Session's request lifecycle, without HTTP: find the session the
// cookie names, or make a new one (SessionRepositoryFilter with
// getSession(true)), then refresh its access time and save it at the end.
class SessionManager {
 public:
  SessionManager(SessionStore& store, const Clock& clock, int max_inactive_interval_s,
                 SessionIdSource& ids = SecureSessionIds::instance());

  // `cookie_values` are the request's SESSION cookie values in header order;
  // the first that names a live session wins, as in Spring's CookieHttpSessionIdResolver.
  ResolvedSession resolve(const std::vector<std::string>& cookie_values);

  // Saves the session's changes; its access time is the request's start,
  // set when it was resolved.
  void commit(Session& session);

  // Logout: the session is deleted from the store.
  void invalidate(const Session& session);

  // Login: moves the session to a fresh id (saved, with its changes) and
  // deletes the old one. Returns the session under its new id.
  Session rotate_id(Session& session);

  // Carries out decide_session's store action on the request's session and
  // returns the id the browser's cookie must carry from now on ("" when the
  // cookie is unchanged or cleared).
  std::string apply(const SessionDecision& decision, Session& session);

 private:
  SessionStore& store_;
  const Clock& clock_;
  int max_inactive_interval_s_;
  SessionIdSource& ids_;
};

}  // namespace sessim
