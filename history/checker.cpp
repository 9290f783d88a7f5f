#include "history/checker.h"

#include <algorithm>

#include "history/analyzers.h"

namespace sessim {

std::vector<Finding> check_history(const History& history) {
  const Lineages lineages(history);
  std::vector<Finding> findings;
  for (const auto& op : history.operations) {
    if (op.op != OpKind::get || op.outcome != OpOutcome::ok) continue;
    const auto read = read_case_of(op, lineages);
    if (!read || read->read_acceptable()) continue;
    for (const auto& analyzer : kAnalyzers) {
      if (auto finding = analyzer.find(*read, lineages)) {
        findings.push_back(std::move(*finding));
        break;
      }
    }
  }
  std::stable_sort(findings.begin(), findings.end(), [](const auto& a, const auto& b) {
    return a.operations.back() < b.operations.back();
  });
  return findings;
}

std::map<AnomalyKind, int> count_by_kind(const std::vector<Finding>& findings) {
  std::map<AnomalyKind, int> counts;
  for (const auto& finding : findings) ++counts[finding.kind];
  return counts;
}

}  // namespace sessim
