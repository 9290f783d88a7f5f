#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

// How many CPUs this process may really use, for the number of event loops:
// the CPUs of its affinity mask (taskset, cpusets), capped by its cgroup's CPU
// quota (containers: docker --cpus, Kubernetes limits), as nginx's
// `worker_processes auto` and Go's GOMAXPROCS count them; never the machine's
// core count alone.
namespace sessim {

// A cgroup CPU quota: `quota_us` of CPU time in every `period_us`.
struct CpuQuota {
  std::int64_t quota_us = 0;
  std::int64_t period_us = 0;
};

// The affinity count capped by the quota rounded up (1.5 CPUs allow 2 loops),
// at least 1.
int usable_cpus(int affinity_cpus, std::optional<CpuQuota> quota);

// cgroup v2's cpu.max ("max 100000" has no quota; "200000 100000" is 2 CPUs);
// nullopt for no quota or text it does not understand.
std::optional<CpuQuota> parse_cpu_max(std::string_view text);
// cgroup v1's cpu.cfs_quota_us and cpu.cfs_period_us (a quota of -1: none).
std::optional<CpuQuota> parse_cfs_quota(std::string_view quota, std::string_view period);

// This process's usable CPUs, read from sched_getaffinity and /sys/fs/cgroup.
int available_cpus();

}  // namespace sessim
