#include "node/store/local_session_store.h"

#include <algorithm>

namespace sessim {

LocalSessionStore::LocalSessionStore(const Clock& clock, SaveMode mode, std::size_t max_sessions)
    : clock_(clock), mode_(mode), max_sessions_(std::max<std::size_t>(1, max_sessions)) {}

std::optional<Session> LocalSessionStore::load(const std::string& id) {
  const std::lock_guard lock(mutex_);
  const auto it = sessions_.find(id);
  if (it == sessions_.end()) return std::nullopt;
  if (it->second.session.is_expired(clock_.now_ms())) {
    erase_locked(it);
    return std::nullopt;
  }
  touch_locked(it);
  return it->second.session;
}

void LocalSessionStore::save(Session& session) {
  const std::lock_guard lock(mutex_);
  const auto now = clock_.now_ms();
  sweep_expired_locked(now);
  auto it = sessions_.find(session.id());
  if (session.is_new() || mode_ == SaveMode::full) {
    session.mark_saved();
    if (it != sessions_.end()) {
      it->second.session = session;
      touch_locked(it);
      return;
    }
    if (sessions_.size() >= max_sessions_) evict_longest_idle_locked();
    recency_.push_front(session.id());
    sessions_.emplace(session.id(), Entry{session, recency_.begin()});
    return;
  }
  if (it == sessions_.end()) {
    // Deleted (logout) or expired since this request loaded it: stays gone.
    session.mark_saved();
    return;
  }
  Session& stored = it->second.session;
  for (const auto& name : session.changed_attributes()) {
    if (auto value = session.attribute(name)) {
      stored.set_attribute(name, std::move(*value));
    } else {
      stored.remove_attribute(name);
    }
  }
  stored = Session::restore(stored.id(), stored.creation_time_ms(), session.last_accessed_time_ms(),
                            session.max_inactive_interval_s(), stored.attributes());
  touch_locked(it);
  session.mark_saved();
}

void LocalSessionStore::remove(const std::string& id) {
  const std::lock_guard lock(mutex_);
  const auto it = sessions_.find(id);
  if (it != sessions_.end()) erase_locked(it);
}

void LocalSessionStore::touch_locked(Sessions::iterator entry) {
  recency_.splice(recency_.begin(), recency_, entry->second.recency);
}

void LocalSessionStore::erase_locked(Sessions::iterator entry) {
  recency_.erase(entry->second.recency);
  sessions_.erase(entry);
}

void LocalSessionStore::evict_longest_idle_locked() {
  if (recency_.empty()) return;
  ++examined_;
  erase_locked(sessions_.find(recency_.back()));
  ++evicted_;
}

// The longest-idle end first: with one idle timeout for all, what expired
// is there. A session with a shorter timeout further in goes when read or
// evicted; the cap bounds what waits meanwhile.
void LocalSessionStore::sweep_expired_locked(std::int64_t now_ms) {
  for (std::size_t i = 0; i < kSweepPerSave && !recency_.empty(); ++i) {
    ++examined_;
    const auto it = sessions_.find(recency_.back());
    if (!it->second.session.is_expired(now_ms)) return;
    erase_locked(it);
  }
}

std::size_t LocalSessionStore::evicted() const {
  const std::lock_guard lock(mutex_);
  return evicted_;
}

std::size_t LocalSessionStore::entries_examined() const {
  const std::lock_guard lock(mutex_);
  return examined_;
}

std::size_t LocalSessionStore::size() const {
  const std::lock_guard lock(mutex_);
  return sessions_.size();
}

}  // namespace sessim
