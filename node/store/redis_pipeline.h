#pragma once

#include <hiredis/hiredis.h>

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "node/store/redis_url.h"

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace sessim {

struct RedisReplyDeleter {
  void operator()(redisReply* reply) const { freeReplyObject(reply); }
};
using RedisReply = std::unique_ptr<redisReply, RedisReplyDeleter>;
using RedisCommand = std::vector<std::string>;

// How a batch of commands ended: every reply in order, or why there are none.
struct RedisOutcome {
  std::vector<RedisReply> replies;
  std::string error;                // "": the replies are all there
  bool timed_out = false;           // past its deadline (no error text)
  bool connection_lost = false;     // the connection broke (Redis restarted, closed it)
  bool on_reused_connection = false;  // it had answered earlier batches
};
using RedisHandler = std::function<void(RedisOutcome)>;

// One connection to Redis on one event loop, without a thread of its own:
// commands are written as they come (pipelined, in hiredis's wire format),
// and replies are read with Asio and parsed by hiredis's reader, then handed
// back in order on the same loop. A request on a loop thus talks to Redis
// with no hand-off to another thread.
//
// The set-up commands (AUTH, SELECT, SCRIPT LOAD) go first; their replies
// reach `on_setup`. A batch past its deadline is answered with a timeout at
// once and the connection is retired: later batches go to a new one (the
// store's), and this one closes when nothing is left waiting on it.
//
// Threads: every call from the loop's own thread.
class RedisPipeline : public std::enable_shared_from_this<RedisPipeline> {
 public:
  using Clock = std::chrono::steady_clock;

  // `source_address`: the loopback address to connect from; "": any.
  RedisPipeline(boost::asio::io_context& loop, RedisUrl url, std::vector<RedisCommand> setup,
                std::function<void(const std::vector<RedisReply>&)> on_setup,
                std::string source_address = "");
  ~RedisPipeline();
  RedisPipeline(const RedisPipeline&) = delete;
  RedisPipeline& operator=(const RedisPipeline&) = delete;

  // Connects; the batches sent meanwhile wait in order.
  void start();

  // Sends `commands` as one batch; `handler` gets their replies, or the
  // error, once, on this loop. `deadline`: answered with a timeout then.
  void send(const std::vector<RedisCommand>& commands, std::optional<Clock::time_point> deadline,
            RedisHandler handler);

  // Answers every waiting batch with an error and closes the connection.
  void close();

  // False once the connection broke or a batch timed out on it.
  bool usable() const { return usable_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  bool usable_ = true;
  friend struct Impl;
};

}  // namespace sessim
