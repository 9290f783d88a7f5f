#include "history/analyzers.h"

namespace sessim {

std::optional<Finding> find_lost_update(const ReadCase& c, const Lineages&) {
  if (!c.expected || c.overlapping_writes.empty()) return std::nullopt;
  std::vector<const Operation*> proof{c.expected, c.read};
  proof.insert(proof.end(), c.overlapping_writes.begin(), c.overlapping_writes.end());
  auto finding = finding_of(AnomalyKind::lost_update, *c.read, *c.expected, proof);
  finding.cause = AnomalyCause::concurrent_write;
  for (const auto* other : c.overlapping_writes) finding.concurrent.push_back(ref_of(*other));
  return finding;
}

}  // namespace sessim
