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
  explicit LocalSessionStore(const Clock& clock = SystemClock::instance(),
                             SaveMode mode = SaveMode::delta);

  std::optional<Session> load(const std::string& id) override;
  void save(Session& session) override;
  void remove(const std::string& id) override;
  std::string kind() const override { return "local"; }

  std::size_t size() const;

 private:
  void sweep_expired_locked(std::int64_t now_ms);

  const Clock& clock_;
  SaveMode mode_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Session> sessions_;
  std::int64_t next_sweep_ms_ = 0;
};

}  // namespace sessim
