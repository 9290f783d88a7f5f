#include "node/session_manager.h"

#include "node/session_id.h"

namespace sessim {

std::string to_string(MissReason reason) {
  switch (reason) {
    case MissReason::none:
      return "";
    case MissReason::unknown:
      return "unknown";
    case MissReason::malformed:
      return "malformed";
  }
  return "";
}

SessionManager::SessionManager(SessionStore& store, const Clock& clock, int max_inactive_interval_s,
                               SessionIdSource& ids)
    : store_(store), clock_(clock), max_inactive_interval_s_(max_inactive_interval_s), ids_(ids) {}

ResolvedSession SessionManager::resolve(const std::vector<std::string>& cookie_values) {
  const auto now = clock_.now_ms();
  MissReason reason = MissReason::none;
  for (const auto& value : cookie_values) {
    const auto id = decode_session_cookie(value);
    if (!id) {
      if (reason == MissReason::none) reason = MissReason::malformed;
      continue;
    }
    if (auto session = store_.load_for_request(*id, now)) {
      return {std::move(*session), SessionLookup::found};
    }
    reason = MissReason::unknown;
  }
  auto session = Session::create(ids_.next(), now, max_inactive_interval_s_);
  const auto lookup = cookie_values.empty() ? SessionLookup::no_cookie : SessionLookup::missed;
  return {std::move(session), lookup, reason};
}

void SessionManager::invalidate(const Session& session) { store_.remove(session.id()); }

Session SessionManager::rotate_id(Session& session) {
  const bool was_saved = !session.is_new();
  Session rotated = session.with_new_id(ids_.next());
  commit(rotated);
  if (was_saved) store_.remove(session.id());
  return rotated;
}

void SessionManager::commit(Session& session) { store_.save(session); }

std::string SessionManager::apply(const SessionDecision& decision, Session& session) {
  using Store = SessionDecision::Store;
  std::string cookie_id;
  switch (decision.store) {
    case Store::nothing:
      break;
    case Store::save:
      commit(session);
      cookie_id = session.id();
      break;
    case Store::remove:
      invalidate(session);
      break;
    case Store::move_to_new_id:
      cookie_id = rotate_id(session).id();
      break;
  }
  return decision.cookie == SessionDecision::Cookie::new_id ? cookie_id : "";
}

}  // namespace sessim
