#pragma once

#include <array>
#include <memory>
#include <string>
#include <vector>

namespace sessim {

class LinkRelay;
class RedisServer;

struct RedisSentinelGroupOptions {
  std::string executable = "redis-server";  // sentinels run it with --sentinel
  std::string work_dir;                     // a folder per server inside
  bool persistence = false;
  // How long the sentinels wait for a silent master before they agree it is
  // down (Sentinel's down-after-milliseconds; its default is 30 s).
  int down_after_ms = 1000;
};

// A private Redis with replication and failover, as production runs it: a
// master, a replica and three sentinels (quorum 2), on loopback. The
// master and the replica are reached only through link relays
// (net/link_relay.h), which the sentinels announce, so that a partition can
// cut the master off from its replica and the sentinels while the nodes
// still reach it: the case where asynchronous replication loses
// acknowledged writes.
//
// Each fault first waits until the replica has every write the master
// acknowledged, so that what a story loses is what its fault is about.
// Every call waits until what it did has settled (a new master the three
// sentinels agree on, a replica in sync), up to 30 s, except
// partition_master(), which returns at once: the failover it sets off is
// the lesson. Each returns a line saying what happened, for the run's notes.
// Throws EnvironmentError when the servers cannot start or do not settle.
class RedisSentinelGroup {
 public:
  static constexpr const char* kMasterName = "sessim";

  explicit RedisSentinelGroup(RedisSentinelGroupOptions options);
  ~RedisSentinelGroup();
  RedisSentinelGroup(const RedisSentinelGroup&) = delete;
  RedisSentinelGroup& operator=(const RedisSentinelGroup&) = delete;

  // redis-sentinel://127.0.0.1:P1,127.0.0.1:P2,127.0.0.1:P3#sessim
  std::string url() const;
  // "127.0.0.1:P1,127.0.0.1:P2,127.0.0.1:P3" for apps of the user's own.
  std::string sentinel_addresses() const;
  // The address the sentinels give for the master now (a relay's).
  std::string master_address() const;
  // Every process it runs, for tests that check nothing is left.
  std::vector<int> pids() const;
  std::string log_paths() const;

  // SENTINEL FAILOVER: the replica becomes the master, the old master its
  // replica.
  std::string failover();
  // SIGKILL to the master; the sentinels promote the replica. The old one
  // stays down until heal().
  std::string kill_master();
  // The master keeps serving the nodes but no longer hears from its
  // replica or the sentinels, which promote the replica after
  // down_after_ms.
  std::string partition_master();
  // Waits for the failover a partition set off, reconnects the old master
  // (or starts a killed one again) as a replica of the new one, as the
  // sentinels would a few seconds later, and waits until it is in sync.
  std::string heal();
  bool partitioned() const { return partitioned_ >= 0; }

  // The plain Redis faults, on the master of the moment.
  RedisServer& master();
  // The relays in front of the master and the replica, for faults on the
  // nodes' links to them.
  std::vector<LinkRelay*> relays() const;

  void stop();

 private:
  struct DataServer;
  void start_data_servers();
  void start_sentinels();
  void wait_until_sentinels_see_everyone();
  void wait_until_sentinels_name(int index);
  void wait_until_sentinels_trust_replica(int index);
  void rejoin_as_replica(int index);
  void wait_until_replica_in_sync();
  int other(int index) const { return 1 - index; }

  RedisSentinelGroupOptions options_;
  std::array<std::unique_ptr<DataServer>, 2> data_;
  std::vector<std::unique_ptr<RedisServer>> sentinels_;
  int master_ = 0;        // which of data_ the sentinels name now
  int partitioned_ = -1;  // the master cut off by partition_master(), if any
};

}  // namespace sessim
