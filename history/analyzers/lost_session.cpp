#include "history/analyzers.h"

namespace sessim {
namespace {

EventRef ref_of(const SystemEvent& event) { return {event.what, event.step, event.node}; }

// With --balancer hash, the request that made the read's session carried no
// cookie to hash: it went wherever round-robin sent it.
std::optional<OpRef> hash_fallback(const Operation& read, const Lineages& lineages) {
  if (lineages.history().balancer != StrategyKind::hash) return std::nullopt;
  for (const auto* made : lineages.of(read)) {
    const auto& op = *made;
    if (op.session_before.empty() && !op.session_after.empty() && op.outcome == OpOutcome::ok) {
      if (read.session_before != op.session_after) return std::nullopt;  // a later cookie
      return sessim::ref_of(op);
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<Finding> find_lost_session(const ReadCase& c, const Lineages& lineages) {
  if (!c.expected || c.read->read || !c.overlapping_writes.empty()) return std::nullopt;
  const auto& read = *c.read;
  const auto& write = *c.expected;
  const auto& model = lineages.history().model;
  auto finding = finding_of(AnomalyKind::lost_session, read, write, {&write, &read});
  if (const auto* deleted = lineages.cookie_deleted_before(read, write)) {
    finding = finding_of(AnomalyKind::lost_session, read, write, {&write, deleted, &read});
    finding.earlier = sessim::ref_of(*deleted);
    finding.cause = AnomalyCause::cookie_deleted;
    return finding;
  }
  // The browser no longer held the session written to: an earlier response
  // handed it an empty one, and that loss is told there.
  if (const auto* maker = lineages.replacement_before(read, write)) {
    finding = finding_of(AnomalyKind::lost_session, read, write, {&write, maker, &read});
    finding.earlier = sessim::ref_of(*maker);
    finding.cause = AnomalyCause::replaced_earlier;
    return finding;
  }
  const bool elsewhere = !read.node.empty() && !write.node.empty() && read.node != write.node;
  const auto* fault = lineages.node_fault_between(write.node, write.end_us, read.start_us);
  if (fault) finding.fault = ref_of(*fault);
  // A fault is the cause where it destroyed the session (sessions in the
  // node's memory) or the same node answered after it; a read that went to
  // an instance that never shares sessions lost them to that, fault or not.
  if (fault && (model.in_node_memory == true || !elsewhere)) {
    finding.cause = AnomalyCause::node_fault;
    return finding;
  }
  if (const auto* emptied =
          lineages.store_event_between(&SystemEvent::store_emptied, write.end_us, read.start_us)) {
    finding.fault = ref_of(*emptied);
    finding.cause = AnomalyCause::store_restart;
    return finding;
  }
  if (const auto* failover = lineages.store_event_between(&SystemEvent::store_failed_over,
                                                          write.end_us, read.start_us)) {
    finding.fault = ref_of(*failover);
    finding.cause = AnomalyCause::store_failover;
    return finding;
  }
  if (elsewhere && model.other_instances_see_sessions() == false) {
    finding.cause = AnomalyCause::never_seen;
    finding.hash_fallback = hash_fallback(read, lineages);
  }
  return finding;
}

}  // namespace sessim
