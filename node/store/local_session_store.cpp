#include "node/store/local_session_store.h"

#include <algorithm>

namespace sessim {
namespace {
// Expired sessions are dropped lazily on access and, at most this often, in
// one sweep on save, so a long run with many abandoned sessions stays bounded.
constexpr std::int64_t kSweepIntervalMs = 10'000;
}  // namespace

LocalSessionStore::LocalSessionStore(const Clock& clock, SaveMode mode, std::size_t max_sessions)
    : clock_(clock), mode_(mode), max_sessions_(std::max<std::size_t>(1, max_sessions)) {}

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
  if (it == sessions_.end() && sessions_.size() >= max_sessions_) make_room_locked(now);
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

void LocalSessionStore::make_room_locked(std::int64_t now_ms) {
  std::erase_if(sessions_, [now_ms](const auto& entry) { return entry.second.is_expired(now_ms); });
  if (sessions_.size() < max_sessions_) return;
  // A scan, not an index: it runs only at the cap, and keeps every save
  // below the cap free of bookkeeping.
  auto oldest = sessions_.begin();
  for (auto it = sessions_.begin(); it != sessions_.end(); ++it) {
    if (it->second.last_accessed_time_ms() < oldest->second.last_accessed_time_ms()) oldest = it;
  }
  sessions_.erase(oldest);
  ++evicted_;
}

std::size_t LocalSessionStore::evicted() const {
  const std::lock_guard lock(mutex_);
  return evicted_;
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
