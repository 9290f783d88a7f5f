#include "node/store/redis_session_store.h"

// clang-format off
#include <utility>  // Boost 1.74's Asio uses std::exchange without including it
// clang-format on

#include <fmt/format.h>
#include <hiredis/hiredis.h>

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <functional>
#include <future>
#include <mutex>
#include <string_view>
#include <vector>

#include "common/errors.h"
#include "common/text.h"
#include "net/event_loops.h"
#include "node/session_id.h"
#include "node/store/redis_pipeline.h"
#include "node/store/redis_sentinel.h"

namespace sessim {
namespace {

constexpr std::string_view kCreationTime = "creationTime";
constexpr std::string_view kLastAccessedTime = "lastAccessedTime";
constexpr std::string_view kMaxInactiveInterval = "maxInactiveInterval";
constexpr std::string_view kAttributePrefix = "sessionAttr:";

using Reply = RedisReply;

using Command = RedisCommand;

std::string reply_text(const redisReply& reply) { return std::string(reply.str, reply.len); }

// A delta save of a loaded session, in one round trip and atomically: a
// session that was deleted since it was loaded (logout) is not written back.
// KEYS[1] the hash; ARGV[1] the expiry in Unix seconds ("0": none); ARGV[2]
// the number of fields to set; then field, value pairs; then fields to delete.
constexpr const char* kDeltaSaveScript = R"lua(
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local set_count = tonumber(ARGV[2])
for i = 3, 2 + set_count * 2, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
for i = 3 + set_count * 2, #ARGV do redis.call('HDEL', KEYS[1], ARGV[i]) end
if ARGV[1] == '0' then redis.call('PERSIST', KEYS[1])
else redis.call('EXPIREAT', KEYS[1], ARGV[1]) end
return 1
)lua";

// A load for a request, in one round trip: the session hash as it was, and,
// if it is a live session, its access recorded (lastAccessedTime and the
// key's expiry) so that a request that changes nothing needs no save.
// KEYS[1] the hash; ARGV[1] the access time in epoch ms.
constexpr const char* kLoadAndTouchScript = R"lua(
local fields = redis.call('HGETALL', KEYS[1])
local last, idle
for i = 1, #fields, 2 do
  if fields[i] == 'lastAccessedTime' then last = tonumber(fields[i + 1])
  elseif fields[i] == 'maxInactiveInterval' then idle = tonumber(fields[i + 1]) end
end
if last == nil or idle == nil then return fields end
local now = tonumber(ARGV[1])
if idle > 0 and now >= last + idle * 1000 then return fields end
redis.call('HSET', KEYS[1], 'lastAccessedTime', ARGV[1])
if idle > 0 then redis.call('EXPIREAT', KEYS[1], math.floor((now + idle * 1000 + 999) / 1000)) end
return fields
)lua";

// The scripts sessim runs, loaded once per connection (SCRIPT LOAD) and then
// called by digest, so that a request does not resend their source.
constexpr std::array<const char*, 2> kScripts{kDeltaSaveScript, kLoadAndTouchScript};
enum ScriptIndex : std::size_t { kDeltaSave = 0, kLoadAndTouch = 1 };

// The server to connect to now: the URL's, or the master the sentinels name,
// with the generation of that answer (0 without sentinels).
RedisUrl server_url(const RedisUrl& url, const SentinelMasterLocator* sentinel,
                    std::uint64_t* generation) {
  RedisUrl server = url;
  *generation = 0;
  if (sentinel) {
    const auto master = sentinel->master();
    server.host = master.host;
    server.port = master.port;
    *generation = master.generation;
  }
  return server;
}

std::uint64_t current_generation(const SentinelMasterLocator* sentinel) {
  return sentinel ? sentinel->generation() : 0;
}

// A write refused because the server is a replica now: the sentinels have
// moved the master (or are about to).
bool refused_as_replica(const std::vector<Reply>& replies) {
  for (const auto& reply : replies) {
    if (reply && reply->type == REDIS_REPLY_ERROR && reply_text(*reply).rfind("READONLY", 0) == 0) {
      return true;
    }
  }
  return false;
}

// With --redis-wait N, a write batch ends with WAIT N timeout: the write is
// acknowledged only once N replicas have it.
void append_wait(std::vector<Command>& batch, const RedisStoreOptions& options) {
  if (options.wait_replicas > 0) {
    batch.push_back(
        {"WAIT", std::to_string(options.wait_replicas), std::to_string(options.wait_timeout_ms)});
  }
}

