#include "cluster/redis_sentinel_group.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <hiredis/hiredis.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <thread>

#include "cluster/redis_server.h"
#include "common/errors.h"
#include "common/random.h"
#include "net/link_relay.h"
#include "net/loopback.h"

namespace sessim {
namespace {

constexpr auto kSettleDeadline = std::chrono::seconds(30);
constexpr auto kPollInterval = std::chrono::milliseconds(20);
constexpr int kSentinels = 3;
constexpr int kQuorum = 2;

// Each part connects from an address of its own, by which the relays tell
// them apart (127.0.0.0/8 is loopback as a whole on Linux).
constexpr std::array<const char*, 2> kDataSources{"127.0.0.11", "127.0.0.12"};
constexpr std::array<const char*, kSentinels> kSentinelSources{"127.0.0.21", "127.0.0.22",
                                                               "127.0.0.23"};

// One command to a server on 127.0.0.1, blocking, for the group's own
// bookkeeping: the reply as text, or its elements.
struct Answer {
  bool ok = false;
  std::string text;
  std::vector<std::string> items;
  std::vector<std::vector<std::string>> rows;  // an array of arrays (SENTINEL REPLICAS)
  std::string error;
};

Answer ask(int port, const std::vector<std::string>& argv, int timeout_ms = 500) {
  Answer answer;
  const timeval timeout{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
  redisContext* context = redisConnectWithTimeout("127.0.0.1", port, timeout);
  if (context == nullptr || context->err) {
    answer.error = context ? context->errstr : "out of memory";
    if (context) redisFree(context);
    return answer;
  }
  redisSetTimeout(context, timeout);
  std::vector<const char*> args;
  std::vector<size_t> lengths;
  for (const auto& arg : argv) {
    args.push_back(arg.data());
    lengths.push_back(arg.size());
  }
  auto* reply = static_cast<redisReply*>(
      redisCommandArgv(context, static_cast<int>(args.size()), args.data(), lengths.data()));
  if (reply == nullptr) {
    answer.error = context->errstr;
  } else if (reply->type == REDIS_REPLY_ERROR) {
    answer.error = std::string(reply->str, reply->len);
  } else {
    answer.ok = true;
    if (reply->type == REDIS_REPLY_STRING || reply->type == REDIS_REPLY_STATUS) {
      answer.text = std::string(reply->str, reply->len);
    } else if (reply->type == REDIS_REPLY_ARRAY) {
      const auto text_of = [](const redisReply* element) {
        return element->type == REDIS_REPLY_STRING || element->type == REDIS_REPLY_STATUS
                   ? std::string(element->str, element->len)
                   : std::string();
      };
      for (std::size_t i = 0; i < reply->elements; ++i) {
        const auto* element = reply->element[i];
        answer.items.push_back(text_of(element));
        if (element->type == REDIS_REPLY_ARRAY) {
          auto& row = answer.rows.emplace_back();
          for (std::size_t j = 0; j < element->elements; ++j)
            row.push_back(text_of(element->element[j]));
        }
      }
    } else if (reply->type == REDIS_REPLY_INTEGER) {
      answer.text = std::to_string(reply->integer);
    }
  }
  if (reply) freeReplyObject(reply);
  redisFree(context);
  return answer;
}

// Polls `settled` until it holds or kSettleDeadline passes; then throws
// with `what` and the last thing `settled` said.
void wait_until(const std::string& what, const std::function<bool(std::string*)>& settled) {
  const auto deadline = std::chrono::steady_clock::now() + kSettleDeadline;
  std::string last;
  while (!settled(&last)) {
    if (std::chrono::steady_clock::now() >= deadline) {
      throw EnvironmentError(fmt::format("Redis Sentinel: {} did not happen within {} s{}", what,
                                         kSettleDeadline.count(),
                                         last.empty() ? "" : " (" + last + ")"));
    }
    std::this_thread::sleep_for(kPollInterval);
  }
}

// A value of an `INFO replication` reply ("role", "master_link_status").
std::string info_field(const std::string& info, const std::string& field) {
  const auto at = info.find(field + ":");
  if (at == std::string::npos) return "";
  const auto start = at + field.size() + 1;
  const auto end = info.find_first_of("\r\n", start);
  return info.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

// A field of `SENTINEL master NAME`'s flat name/value list.
std::string master_field(const std::vector<std::string>& items, const std::string& name) {
  for (std::size_t i = 0; i + 1 < items.size(); i += 2) {
    if (items[i] == name) return items[i + 1];
  }
  return "";
}

}  // namespace

// A data server and the relay in front of it, which is its address to
// everyone else.
struct RedisSentinelGroup::DataServer {
  int port = 0;
  std::unique_ptr<LinkRelay> relay;
  int relay_port = 0;  // kept after stop() has closed the relay
  std::unique_ptr<RedisServer> server;
  std::string source;
};

namespace {

// What a data server is started with besides its port: the others know it
// by its relay, and a replica (the first, or an old master rejoining) syncs
// at once rather than after the 5 s Redis waits for more replicas to share
// one sync.
template <typename DataServer>
std::vector<std::string> own_args(const DataServer& data) {
  return {"--replica-announce-ip", "127.0.0.1", "--replica-announce-port",
          std::to_string(data.relay_port), "--repl-diskless-sync-delay", "0",
          // A replica loads its sync from the socket, leaving no dump.rdb
          // that a restart without persistence would load again.
          "--repl-diskless-load", "swapdb"};
}

}  // namespace

RedisSentinelGroup::RedisSentinelGroup(RedisSentinelGroupOptions options)
    : options_(std::move(options)) {
  try {
    start_data_servers();
    start_sentinels();
    wait_until_sentinels_see_everyone();
  } catch (...) {
    stop();
    throw;
  }
}

RedisSentinelGroup::~RedisSentinelGroup() { stop(); }

void RedisSentinelGroup::start_data_servers() {
  for (int index = 0; index < 2; ++index) {
    auto data = std::make_unique<DataServer>();
    data->port = pick_free_loopback_port();
    data->relay = std::make_unique<LinkRelay>("127.0.0.1", data->port);
    data->relay_port = data->relay->port();
    data->source = kDataSources[static_cast<std::size_t>(index)];
    data_[static_cast<std::size_t>(index)] = std::move(data);
  }
  for (int index = 0; index < 2; ++index) {
    auto& data = *data_[static_cast<std::size_t>(index)];
    RedisServerOptions server;
    server.executable = options_.executable;
    server.name = index == 0 ? "redis-master" : "redis-replica";
    server.work_dir = options_.work_dir + "/" + server.name;
    std::filesystem::create_directories(server.work_dir);
    server.port = data.port;
    server.persistence = options_.persistence;
    server.source_address = data.source;
    // The sentinels and the other server know it by its relay.
    server.extra_args = own_args(data);
    if (index == 1) {
      server.extra_args.insert(server.extra_args.end(),
                               {"--replicaof", "127.0.0.1", std::to_string(data_[0]->relay_port)});
    }
    data.server = std::make_unique<RedisServer>(server, RedisStart::spawned);
  }
  for (auto& data : data_) data->server->wait_until_ready();
  wait_until("the replica's first sync", [&](std::string* last) {
    const auto info = ask(data_[1]->port, {"INFO", "replication"});
    *last =
        info.ok ? "master_link_status:" + info_field(info.text, "master_link_status") : info.error;
    return info.ok && info_field(info.text, "master_link_status") == "up";
  });
}

void RedisSentinelGroup::start_sentinels() {
  // Each sentinel is told the others and the replica up front (known-sentinel,
  // known-replica: what it would write into its file after discovery), so
  // that the group can fail over at once instead of after their first hello
  // messages, 2 s apart.
  std::array<int, kSentinels> ports{};
  std::array<std::string, kSentinels> ids{};
  for (int index = 0; index < kSentinels; ++index) {
    ports[static_cast<std::size_t>(index)] = pick_free_loopback_port();
    ids[static_cast<std::size_t>(index)] = secure_random_hex(20);
  }
  for (int index = 0; index < kSentinels; ++index) {
    RedisServerOptions sentinel;
    sentinel.executable = options_.executable;
    sentinel.name = fmt::format("sentinel-{}", index + 1);
    sentinel.work_dir = options_.work_dir + "/" + sentinel.name;
    std::filesystem::create_directories(sentinel.work_dir);
    sentinel.source_address = kSentinelSources[static_cast<std::size_t>(index)];
    // Sentinel rewrites its file as it learns: one each, in its own folder.
    sentinel.sentinel_config = sentinel.work_dir + "/sentinel.conf";
    sentinel.port = ports[static_cast<std::size_t>(index)];
    std::ofstream config(sentinel.sentinel_config);
    config << fmt::format(
        "sentinel myid {4}\n"
        // It listens on 127.0.0.1, not on the address it connects from.
        "sentinel announce-ip 127.0.0.1\n"
        "sentinel monitor {0} 127.0.0.1 {1} {2}\n"
        "sentinel down-after-milliseconds {0} {3}\n"
        "sentinel failover-timeout {0} 5000\n"
        "sentinel parallel-syncs {0} 1\n"
        "sentinel known-replica {0} 127.0.0.1 {5}\n",
        kMasterName, data_[0]->relay_port, kQuorum, options_.down_after_ms,
        ids[static_cast<std::size_t>(index)], data_[1]->relay_port);
    for (int other = 0; other < kSentinels; ++other) {
      if (other == index) continue;
      config << fmt::format("sentinel known-sentinel {} 127.0.0.1 {} {}\n", kMasterName,
                            ports[static_cast<std::size_t>(other)],
                            ids[static_cast<std::size_t>(other)]);
    }
    config.close();
    sentinels_.push_back(std::make_unique<RedisServer>(sentinel, RedisStart::spawned));
  }
  for (auto& sentinel : sentinels_) sentinel->wait_until_ready();
}

// A failover needs each sentinel to know the replica (from the master's
// INFO) and the others (from their hello messages, every 2 s).
void RedisSentinelGroup::wait_until_sentinels_see_everyone() {
  wait_until("the sentinels' discovery of the replica and of each other", [&](std::string* last) {
    for (const auto& sentinel : sentinels_) {
      const auto master = ask(sentinel->port(), {"SENTINEL", "MASTER", kMasterName});
      if (!master.ok) {
        *last = master.error;
        return false;
      }
      const auto replicas = master_field(master.items, "num-slaves");
      const auto others = master_field(master.items, "num-other-sentinels");
      *last = fmt::format("sentinel on port {} knows {} replica(s) and {} other sentinel(s)",
                          sentinel->port(), replicas, others);
      if (replicas != "1" || others != std::to_string(kSentinels - 1)) return false;
    }
    return true;
  });
  wait_until_sentinels_trust_replica(other(master_));
}

// A failover promotes only a replica the sentinels have seen in sync (its
// INFO: a slave whose link to the master is up); one that just rejoined
// becomes eligible at their next INFO, within about a second.
void RedisSentinelGroup::wait_until_sentinels_trust_replica(int index) {
  const auto port = std::to_string(data_[static_cast<std::size_t>(index)]->relay_port);
  wait_until("the sentinels' check of the replica", [&](std::string* last) {
    for (const auto& sentinel : sentinels_) {
      const auto replicas = ask(sentinel->port(), {"SENTINEL", "REPLICAS", kMasterName});
      if (!replicas.ok) {
        *last = replicas.error;
        return false;
      }
      bool trusted = false;
      for (const auto& replica : replicas.rows) {
        if (master_field(replica, "port") != port) continue;
        *last = fmt::format("a sentinel sees the replica as {}, its link {}",
                            master_field(replica, "flags"),
                            master_field(replica, "master-link-status"));
        trusted = master_field(replica, "flags") == "slave" &&
                  master_field(replica, "master-link-status") == "ok";
      }
      if (!trusted) return false;
    }
    return true;
  });
}

void RedisSentinelGroup::wait_until_sentinels_name(int index) {
  const auto wanted = std::to_string(data_[static_cast<std::size_t>(index)]->relay_port);
  wait_until("the failover", [&](std::string* last) {
    for (const auto& sentinel : sentinels_) {
      const auto named =
          ask(sentinel->port(), {"SENTINEL", "GET-MASTER-ADDR-BY-NAME", kMasterName});
      if (!named.ok || named.items.size() != 2) {
        *last = named.ok ? "no address" : named.error;
        return false;
      }
      *last = fmt::format("a sentinel names 127.0.0.1:{}", named.items[1]);
      if (named.items[1] != wanted) return false;
    }
    return true;
  });
  master_ = index;
  // Started again, it is a master, as it is now.
  auto& promoted = *data_[static_cast<std::size_t>(index)];
  promoted.server->set_extra_args(own_args(promoted));
}

// What the sentinels do to an old master that comes back (REPLICAOF the
// new one, and CLIENT KILL of its clients, so that they ask again), done at
// once instead of after their few seconds' wait.
void RedisSentinelGroup::rejoin_as_replica(int index) {
  auto& data = *data_[static_cast<std::size_t>(index)];
  const auto master_port = std::to_string(data_[static_cast<std::size_t>(master_)]->relay_port);
  auto args = own_args(data);
  args.insert(args.end(), {"--replicaof", "127.0.0.1", master_port});
  data.server->set_extra_args(std::move(args));
  if (data.server->pid() == 0) {
    data.server->start();
  } else {
    const auto replica_of = ask(data.port, {"REPLICAOF", "127.0.0.1", master_port});
    if (!replica_of.ok) {
      throw EnvironmentError("Redis Sentinel: the old master refused REPLICAOF: " +
                             replica_of.error);
    }
    ask(data.port, {"CLIENT", "KILL", "TYPE", "normal"});
  }
  wait_until("the old master's sync as a replica", [&](std::string* last) {
    const auto info = ask(data.port, {"INFO", "replication"});
    *last = info.ok ? "role:" + info_field(info.text, "role") +
                          " master_link_status:" + info_field(info.text, "master_link_status")
                    : info.error;
    return info.ok && info_field(info.text, "role") == "slave" &&
           info_field(info.text, "master_link_status") == "up";
  });
}

std::string RedisSentinelGroup::url() const {
  std::vector<std::string> hosts;
  for (const auto& sentinel : sentinels_)
    hosts.push_back(fmt::format("127.0.0.1:{}", sentinel->port()));
  return fmt::format("redis-sentinel://{}#{}", fmt::join(hosts, ","), kMasterName);
}

std::string RedisSentinelGroup::sentinel_addresses() const {
  std::vector<std::string> hosts;
  for (const auto& sentinel : sentinels_)
    hosts.push_back(fmt::format("127.0.0.1:{}", sentinel->port()));
  return fmt::format("{}", fmt::join(hosts, ","));
}

std::string RedisSentinelGroup::master_address() const {
  return fmt::format("127.0.0.1:{}", data_[static_cast<std::size_t>(master_)]->relay_port);
}

std::vector<int> RedisSentinelGroup::pids() const {
  std::vector<int> pids;
  for (const auto& data : data_) {
    if (data && data->server && data->server->pid() != 0) pids.push_back(data->server->pid());
  }
  for (const auto& sentinel : sentinels_) {
    if (sentinel->pid() != 0) pids.push_back(sentinel->pid());
  }
  return pids;
}

std::string RedisSentinelGroup::log_paths() const {
  std::vector<std::string> paths;
  for (const auto& data : data_) {
    if (data && data->server) paths.push_back(data->server->log_path());
  }
  for (const auto& sentinel : sentinels_) paths.push_back(sentinel->log_path());
  return fmt::format("{}", fmt::join(paths, ", "));
}

RedisServer& RedisSentinelGroup::master() {
  return *data_[static_cast<std::size_t>(master_)]->server;
}

std::vector<LinkRelay*> RedisSentinelGroup::relays() const {
  std::vector<LinkRelay*> relays;
  for (const auto& data : data_) {
    if (data && data->relay) relays.push_back(data->relay.get());
  }
  return relays;
}

// What the master has acknowledged so far has reached the replica: its
// offset equals the master's. Each fault waits for it first, so that the
// only writes a story loses are those its fault is about, not the last
// microseconds of replication that happened to be in flight.
void RedisSentinelGroup::wait_until_replica_in_sync() {
  auto& master = *data_[static_cast<std::size_t>(master_)];
  auto& replica = *data_[static_cast<std::size_t>(other(master_))];
  if (replica.server->pid() == 0) return;
  // A replica that rejoined is eligible once the sentinels' INFO has shown
  // it in sync, which can take their 10 s INFO period: paid here, by a
  // fault that needs a failover, not by every heal.
  wait_until_sentinels_trust_replica(other(master_));
  wait_until("the replica's catching up", [&](std::string* last) {
    const auto master_info = ask(master.port, {"INFO", "replication"});
    const auto replica_info = ask(replica.port, {"INFO", "replication"});
    if (!master_info.ok || !replica_info.ok) {
      *last = master_info.ok ? replica_info.error : master_info.error;
      return false;
    }
    const auto wanted = info_field(master_info.text, "master_repl_offset");
    const auto reached = info_field(replica_info.text, "slave_repl_offset");
    *last = fmt::format("master at offset {}, replica at {}", wanted, reached);
    return !wanted.empty() && wanted == reached;
  });
}

std::string RedisSentinelGroup::failover() {
  const int old = master_;
  wait_until_replica_in_sync();
  const auto asked = ask(sentinels_.front()->port(), {"SENTINEL", "FAILOVER", kMasterName});
  if (!asked.ok) throw EnvironmentError("Redis Sentinel refused SENTINEL FAILOVER: " + asked.error);
  wait_until_sentinels_name(other(old));
  rejoin_as_replica(old);
  return fmt::format(
      "failover: the sentinels promoted the replica ({}); the old master is its "
      "replica now",
      master_address());
}

std::string RedisSentinelGroup::kill_master() {
  const int old = master_;
  wait_until_replica_in_sync();
  data_[static_cast<std::size_t>(old)]->server->kill();
  wait_until_sentinels_name(other(old));
  return fmt::format(
      "master killed (SIGKILL); the sentinels promoted the replica ({}), which "
      "has no replica until heal",
      master_address());
}

std::string RedisSentinelGroup::partition_master() {
  if (partitioned_ >= 0) return "the master is cut off already";
  wait_until_replica_in_sync();
  partitioned_ = master_;
  auto& relay = *data_[static_cast<std::size_t>(master_)]->relay;
  relay.cut(data_[static_cast<std::size_t>(other(master_))]->source);
  for (const auto* source : kSentinelSources) relay.cut(source);
  return fmt::format(
      "master cut off from its replica and the sentinels; it still serves the nodes, which it "
      "acknowledges without replicating, until the sentinels promote the replica (after {} ms)",
      options_.down_after_ms);
}

std::string RedisSentinelGroup::heal() {
  if (partitioned_ >= 0) {
    const int old = partitioned_;
    if (master_ == old) wait_until_sentinels_name(other(old));
    data_[static_cast<std::size_t>(old)]->relay->heal();
    partitioned_ = -1;
    rejoin_as_replica(old);
    return fmt::format(
        "healed: the sentinels had promoted the replica ({}); the old master rejoined as its "
        "replica and dropped what it alone held",
        master_address());
  }
  const int old = other(master_);
  if (data_[static_cast<std::size_t>(old)]->server->pid() == 0) {
    rejoin_as_replica(old);
    return fmt::format("healed: the old master started again as a replica of {}", master_address());
  }
  return "healed: nothing was cut off";
}

void RedisSentinelGroup::stop() {
  // Sentinels first, so that they do not fail over a master being stopped.
  for (auto& sentinel : sentinels_) sentinel->ask_to_stop();
  for (auto& sentinel : sentinels_) sentinel->stop();
  // The relays go next, closing every link: a master whose replica is cut
  // off would otherwise spend its shutdown waiting for it to catch up.
  for (auto& data : data_) {
    if (data) data->relay.reset();
  }
  for (auto& data : data_) {
    if (data && data->server) data->server->ask_to_stop();
  }
  for (auto& data : data_) {
    if (data && data->server) data->server->stop();
  }
}

}  // namespace sessim
