#pragma once

#include <mutex>
#include <unordered_map>

#include "common/clock.h"
#include "node/store/session_store.h"

namespace sessim {

// Sessions in this process's memory, like a servlet container's default
// session manager: visible to this node only, gone when the node goes.
class LocalSessionStore final : public SessionStore {
 public:
  // Sessions one node holds at most: anonymous traffic makes a session per
  // request, and each stays for the idle timeout.
  static constexpr std::size_t kDefaultMaxSessions = 100'000;

  // At `max_sessions`, a new session first makes room by dropping the
  // expired ones, then the one idle the longest (as a cache would).
  explicit LocalSessionStore(const Clock& clock = SystemClock::instance(),
                             SaveMode mode = SaveMode::delta,
                             std::size_t max_sessions = kDefaultMaxSessions);

  std::optional<Session> load(const std::string& id) override;
  void save(Session& session) override;
  void remove(const std::string& id) override;
  std::string kind() const override { return "local"; }

  std::size_t size() const;
  std::size_t evicted() const;  // sessions dropped to make room

 private:
  void sweep_expired_locked(std::int64_t now_ms);
  void make_room_locked(std::int64_t now_ms);

  const Clock& clock_;
  SaveMode mode_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Session> sessions_;
  std::int64_t next_sweep_ms_ = 0;
  std::size_t max_sessions_;
  std::size_t evicted_ = 0;
};

}  // namespace sessim