void check_replicated(const std::vector<Reply>& replies, const RedisStoreOptions& options) {
  if (options.wait_replicas <= 0) return;
  const auto& reply = *replies.back();
  const auto reached = reply.type == REDIS_REPLY_INTEGER ? reply.integer : -1;
  if (reached < options.wait_replicas) {
    throw StoreUnavailable(fmt::format(
        "Redis at {}: the write reached {} of the {} replica(s) asked for within {} ms (WAIT); "
        "it is not acknowledged",
        options.url.redacted(), std::max<long long>(reached, 0), options.wait_replicas,
        options.wait_timeout_ms));
  }
}

}  // namespace

// Owns the idle hiredis connections. Each call borrows one connection for one
// pipelined round trip, so worker threads never share a context.
// The scripts' digests, learnt from the first connection that loaded them
// and shared by every connection of the store.
class RedisSessionStore::ScriptDigests {
 public:
  // "" before any connection has loaded the script.
  std::string digest(ScriptIndex script) {
    const std::lock_guard lock(mutex_);
    return digests_[script];
  }
  void learn(ScriptIndex script, std::string digest) {
    const std::lock_guard lock(mutex_);
    digests_[script] = std::move(digest);
  }

 private:
  std::mutex mutex_;
  std::array<std::string, kScripts.size()> digests_;
};

namespace {

// The commands that set a new connection up: AUTH, SELECT, SCRIPT LOAD.
std::vector<Command> setup_commands(const RedisUrl& url) {
  std::vector<Command> setup;
  if (!url.password.empty()) {
    setup.push_back(url.user.empty() ? Command{"AUTH", url.password}
                                     : Command{"AUTH", url.user, url.password});
  }
  if (url.database != 0) setup.push_back({"SELECT", std::to_string(url.database)});
  for (const auto* script : kScripts) setup.push_back({"SCRIPT", "LOAD", script});
  return setup;
}

}  // namespace

bool is_valid_key_namespace(const std::string& key_namespace) {
  if (key_namespace.empty() || key_namespace.size() > 128) return false;
  for (const char c : key_namespace) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '.' || c == '-' || c == ':';
    if (!ok) return false;
  }
  return true;
}

void check_redis_answers(const std::string& url) {
  RedisStoreOptions options;
  options.url = parse_redis_url(url);
  options.connect_timeout_ms = 1000;
  options.command_timeout_ms = 1000;
  try {
    RedisSessionStore(options).ping();
  } catch (const StoreUnavailable& error) {
    throw EnvironmentError(error.what());
  }
}

