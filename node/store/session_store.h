#pragma once

#include <chrono>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "node/session.h"
#include "vocab/session_modes.h"

namespace sessim {

// The store could not be reached or answered with an error. Nodes turn this
// into 503, never into a missing session.
class StoreUnavailable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The moment by which the request that this thread serves must be done with
// its store calls: one deadline per request, however many calls it makes and
// however long it waited for a thread, so that a paused Redis costs a client
// one timeout, never two. A store that waits on the network shortens its
// call timeout to it. Set for a scope by the node; empty: no deadline.
class RequestDeadline {
 public:
  using Clock = std::chrono::steady_clock;
  explicit RequestDeadline(Clock::time_point at) : previous_(current_) { current_ = at; }
  ~RequestDeadline() { current_ = previous_; }
  RequestDeadline(const RequestDeadline&) = delete;
  RequestDeadline& operator=(const RequestDeadline&) = delete;

  static std::optional<Clock::time_point> current() { return current_; }

 private:
  std::optional<Clock::time_point> previous_;
  static inline thread_local std::optional<Clock::time_point> current_;
};

class EventLoops;

// Where an asynchronous store call runs and by when it must be done: on the
// event loop of the request's connection, which also runs its callback.
// Without loops the call runs inline on the calling thread, as a plain call,
// and calls back before it returns.
struct StoreCall {
  EventLoops* loops = nullptr;
  std::size_t loop = 0;
  std::optional<std::chrono::steady_clock::time_point> deadline;
};
// A call's result: the value, or the store's failure (StoreUnavailable).
using StoreLoaded = std::function<void(std::optional<Session>, std::exception_ptr)>;
using StoreDone = std::function<void(std::exception_ptr)>;

// Where sessions live. Implementations are thread-safe; every method may
// throw StoreUnavailable.
class SessionStore {
 public:
  virtual ~SessionStore() = default;

  // The session with this id, or nullopt if it does not exist or has expired.
  // Callers pass only ids accepted by is_valid_session_id().
  virtual std::optional<Session> load(const std::string& id) = 0;

  // load() for a request that arrives at `access_time_ms`: the session comes
  // back touched (Spring's lastAccessedTime is the request's start). A store
  // may record the access in the same round trip (Redis), so that a request
  // that changes nothing needs no save.
  virtual std::optional<Session> load_for_request(const std::string& id,
                                                  std::int64_t access_time_ms) {
    auto session = load(id);
    if (session) session->touch(access_time_ms);
    return session;
  }

  // Writes a new session whole; a loaded one as the store's SaveMode says
  // (delta by default). Marks the session saved.
  virtual void save(Session& session) = 0;

  virtual void remove(const std::string& id) = 0;

  // The calls above without blocking a loop. These run the plain call
  // inline (with the call's deadline as the RequestDeadline) and call back
  // before returning; a store that waits on the network (Redis) answers
  // later, on the call's loop, without a thread of its own. `session` must
  // live until `done`.
  virtual void load_for_request_async(const std::string& id, std::int64_t access_time_ms,
                                      const StoreCall& call, StoreLoaded loaded);
  virtual void save_async(Session& session, const StoreCall& call, StoreDone done);
  virtual void remove_async(const std::string& id, const StoreCall& call, StoreDone done);

  // "local" or "redis"; shown in reports.
  virtual std::string kind() const = 0;

  // How long a request's calls may wait for the network, together (see
  // RequestDeadline); a request that could not even start its first call
  // within it is answered 503 at once (0: no network, no bound).
  virtual int call_timeout_ms() const { return 0; }
};

}  // namespace sessim
