#include "history/analyzers.h"

namespace sessim {
namespace {

std::int64_t timeout_us(const History& history) {
  return static_cast<std::int64_t>(history.session_timeout_s) * 1'000'000;
}
std::int64_t tolerance_us(const History& history) {
  return static_cast<std::int64_t>(history.expiry_tolerance_ms) * 1000;
}

}  // namespace

std::optional<Finding> find_early_expiry(const ReadCase& c, const Lineages& lineages) {
  if (!c.expected || c.read->read || !c.overlapping_writes.empty()) return std::nullopt;
  const auto& history = lineages.history();
  const auto& read = *c.read;
  const auto& write = *c.expected;
  const auto timeout = timeout_us(history);
  const auto tolerance = tolerance_us(history);
  if (timeout <= 0 || c.epoch.idle_us < tolerance || c.epoch.idle_us >= timeout - tolerance) {
    return std::nullopt;
  }
  // The browser no longer held the session written to, or something
  // happened to the system: the idle time is not the explanation.
  if (lineages.cookie_deleted_before(read, write) || lineages.replacement_before(read, write) ||
      lineages.any_fault_between(write.end_us, read.start_us)) {
    return std::nullopt;
  }
  // Another instance that may keep sessions of its own never had it.
  const bool elsewhere = !read.node.empty() && !write.node.empty() && read.node != write.node;
  if (elsewhere && history.model.other_instances_see_sessions() != true) return std::nullopt;
  auto finding = finding_of(AnomalyKind::early_expiry, read, write, {&write, &read});
  finding.idle_us = c.epoch.idle_us;
  finding.timeout_s = history.session_timeout_s;
  return finding;
}

std::optional<Finding> find_late_expiry(const ReadCase& c, const Lineages& lineages) {
  if (c.expected || !c.from_before_epoch || c.epoch.kind != Epoch::Kind::expiry ||
      !c.epoch.surely_expired) {
    return std::nullopt;
  }
  auto finding =
      finding_of(AnomalyKind::late_expiry, *c.read, *c.from_before_epoch,
                 {c.from_before_epoch, c.read});
  finding.idle_us = c.epoch.idle_us;
  finding.timeout_s = lineages.history().session_timeout_s;
  return finding;
}

}  // namespace sessim