namespace {

// The session a HGETALL-shaped reply holds, if it is a live one.
std::optional<Session> session_from_reply(const std::string& id, const redisReply& reply,
                                          std::string_view what, const RedisUrl& url,
                                          std::int64_t now_ms) {
  if (reply.type == REDIS_REPLY_ERROR) {
    throw StoreUnavailable(
        fmt::format("Redis at {}: {}: {}", url.redacted(), what, reply_text(reply)));
  }
  if (reply.type != REDIS_REPLY_ARRAY || reply.elements == 0) return std::nullopt;

  std::optional<long long> creation, last_access, max_inactive;
  std::map<std::string, std::string> attributes;
  for (std::size_t i = 0; i + 1 < reply.elements; i += 2) {
    const std::string field = reply_text(*reply.element[i]);
    std::string value = reply_text(*reply.element[i + 1]);
    constexpr long long kMax = 1LL << 53;
    if (field == kCreationTime) {
      creation = parse_integer(value, 0, kMax);
    } else if (field == kLastAccessedTime) {
      last_access = parse_integer(value, 0, kMax);
    } else if (field == kMaxInactiveInterval) {
      max_inactive = parse_integer(value, -kMax, 1LL << 31);
    } else if (field.rfind(kAttributePrefix, 0) == 0) {
      attributes.emplace(field.substr(kAttributePrefix.size()), std::move(value));
    }
  }
  // A hash without its timestamps was not written by a session store (or was
  // half-recreated after expiring); it is not a session.
  if (!creation || !last_access || !max_inactive) return std::nullopt;
  auto session = Session::restore(id, *creation, *last_access, static_cast<int>(*max_inactive),
                                  std::move(attributes));
  if (session.is_expired(now_ms)) return std::nullopt;
  return session;
}

// What a save sends: nothing (the load already recorded the access), the
// whole session (MULTI/DEL/HSET/EXPIREAT/EXEC) or its changes (the delta
// script's arguments).
struct SavePlan {
  bool skip = false;
  bool whole = false;
  std::vector<Command> commands;  // whole
  Command script_args;            // delta
};

SavePlan plan_save(const Session& session, const std::string& key, SaveMode save_mode) {
  SavePlan plan;
  std::vector<std::pair<std::string, std::string>> fields{
      {std::string(kCreationTime), std::to_string(session.creation_time_ms())},
      {std::string(kLastAccessedTime), std::to_string(session.last_accessed_time_ms())},
      {std::string(kMaxInactiveInterval), std::to_string(session.max_inactive_interval_s())}};
  std::vector<std::string> removed;
  plan.whole = session.is_new() || save_mode == SaveMode::full;
  if (!plan.whole && !session.has_unsaved_changes()) {
    plan.skip = true;  // the load recorded the access
    return plan;
  }
  const auto write_attribute = [&](const std::string& name) {
    if (auto value = session.attribute(name)) {
      fields.emplace_back(std::string(kAttributePrefix) + name, std::move(*value));
    } else {
      removed.push_back(std::string(kAttributePrefix) + name);
    }
  };
  if (plan.whole) {
    for (const auto& [name, value] : session.attributes()) write_attribute(name);
  } else {
    for (const auto& name : session.changed_attributes()) write_attribute(name);
  }
  const auto expiry_ms = session.expiry_time_ms();
  const auto expiry_s = expiry_ms ? std::to_string((*expiry_ms + 999) / 1000) : "0";
  if (plan.whole) {
    Command hset{"HSET", key};
    for (auto& [field, value] : fields) {
      hset.push_back(field);
      hset.push_back(value);
    }
    // DEL first: the whole session replaces whatever the store holds.
    plan.commands = {{"MULTI"}, {"DEL", key}, hset};
    plan.commands.push_back(expiry_ms ? Command{"EXPIREAT", key, expiry_s}
                                      : Command{"PERSIST", key});
    plan.commands.push_back({"EXEC"});
  } else {
    plan.script_args = {"1", key, expiry_s, std::to_string(fields.size())};
    for (auto& [field, value] : fields) {
      plan.script_args.push_back(field);
      plan.script_args.push_back(value);
    }
    for (auto& field : removed) plan.script_args.push_back(field);
  }
  return plan;
}

// Throws StoreUnavailable unless every reply of a save says it was written.
// `waited`: the batch ended with WAIT, whose reply check_replicated() reads.
void check_saved(const std::vector<Reply>& replies, bool whole, const RedisUrl& url, bool waited) {
  for (const auto& reply : replies) {
    if (reply->type == REDIS_REPLY_ERROR) {
      throw StoreUnavailable(fmt::format("Redis at {}: saving session failed: {}", url.redacted(),
                                         reply_text(*reply)));
    }
  }
  const std::size_t writes = replies.size() - (waited && !replies.empty() ? 1 : 0);
  if (whole && (writes == 0 || replies[writes - 1]->type != REDIS_REPLY_ARRAY)) {
    throw StoreUnavailable(fmt::format("Redis at {}: saving session was aborted", url.redacted()));
  }
}

void check_removed(const std::vector<Reply>& replies, const RedisUrl& url) {
  if (replies.front()->type == REDIS_REPLY_ERROR) {
    throw StoreUnavailable(
        fmt::format("Redis at {}: DEL: {}", url.redacted(), reply_text(*replies.front())));
  }
}

bool is_noscript(const std::vector<Reply>& replies) {
  const auto& reply = *replies.front();
  return reply.type == REDIS_REPLY_ERROR && reply_text(reply).rfind("NOSCRIPT", 0) == 0;
}

}  // namespace

// The asynchronous calls' connections: one pipeline per event loop, made
// on first use there and replaced once broken. Each slot is touched only
// from its own loop's thread; the slots are made once, for every loop.
class RedisSessionStore::LoopConnections {
 public:
  LoopConnections(const RedisStoreOptions& options, ScriptDigests& digests,
                  SentinelMasterLocator* sentinel)
      : options_(options), digests_(digests), sentinel_(sentinel) {}

