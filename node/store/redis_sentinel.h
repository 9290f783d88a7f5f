#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "node/store/redis_url.h"

namespace sessim {

// The master's address as the sentinels last named it; `generation` grows
// by one at every change, so that a connection made for an older one can
// be told apart and retired.
struct RedisMaster {
  std::string host;
  int port = 0;
  std::uint64_t generation = 0;
};

// Finds a Redis master through its sentinels, as Lettuce's and Jedis's
// sentinel clients do (hiredis has no Sentinel support): `SENTINEL
// get-master-addr-by-name` of each sentinel in turn until one answers, then
// `+switch-master` followed on one sentinel's pub/sub. It asks again
// whenever that subscription breaks (a switch may have been missed) and when
// a caller saw signs of a switch (suspect(): a write refused with READONLY,
// a connection the master closed).
//
// Threads: master() and suspect() from any thread; one watcher thread of
// its own, stopped by the destructor within about 200 ms.
class SentinelMasterLocator {
 public:
  // Throws StoreUnavailable, naming every sentinel and what it said, when
  // none names the master within about a second.
  explicit SentinelMasterLocator(RedisUrl url);
  ~SentinelMasterLocator();
  SentinelMasterLocator(const SentinelMasterLocator&) = delete;
  SentinelMasterLocator& operator=(const SentinelMasterLocator&) = delete;

  RedisMaster master() const;
  // master().generation without the lock or the copy: asked on every
  // request, to retire connections made for an older master.
  std::uint64_t generation() const { return generation_.load(std::memory_order_acquire); }
  void suspect();

 private:
  // The master by the first sentinel that names it; nullopt with `errors`
  // saying what each answered.
  std::optional<std::pair<std::string, int>> ask(std::string* errors) const;
  void learn(const std::string& host, int port);
  void watch();
  bool follow(const SentinelAddress& sentinel);

  RedisUrl url_;
  mutable std::mutex mutex_;
  RedisMaster master_;
  std::atomic<std::uint64_t> generation_{0};  // master_.generation, written under mutex_
  std::atomic<bool> suspected_{false};
  std::atomic<bool> stopping_{false};
  std::mutex wake_mutex_;
  std::condition_variable wake_;
  std::thread watcher_;
};

}  // namespace sessim
