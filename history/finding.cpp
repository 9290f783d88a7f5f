#include "history/finding.h"

#include <algorithm>

namespace sessim {

OpRef ref_of(const Operation& op) {
  OpRef ref;
  ref.index = op.index;
  ref.request = op.request;
  ref.client = op.client;
  ref.node = op.node;
  ref.attribute = op.attribute;
  if (op.op == OpKind::get) {
    ref.value = op.read;
  } else if (op.op == OpKind::set || op.op == OpKind::login) {
    ref.value = op.value;
  }
  ref.session_sent = op.session_before;
  return ref;
}

Finding finding_of(AnomalyKind kind, const Operation& read, const Operation& write,
                   std::vector<const Operation*> proof) {
  Finding finding;
  finding.kind = kind;
  finding.read = ref_of(read);
  finding.write = ref_of(write);
  finding.observed = read.effect;
  std::sort(proof.begin(), proof.end(),
            [](const Operation* a, const Operation* b) { return a->index < b->index; });
  proof.erase(std::unique(proof.begin(), proof.end()), proof.end());
  for (const auto* op : proof) {
    finding.operations.push_back(op->index);
    finding.requests.push_back(op->request);
  }
  return finding;
}

}  // namespace sessim
