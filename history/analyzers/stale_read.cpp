#include "history/analyzers.h"

namespace sessim {

std::optional<Finding> find_stale_read(const ReadCase& c, const Lineages&) {
  if (!c.expected || !c.overlapping_writes.empty()) return std::nullopt;
  const auto& read = *c.read;
  if (c.replaced_value) {
    auto finding =
        finding_of(AnomalyKind::stale_read, read, *c.expected, {c.replaced_value, c.expected, &read});
    finding.older = ref_of(*c.replaced_value);
    return finding;
  }
  // Another tab of the same session: what it read is older than the write.
  if (read.read && read.client != c.expected->client) {
    return finding_of(AnomalyKind::stale_read, read, *c.expected, {c.expected, &read});
  }
  return std::nullopt;
}

std::optional<Finding> find_read_your_writes(const ReadCase& c, const Lineages&) {
  if (!c.expected || !c.overlapping_writes.empty() || c.replaced_value) return std::nullopt;
  const auto& read = *c.read;
  if (!read.read || read.client != c.expected->client) return std::nullopt;
  return finding_of(AnomalyKind::read_your_writes, read, *c.expected, {c.expected, &read});
}

}  // namespace sessim