  ~LoopConnections() {
    // Closed on their own loops: a socket is touched by its loop alone.
    for (std::size_t i = 0; i < slots_.size(); ++i) {
      if (slots_[i]) {
        boost::asio::post(loops_->loop(i), [pipeline = slots_[i]] { pipeline->close(); });
      }
    }
  }

  // Closes every connection now; called on the loops' own thread (the
  // store's own loop has one), before the loop stops.
  void close_here() {
    for (auto& slot : slots_) {
      if (slot) slot->close();
    }
  }

  RedisPipeline& on(const StoreCall& call) {
    std::call_once(sized_, [&] {
      loops_ = call.loops;
      slots_.resize(call.loops->size());
      generations_.resize(call.loops->size());
    });
    auto& slot = slots_.at(call.loop);
    auto& generation = generations_.at(call.loop);
    if (slot && slot->usable() && generation != current_generation(sentinel_)) {
      // Made for a master the sentinels have replaced: what waits on it is
      // answered, and later batches go to the new master.
      slot->close();
    }
    if (!slot || !slot->usable()) {
      slot = std::make_shared<RedisPipeline>(
          call.loops->loop(call.loop), server_url(options_.url, sentinel_, &generation),
          setup_commands(options_.url),
          [&digests = digests_](const std::vector<Reply>& replies) {
            const auto first_script = replies.size() - kScripts.size();
            for (std::size_t i = 0; i < kScripts.size(); ++i) {
              const auto& reply = *replies[first_script + i];
              if (reply.type == REDIS_REPLY_STRING) {
                digests.learn(static_cast<ScriptIndex>(i), reply_text(reply));
              }
            }
          },
          options_.source_address);
      slot->start();
    }
    return *slot;
  }

 private:
  const RedisStoreOptions& options_;
  ScriptDigests& digests_;
  SentinelMasterLocator* sentinel_;
  std::once_flag sized_;
  EventLoops* loops_ = nullptr;
  std::vector<std::shared_ptr<RedisPipeline>> slots_;
  std::vector<std::uint64_t> generations_;
};

namespace {

using Replied = std::function<void(std::vector<Reply>, std::exception_ptr)>;

}  // namespace

RedisSessionStore::RedisSessionStore(RedisStoreOptions options, const Clock& clock)
    : options_(std::move(options)), clock_(clock) {
  if (!is_valid_key_namespace(options_.key_namespace)) {
    throw UsageError(fmt::format("invalid Redis key namespace '{}': use letters, digits, _ . - :",
                                 options_.key_namespace));
  }
  if (options_.url.through_sentinels()) {
    sentinel_ = std::make_unique<SentinelMasterLocator>(options_.url);
  }
  digests_ = std::make_unique<ScriptDigests>();
  loop_connections_ = std::make_unique<LoopConnections>(options_, *digests_, sentinel_.get());
}

RedisSessionStore::~RedisSessionStore() {
  // The plain calls' connections close on their loop while it still runs,
  // not while it is torn down.
  if (own_loop_) own_loop_->run_on(0, [this] { own_connections_->close_here(); });
}

std::string RedisSessionStore::key_for(const std::string& id) const {
  return options_.key_namespace + ":sessions:" + id;
}

// Plain calls are the asynchronous ones on the store's own one-thread loop
// (made on first use), waited for: one client, one set of failure words.
// The nodes never make them; the start-up check (ping) and tests do.
StoreCall RedisSessionStore::own_call() {
  std::call_once(own_loop_made_, [this] {
    own_loop_ = std::make_unique<EventLoops>(1);
    own_connections_ = std::make_unique<LoopConnections>(options_, *digests_, sentinel_.get());
  });
  return StoreCall{own_loop_.get(), 0, RequestDeadline::current()};
}

RedisSessionStore::LoopConnections& RedisSessionStore::connections_for(const StoreCall& call) {
  return call.loops == own_loop_.get() ? *own_connections_ : *loop_connections_;
}

namespace {

// Waits for what `start` begins on the call's loop; its error is thrown here.
template <typename Value>
Value wait_on(const StoreCall& call,
              const std::function<void(std::function<void(Value, std::exception_ptr)>)>& start) {
  std::promise<Value> promise;
  auto future = promise.get_future();
  boost::asio::post(call.loops->loop(call.loop), [&] {
    start([&promise](Value value, std::exception_ptr error) {
      if (error) {
        promise.set_exception(error);
      } else {
        promise.set_value(std::move(value));
      }
    });
  });
  return future.get();
}

}  // namespace

