#include "node/store/redis_sentinel.h"

#include <fmt/format.h>
#include <hiredis/hiredis.h>
#include <poll.h>

#include <cerrno>
#include <memory>

#include "common/text.h"
#include "net/host_port.h"
#include "node/store/session_store.h"

namespace sessim {
namespace {

struct ContextDeleter {
  void operator()(redisContext* context) const { redisFree(context); }
};
using Context = std::unique_ptr<redisContext, ContextDeleter>;
struct ReplyDeleter {
  void operator()(void* reply) const { freeReplyObject(reply); }
};
using Reply = std::unique_ptr<redisReply, ReplyDeleter>;

constexpr int kConnectTimeoutMs = 300;
constexpr int kPollMs = 200;

timeval to_timeval(int ms) { return timeval{ms / 1000, (ms % 1000) * 1000}; }

std::string text_of(const redisReply& reply) { return std::string(reply.str, reply.len); }

Context connect_to(const SentinelAddress& sentinel, std::string* error) {
  Context context(
      redisConnectWithTimeout(sentinel.host.c_str(), sentinel.port, to_timeval(kConnectTimeoutMs)));
  if (!context || context->err) {
    *error = context ? context->errstr : "out of memory";
    return nullptr;
  }
  redisSetTimeout(context.get(), to_timeval(kConnectTimeoutMs));
  return context;
}

// The port of a sentinel's answer, which Redis sends as text.
std::optional<int> port_of(const redisReply& reply) {
  if (reply.type != REDIS_REPLY_STRING) return std::nullopt;
  const auto port = parse_integer(text_of(reply), 1, 65535);
  if (!port) return std::nullopt;
  return static_cast<int>(*port);
}

}  // namespace

SentinelMasterLocator::SentinelMasterLocator(RedisUrl url) : url_(std::move(url)) {
  std::string errors;
  const auto found = ask(&errors);
  if (!found) {
    throw StoreUnavailable(fmt::format("no sentinel of {} names the master '{}': {}",
                                       url_.redacted(), url_.master_name, errors));
  }
  master_ = {found->first, found->second, 1};
  generation_ = 1;
  watcher_ = std::thread([this] { watch(); });
}

SentinelMasterLocator::~SentinelMasterLocator() {
  stopping_ = true;
  wake_.notify_all();
  if (watcher_.joinable()) watcher_.join();
}

RedisMaster SentinelMasterLocator::master() const {
  const std::lock_guard lock(mutex_);
  return master_;
}

void SentinelMasterLocator::suspect() {
  suspected_ = true;
  wake_.notify_all();
}

std::optional<std::pair<std::string, int>> SentinelMasterLocator::ask(std::string* errors) const {
  for (const auto& sentinel : url_.sentinels) {
    const auto where = join_host_port(sentinel.host, sentinel.port);
    std::string error;
    const auto context = connect_to(sentinel, &error);
    if (!context) {
      *errors += fmt::format("{}{}: {}", errors->empty() ? "" : "; ", where, error);
      continue;
    }
    Reply reply(static_cast<redisReply*>(redisCommand(
        context.get(), "SENTINEL get-master-addr-by-name %s", url_.master_name.c_str())));
    if (!reply) {
      *errors += fmt::format("{}{}: {}", errors->empty() ? "" : "; ", where, context->errstr);
      continue;
    }
    if (reply->type == REDIS_REPLY_ARRAY && reply->elements == 2 &&
        reply->element[0]->type == REDIS_REPLY_STRING) {
      if (const auto port = port_of(*reply->element[1])) {
        return std::pair{text_of(*reply->element[0]), *port};
      }
    }
    *errors += fmt::format("{}{}: {}", errors->empty() ? "" : "; ", where,
                           reply->type == REDIS_REPLY_ERROR ? text_of(*reply)
                           : reply->type == REDIS_REPLY_NIL ? "it monitors no master of that name"
                                                            : "an answer that is no address");
  }
  return std::nullopt;
}

void SentinelMasterLocator::learn(const std::string& host, int port) {
  const std::lock_guard lock(mutex_);
  if (master_.host == host && master_.port == port) return;
  master_ = {host, port, master_.generation + 1};
  generation_.store(master_.generation, std::memory_order_release);
}

void SentinelMasterLocator::watch() {
  std::size_t next = 0;
  while (!stopping_) {
    const auto& sentinel = url_.sentinels[next++ % url_.sentinels.size()];
    if (follow(sentinel) || stopping_) continue;
    // No sentinel answered: wait a little before the next, or until stopped.
    std::unique_lock lock(wake_mutex_);
    wake_.wait_for(lock, std::chrono::milliseconds(kPollMs), [this] { return stopping_.load(); });
  }
}

// Follows `+switch-master` on one sentinel until its connection breaks or
// the locator stops. False when it could not subscribe at all.
bool SentinelMasterLocator::follow(const SentinelAddress& sentinel) {
  std::string error;
  const auto context = connect_to(sentinel, &error);
  if (!context) return false;
  Reply subscribed(
      static_cast<redisReply*>(redisCommand(context.get(), "SUBSCRIBE +switch-master")));
  if (!subscribed || subscribed->type != REDIS_REPLY_ARRAY) return false;
  // Subscribed now: whatever switched before is asked for, not heard.
  const auto ask_again = [this] {
    std::string errors;
    if (const auto found = ask(&errors)) learn(found->first, found->second);
  };
  ask_again();
  while (!stopping_) {
    if (suspected_.exchange(false)) ask_again();
    pollfd ready{context->fd, POLLIN, 0};
    const int polled = ::poll(&ready, 1, kPollMs);
    if (polled < 0 && errno != EINTR) return true;
    if (polled <= 0) continue;
    if (redisBufferRead(context.get()) != REDIS_OK) return true;
    void* raw = nullptr;
    while (redisGetReplyFromReader(context.get(), &raw) == REDIS_OK && raw != nullptr) {
      const Reply message(static_cast<redisReply*>(raw));
      raw = nullptr;
      // ["message", "+switch-master", "<name> <old ip> <old port> <new ip> <new port>"]
      if (message->type != REDIS_REPLY_ARRAY || message->elements != 3 ||
          message->element[2]->type != REDIS_REPLY_STRING) {
        continue;
      }
      const auto words = split_list(text_of(*message->element[2]), ' ');
      if (words.size() != 5 || words[0] != url_.master_name) continue;
      if (const auto port = parse_integer(words[4], 1, 65535)) {
        learn(words[3], static_cast<int>(*port));
      }
    }
  }
  return true;
}

}  // namespace sessim
