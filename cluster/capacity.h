#pragma once

#include <cstdint>

#include "cluster/cluster_config.h"
#include "vocab/cluster_settings.h"

namespace sessim {

// What a cluster needs from the machine, estimated before anything starts.
struct CapacityNeed {
  std::int64_t descriptors = 0;  // open files of this process
  std::int64_t memory_kib = 0;   // resident memory, this process and its children
};
CapacityNeed capacity_needed(const ClusterConfig& config);

// What the machine offers: the open-file limit (after raising the soft limit
// to the hard one, as nginx's worker_rlimit_nofile does) and MemAvailable.
struct CapacityOffer {
  std::int64_t descriptors = 0;
  std::int64_t memory_kib = 0;  // 0: unknown (no /proc/meminfo)
};
CapacityOffer machine_capacity();

// Throws EnvironmentError naming what is short, by how much, and what to do,
// when `need` does not fit `offer`.
void check_capacity(const CapacityNeed& need, const CapacityOffer& offer, int nodes);

}  // namespace sessim