std::vector<Reply> RedisSessionStore::run_now(std::vector<Command> commands) {
  const auto call = own_call();
  return wait_on<std::vector<Reply>>(
      call, [&](auto done) { send_async(call, std::move(commands), std::move(done)); });
}

void RedisSessionStore::ping() {
  auto replies = run_now({{"PING"}});
  if (replies.front()->type == REDIS_REPLY_ERROR) {
    throw StoreUnavailable(
        fmt::format("Redis at {}: {}", options_.url.redacted(), reply_text(*replies.front())));
  }
}

std::optional<Session> RedisSessionStore::load(const std::string& id) {
  auto replies = run_now({{"HGETALL", key_for(id)}});
  return session_from_reply(id, *replies.front(), "HGETALL", options_.url, clock_.now_ms());
}

std::optional<Session> RedisSessionStore::load_for_request(const std::string& id,
                                                           std::int64_t access_time_ms) {
  const auto call = own_call();
  return wait_on<std::optional<Session>>(
      call, [&](auto done) { load_for_request_async(id, access_time_ms, call, std::move(done)); });
}

void RedisSessionStore::save(Session& session) {
  const auto call = own_call();
  wait_on<bool>(call, [&](auto done) {
    save_async(session, call, [done](std::exception_ptr error) { done(true, error); });
  });
}

void RedisSessionStore::remove(const std::string& id) {
  const auto call = own_call();
  wait_on<bool>(call, [&](auto done) {
    remove_async(id, call, [done](std::exception_ptr error) { done(true, error); });
  });
}

// One batch on the call's loop (call.loops is set). A connection that had answered before and
// broke (Redis restarted) is retried once on a new one: every command sessim
// sends is idempotent. A timeout is not retried: it would double the wait
// that the request's deadline promises.
void RedisSessionStore::send_async(const StoreCall& call, std::vector<Command> commands,
                                   std::function<void(std::vector<Reply>, std::exception_ptr)> done,
                                   bool retried) {
  const auto now = std::chrono::steady_clock::now();
  if (call.deadline && *call.deadline <= now) {
    return done({}, std::make_exception_ptr(StoreUnavailable(fmt::format(
                        "Redis at {} was not asked: the request had used its {} ms for the store",
                        options_.url.redacted(), options_.command_timeout_ms))));
  }
  const auto deadline =
      std::min(call.deadline.value_or(std::chrono::steady_clock::time_point::max()),
               now + std::chrono::milliseconds(options_.command_timeout_ms));
  const auto waited_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count();
  auto& pipeline = connections_for(call).on(call);
  // Kept for a retry without a copy per request: the pipeline has written
  // them out by the time send() returns.
  auto batch = std::make_shared<std::vector<Command>>(std::move(commands));
  pipeline.send(*batch, deadline,
                [this, call, batch, done = std::move(done), retried,
                 waited_ms](RedisOutcome outcome) mutable {
                  if (outcome.timed_out) {
                    return done({}, std::make_exception_ptr(StoreUnavailable(
                                        fmt::format("Redis at {} did not answer within {} ms",
                                                    options_.url.redacted(), waited_ms))));
                  }
                  if (outcome.error.empty()) {
                    if (sentinel_ && refused_as_replica(outcome.replies)) sentinel_->suspect();
                    return done(std::move(outcome.replies), nullptr);
                  }
                  if (sentinel_ && outcome.connection_lost) sentinel_->suspect();
                  if (outcome.connection_lost && outcome.on_reused_connection && !retried) {
                    return send_async(call, std::move(*batch), std::move(done), true);
                  }
                  done({}, std::make_exception_ptr(StoreUnavailable(outcome.error)));
                });
}

