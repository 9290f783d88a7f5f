#include "node/store/local_session_store.h"

namespace sessim {
namespace {
// Expired sessions are dropped lazily on access and, at most this often, in
// one sweep on save, so a long run with many abandoned sessions stays bounded.
constexpr std::int64_t kSweepIntervalMs = 10'000;
}  // namespace

LocalSessionStore::LocalSessionStore(const Clock& clock, SaveMode mode)
    : clock_(clock), mode_(mode) {}

std::optional<Session> LocalSessionStore::load(const std::string& id) {
  const std::lock_guard lock(mutex_);
  const auto it = sessions_.find(id);
  if (it == sessions_.end()) return std::nullopt;
  if (it->second.is_expired(clock_.now_ms())) {
    sessions_.erase(it);
    return std::nullopt;
  }
  return it->second;
}

void LocalSessionStore::save(Session& session) {
  const std::lock_guard lock(mutex_);
  const auto now = clock_.now_ms();
  sweep_expired_locked(now);
  auto it = sessions_.find(session.id());
  if (session.is_new() || mode_ == SaveMode::full) {
    session.mark_saved();
    sessions_.insert_or_assign(session.id(), session);
    return;
  }
  if (it == sessions_.end()) {
    // Deleted (logout) or expired since this request loaded it: stays gone.
    session.mark_saved();
    return;
  }
  Session& stored = it->second;
  for (const auto& name : session.changed_attributes()) {
    if (auto value = session.attribute(name)) {
      stored.set_attribute(name, std::move(*value));
    } else {
      stored.remove_attribute(name);
    }
  }
  stored = Session::restore(stored.id(), stored.creation_time_ms(), session.last_accessed_time_ms(),
                            session.max_inactive_interval_s(), stored.attributes());
  session.mark_saved();
}

void LocalSessionStore::remove(const std::string& id) {
  const std::lock_guard lock(mutex_);
  sessions_.erase(id);
}

std::size_t LocalSessionStore::size() const {
  const std::lock_guard lock(mutex_);
  return sessions_.size();
}

void LocalSessionStore::sweep_expired_locked(std::int64_t now_ms) {
  if (now_ms < next_sweep_ms_) return;
  next_sweep_ms_ = now_ms + kSweepIntervalMs;
  std::erase_if(sessions_, [now_ms](const auto& entry) { return entry.second.is_expired(now_ms); });
}

}  // namespace sessim
