#pragma once

#include <list>
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
  // Entries the expiry sweep looks at per save, from the longest-idle end.
  static constexpr std::size_t kSweepPerSave = 4;

  // At `max_sessions`, a new session makes room by dropping the session idle
  // the longest (as Redis's allkeys-lru, but exact): O(1), since sessions
  // are kept in order of last use beside the map. Expired sessions go when
  // read, and a few at a time as sessions are saved; never in a scan of the
  // whole map under the lock, which turned a node at its cap into a brick.
  explicit LocalSessionStore(const Clock& clock = SystemClock::instance(),
                             SaveMode mode = SaveMode::delta,
                             std::size_t max_sessions = kDefaultMaxSessions);

  std::optional<Session> load(const std::string& id) override;
  void save(Session& session) override;
  void remove(const std::string& id) override;
  std::string kind() const override { return "local"; }

  std::size_t size() const;
  std::size_t evicted() const;  // sessions dropped to make room
  // Entries looked at by expiry sweeps and evictions so far: what bounds
  // the cost of one operation.
  std::size_t entries_examined() const;

 private:
  struct Entry {
    Session session;
    std::list<std::string>::iterator recency;  // its place in recency_
  };
  using Sessions = std::unordered_map<std::string, Entry>;

  void touch_locked(Sessions::iterator entry);
  void erase_locked(Sessions::iterator entry);
  void sweep_expired_locked(std::int64_t now_ms);
  void evict_longest_idle_locked();

  const Clock& clock_;
  SaveMode mode_;
  mutable std::mutex mutex_;
  Sessions sessions_;
  std::list<std::string> recency_;  // session ids, most recently used first
  std::size_t max_sessions_;
  std::size_t evicted_ = 0;
  std::size_t examined_ = 0;
};

}  // namespace sessim
