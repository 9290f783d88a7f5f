#pragma once

#include <exception>
#include <functional>
#include <optional>
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

  // Resolves the request's session: `cookie_values` are its SESSION cookie
  // values in header order; the first that names a live session wins, as in
  // Spring's CookieHttpSessionIdResolver; none: a new session.
  //
  // Applies decide_session's store action to the request's session and
  // answers with the id the browser's cookie must carry from now on ("" when
  // the cookie is unchanged or cleared). Logout deletes the session; login
  // moves it to a fresh id (saved with its changes) and deletes the old one.
  //
  // Both run on the call's loop and answer through a callback (with the
  // store's failure, if any), so that a request waiting on Redis holds no
  // thread; with no loops (StoreCall{}) the store answers inline. `session`
  // must live until `done`.
  using Resolved = std::function<void(std::optional<ResolvedSession>, std::exception_ptr)>;
  using Applied = std::function<void(std::string cookie_id, std::exception_ptr)>;
  void resolve_async(std::vector<std::string> cookie_values, const StoreCall& call, Resolved done);
  void apply_async(const SessionDecision& decision, Session& session, const StoreCall& call,
                   Applied done);

 private:
  struct Lookup;
  void look_up_next(const std::shared_ptr<Lookup>& lookup);

  SessionStore& store_;
  const Clock& clock_;
  int max_inactive_interval_s_;
  SessionIdSource& ids_;
};

}  // namespace sessim