// EVALSHA of a loaded script, or EVAL with its source before any connection
// has loaded it or after someone flushed Redis's script cache.
void RedisSessionStore::script_async(
    const StoreCall& call, int script, Command keys_and_args,
    std::function<void(std::vector<Reply>, std::exception_ptr)> done, std::vector<Command> tail) {
  const auto index = static_cast<ScriptIndex>(script);
  const auto with_source = [index](Command args) {
    Command command{"EVAL", kScripts[index]};
    command.insert(command.end(), std::make_move_iterator(args.begin()),
                   std::make_move_iterator(args.end()));
    return command;
  };
  // `tail` (a WAIT) follows the script in the same batch.
  const auto batch_of = [](Command command, const std::vector<Command>& tail) {
    std::vector<Command> batch{std::move(command)};
    batch.insert(batch.end(), tail.begin(), tail.end());
    return batch;
  };
  const auto digest = digests_->digest(index);
  if (digest.empty()) {
    return send_async(call, batch_of(with_source(std::move(keys_and_args)), tail), std::move(done));
  }
  Command command{"EVALSHA", digest};
  command.insert(command.end(), keys_and_args.begin(), keys_and_args.end());
  // The source is sent only when Redis has lost the script.
  auto first = batch_of(std::move(command), tail);
  send_async(
      call, std::move(first),
      [this, call, with_source, batch_of, args = std::move(keys_and_args), tail = std::move(tail),
       done = std::move(done)](std::vector<Reply> replies, std::exception_ptr error) mutable {
        if (!error && is_noscript(replies)) {
          return send_async(call, batch_of(with_source(std::move(args)), tail), std::move(done));
        }
        done(std::move(replies), error);
      });
}

void RedisSessionStore::load_for_request_async(const std::string& id, std::int64_t access_time_ms,
                                               const StoreCall& call, StoreLoaded loaded) {
  if (!call.loops) {
    return SessionStore::load_for_request_async(id, access_time_ms, call, std::move(loaded));
  }
  // A full save rewrites the session anyway: a plain HGETALL, touched here.
  // A delta save skips the write when the load has recorded the access.
  const bool full = options_.save_mode == SaveMode::full;
  auto answer = [this, id, access_time_ms, full, loaded = std::move(loaded)](
                    std::vector<Reply> replies, std::exception_ptr error) {
    if (error) return loaded(std::nullopt, error);
    std::optional<Session> session;
    try {
      session = session_from_reply(id, *replies.front(), full ? "HGETALL" : "loading the session",
                                   options_.url, access_time_ms);
    } catch (...) {
      return loaded(std::nullopt, std::current_exception());
    }
    if (session) {
      session->touch(access_time_ms);
      if (!full) session->mark_saved();  // the script has stored the access
    }
    loaded(std::move(session), nullptr);
  };
  if (full) return send_async(call, {{"HGETALL", key_for(id)}}, std::move(answer));
  script_async(call, kLoadAndTouch, {"1", key_for(id), std::to_string(access_time_ms)},
               std::move(answer));
}

void RedisSessionStore::save_async(Session& session, const StoreCall& call, StoreDone done) {
  if (!call.loops) return SessionStore::save_async(session, call, std::move(done));
  auto plan = plan_save(session, key_for(session.id()), options_.save_mode);
  if (plan.skip) return done(nullptr);
  auto saved = [this, &session, whole = plan.whole, done = std::move(done)](
                   std::vector<Reply> replies, std::exception_ptr error) {
    if (error) return done(error);
    try {
      check_saved(replies, whole, options_.url, options_.wait_replicas > 0);
      check_replicated(replies, options_);
    } catch (...) {
      return done(std::current_exception());
    }
    session.mark_saved();
    done(nullptr);
  };
  std::vector<Command> wait;
  append_wait(wait, options_);
  if (plan.whole) {
    append_wait(plan.commands, options_);
    return send_async(call, std::move(plan.commands), std::move(saved));
  }
  script_async(call, kDeltaSave, std::move(plan.script_args), std::move(saved), std::move(wait));
}

void RedisSessionStore::remove_async(const std::string& id, const StoreCall& call, StoreDone done) {
  if (!call.loops) return SessionStore::remove_async(id, call, std::move(done));
  std::vector<Command> batch{{"DEL", key_for(id)}};
  append_wait(batch, options_);
  send_async(call, std::move(batch),
             [this, done = std::move(done)](std::vector<Reply> replies, std::exception_ptr error) {
               if (error) return done(error);
               try {
                 check_removed(replies, options_.url);
                 check_replicated(replies, options_);
               } catch (...) {
                 return done(std::current_exception());
               }
               done(nullptr);
             });
}

}  // namespace sessim
