#include "cluster/capacity.h"

#include <fmt/format.h>
#include <sys/resource.h>

#include <fstream>
#include <sstream>
#include <string>

#include "common/errors.h"

namespace sessim {
namespace {

// Measured on the project's machine (docs/benchmarks.md), with headroom: an
// idle in-process node holds a listening socket and its state (< 64 KiB),
// a `sessim node` process about 6 MiB, a redis-server about 8 MiB.
constexpr std::int64_t kBaseDescriptors = 64;
// Requests in flight at once, each holding a client connection to the
// balancer and the balancer's connection to a node (both ends in this
// process when the nodes are in-process): room for a scenario's parallel
// steps and the health checks.
constexpr std::int64_t kConcurrentExchanges = 64;
constexpr std::int64_t kDescriptorsPerExchange = 4;
constexpr std::int64_t kBaseMemoryKib = 32 * 1024;
constexpr std::int64_t kInprocNodeMemoryKib = 256;
constexpr std::int64_t kProcessNodeMemoryKib = 8 * 1024;
constexpr std::int64_t kRedisMemoryKib = 16 * 1024;

}  // namespace

CapacityNeed capacity_needed(const ClusterConfig& config) {
  CapacityNeed need{kBaseDescriptors + kConcurrentExchanges * kDescriptorsPerExchange,
                    kBaseMemoryKib};
  // The balancer opens a connection to a node when a request goes there and
  // keeps it for the next (up to --keepalive per node over all loops, only
  // as many as were in use at once): a node that served a run's requests
  // one at a time costs one connection, however many loops there are. An
  // in-process node holds the other end, its listening socket and, with
  // Redis, a store connection; a child holds its two log pipes here instead.
  const bool inproc = config.node_kind == NodeKind::sessim && config.mode == NodeMode::inproc;
  std::int64_t per_node_descriptors = inproc ? 1 + 2 : 2 + 1;
  if (inproc && uses_redis(config.store)) per_node_descriptors += 1;
  if (config.target_url.empty()) need.descriptors += config.nodes * per_node_descriptors;
  // Link relays (a story that partitions, delays or resets links): each
  // listens, and each connection through it is two more descriptors, at
  // most LinkRelay::kMaxConnections at once per relay.
  if (config.network_links && config.target_url.empty()) {
    need.descriptors += config.nodes * (1 + 2 * 2);  // the balancer's link to each node
    if (uses_redis(config.store)) need.descriptors += 1 + 2 * config.nodes;  // the nodes' to Redis
  }
  if (config.node_kind == NodeKind::sessim) {
    need.memory_kib += config.nodes * (config.mode == NodeMode::inproc ? kInprocNodeMemoryKib
                                                                       : kProcessNodeMemoryKib);
  }
  if (config.store == StoreKind::redis && config.redis_url.empty()) {
    need.memory_kib += kRedisMemoryKib;
  }
  // A master, a replica and three sentinels.
  if (config.store == StoreKind::redis_sentinel) need.memory_kib += 5 * kRedisMemoryKib;
  return need;
}

CapacityOffer machine_capacity() {
  CapacityOffer offer;
  rlimit files{};
  if (getrlimit(RLIMIT_NOFILE, &files) == 0) {
    if (files.rlim_cur < files.rlim_max) {
      rlimit raised = files;
      raised.rlim_cur = files.rlim_max;
      if (setrlimit(RLIMIT_NOFILE, &raised) == 0) files = raised;
    }
    offer.descriptors = files.rlim_cur == RLIM_INFINITY ? std::int64_t{1} << 30
                                                        : static_cast<std::int64_t>(files.rlim_cur);
  }
  std::ifstream meminfo("/proc/meminfo");
  std::string line;
  while (std::getline(meminfo, line)) {
    if (line.rfind("MemAvailable:", 0) != 0) continue;
    std::istringstream fields(line.substr(13));
    fields >> offer.memory_kib;
  }
  return offer;
}

void check_capacity(const CapacityNeed& need, const CapacityOffer& offer, int nodes) {
  if (offer.descriptors > 0 && need.descriptors > offer.descriptors) {
    throw EnvironmentError(fmt::format(
        "{} nodes need about {} open files, but this process may open {} (ulimit -n); raise "
        "the limit (ulimit -n {}) or ask for fewer nodes",
        nodes, need.descriptors, offer.descriptors, need.descriptors));
  }
  if (offer.memory_kib > 0 && need.memory_kib > offer.memory_kib) {
    throw EnvironmentError(fmt::format(
        "{} nodes need about {} MiB of memory, but {} MiB are available; ask for fewer nodes "
        "or use --mode inproc",
        nodes, need.memory_kib / 1024, offer.memory_kib / 1024));
  }
}

}  // namespace sessim
