#pragma once

#include <memory>
#include <mutex>
#include <vector>

#include "common/clock.h"
#include "node/store/redis_pipeline.h"
#include "node/store/redis_url.h"
#include "node/store/session_store.h"

namespace sessim {

class SentinelMasterLocator;

struct RedisStoreOptions {
  RedisUrl url;
  // Keys are "<key_namespace>:sessions:<id>", as Spring Session lays them out
  // under its own namespace "spring:session".
  std::string key_namespace = "sessim:session";
  int connect_timeout_ms = 1000;
  int command_timeout_ms = 2000;
  SaveMode save_mode = SaveMode::delta;
  // Redis's WAIT after every write (--redis-wait): acknowledged only once
  // this many replicas have it, within wait_timeout_ms; else the request
  // fails (503) instead of acknowledging a write that a failover could
  // lose. 0: asynchronous replication, Redis's default.
  int wait_replicas = 0;
  int wait_timeout_ms = 1000;
  // The loopback address the nodes' request connections come from, so that
  // a link relay can cut one node off from Redis ("": any). Plain calls
  // (not a node's requests) connect from any.
  std::string source_address;
};

// Sessions in Redis, one hash per session laid out like Spring Session's
// RedisIndexedSessionRepository: creationTime, lastAccessedTime (epoch ms),
// maxInactiveInterval (s) and sessionAttr:<name> fields; values are plain
// UTF-8 strings so that `redis-cli HGETALL` shows them. A load is one round
// trip (HGETALL) and a save is one: for a delta save, a Lua script that
// writes the changed fields only if the session still exists (EVAL); for a
// full save, a pipelined MULTI/DEL/HSET/EXPIREAT/EXEC.
// Every call goes through one client: a pipelined connection per event loop
// (node/store/redis_pipeline.h), so that no request waits for a thread.
// Plain calls (tests, the start-up check) are the same calls on the store's
// own one-thread loop, waited for. A broken connection is dropped and the
// next call opens a new one, which is how the store recovers after Redis
// restarts.
class RedisSessionStore final : public SessionStore {
 public:
  explicit RedisSessionStore(RedisStoreOptions options,
                             const Clock& clock = SystemClock::instance());
  ~RedisSessionStore() override;
  RedisSessionStore(const RedisSessionStore&) = delete;  // the connections refer to options_
  RedisSessionStore& operator=(const RedisSessionStore&) = delete;

  std::optional<Session> load(const std::string& id) override;
  std::optional<Session> load_for_request(const std::string& id,
                                          std::int64_t access_time_ms) override;
  void save(Session& session) override;
  void remove(const std::string& id) override;
  void load_for_request_async(const std::string& id, std::int64_t access_time_ms,
                              const StoreCall& call, StoreLoaded loaded) override;
  void save_async(Session& session, const StoreCall& call, StoreDone done) override;
  void remove_async(const std::string& id, const StoreCall& call, StoreDone done) override;
  std::string kind() const override { return "redis"; }
  int call_timeout_ms() const override { return options_.command_timeout_ms; }

  std::string key_for(const std::string& id) const;

  // Round trip to Redis; throws StoreUnavailable with the reason.
  void ping();

 private:
  class ScriptDigests;
  class LoopConnections;
  StoreCall own_call();
  LoopConnections& connections_for(const StoreCall& call);
  std::vector<RedisReply> run_now(std::vector<RedisCommand> commands);
  void send_async(const StoreCall& call, std::vector<std::vector<std::string>> commands,
                  std::function<void(std::vector<RedisReply>, std::exception_ptr)> done,
                  bool retried = false);
  void script_async(const StoreCall& call, int script, std::vector<std::string> keys_and_args,
                    std::function<void(std::vector<RedisReply>, std::exception_ptr)> done,
                    std::vector<std::vector<std::string>> tail = {});
  RedisStoreOptions options_;
  const Clock& clock_;
  std::unique_ptr<SentinelMasterLocator> sentinel_;  // with a redis-sentinel:// URL
  std::unique_ptr<ScriptDigests> digests_;
  std::unique_ptr<LoopConnections> loop_connections_;
  // The plain calls' loop and connections; the connections go first.
  std::once_flag own_loop_made_;
  std::unique_ptr<EventLoops> own_loop_;
  std::unique_ptr<LoopConnections> own_connections_;
};

bool is_valid_key_namespace(const std::string& key_namespace);

// Connects to the Redis at `url` as a store would (AUTH, SELECT) and PINGs
// it within about a second. Throws EnvironmentError with the reason (the
// password masked), so that a wrong URL fails a run up front (exit 3)
// instead of as a 503 on every request.
void check_redis_answers(const std::string& url);

}  // namespace sessim
