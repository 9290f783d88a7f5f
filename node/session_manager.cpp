#include "node/session_manager.h"

#include "node/session_id.h"

namespace sessim {

std::string to_string(SessionOutcome outcome) {
  switch (outcome) {
    case SessionOutcome::found:
      return "found";
    case SessionOutcome::created:
      return "created";
    case SessionOutcome::replaced:
      return "replaced";
  }
  return "unknown";
}

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
      return {std::move(*session), SessionOutcome::found};
    }
    reason = MissReason::unknown;
  }
  auto session = Session::create(ids_.next(), now, max_inactive_interval_s_);
  const auto outcome = cookie_values.empty() ? SessionOutcome::created : SessionOutcome::replaced;
  return {std::move(session), outcome, reason};
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

}  // namespace sessim
