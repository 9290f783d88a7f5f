#include "net/cpu_budget.h"

#include <sched.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "common/text.h"

namespace sessim {
namespace {

// A file's line without its line end and surrounding blanks.
std::string_view bare(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
  return trim(text);
}

std::optional<std::int64_t> positive_number(std::string_view text) {
  const auto number = parse_integer(bare(text), 1, std::int64_t{1} << 50);
  if (!number) return std::nullopt;
  return static_cast<std::int64_t>(*number);
}

std::string first_line(const std::string& path) {
  std::ifstream file(path);
  std::string line;
  std::getline(file, line);
  return line;
}

// The process's cgroup v2 folder, from /proc/self/cgroup's "0::/path" line.
std::string cgroup_v2_folder() {
  std::ifstream file("/proc/self/cgroup");
  std::string line;
  while (std::getline(file, line)) {
    if (line.rfind("0::", 0) == 0) return "/sys/fs/cgroup" + line.substr(3);
  }
  return "/sys/fs/cgroup";
}

std::optional<CpuQuota> cgroup_quota() {
  for (const auto& folder : {cgroup_v2_folder(), std::string("/sys/fs/cgroup")}) {
    const auto text = first_line(folder + "/cpu.max");
    if (!text.empty()) return parse_cpu_max(text);
  }
  return parse_cfs_quota(first_line("/sys/fs/cgroup/cpu/cpu.cfs_quota_us"),
                         first_line("/sys/fs/cgroup/cpu/cpu.cfs_period_us"));
}

int affinity_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) == 0) return CPU_COUNT(&set);
  return static_cast<int>(std::thread::hardware_concurrency());
}

}  // namespace

int usable_cpus(int affinity_cpus, std::optional<CpuQuota> quota) {
  int cpus = std::max(1, affinity_cpus);
  if (quota && quota->quota_us > 0 && quota->period_us > 0) {
    const auto allowed = (quota->quota_us + quota->period_us - 1) / quota->period_us;
    cpus = static_cast<int>(std::min<std::int64_t>(cpus, std::max<std::int64_t>(1, allowed)));
  }
  return cpus;
}

std::optional<CpuQuota> parse_cpu_max(std::string_view text) {
  text = bare(text);
  const auto space = text.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  const auto quota = positive_number(text.substr(0, space));  // "max": none
  const auto period = positive_number(text.substr(space + 1));
  if (!quota || !period) return std::nullopt;
  return CpuQuota{*quota, *period};
}

std::optional<CpuQuota> parse_cfs_quota(std::string_view quota, std::string_view period) {
  const auto quota_us = positive_number(quota);  // -1: none
  const auto period_us = positive_number(period);
  if (!quota_us || !period_us) return std::nullopt;
  return CpuQuota{*quota_us, *period_us};
}

int available_cpus() { return usable_cpus(affinity_cpus(), cgroup_quota()); }

}  // namespace sessim
