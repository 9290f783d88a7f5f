#include "history/read_case.h"

#include <algorithm>

namespace sessim {
namespace {

// A login writes the user it logged in under this attribute in every
// reference app; a read of it after a logout shows whether the login
// survived.
constexpr const char* kLoginAttribute = "user";

bool counts(const Operation& op) { return op.outcome != OpOutcome::fail; }
bool is_boundary(const Operation& op) {
  return (op.op == OpKind::login || op.op == OpKind::logout) && counts(op);
}
Value written_or_login(const Operation& op) {
  return op.op == OpKind::login ? Value(op.value) : written(op);
}

// nullopt: a login or logout of the lineage overlaps the read, or may have
// happened without an answer, so either state is right.
std::optional<Epoch> epoch_of(const Operation& read, const Lineages& lineages) {
  const auto& history = lineages.history();
  Epoch epoch;
  for (const auto* boundary : lineages.of(read)) {
    const auto& op = *boundary;
    if (!is_boundary(op)) continue;
    if (op.start_us >= read.end_us) continue;
    if (op.outcome == OpOutcome::indeterminate || op.end_us >= read.start_us) return std::nullopt;
    if (!epoch.boundary || op.end_us > epoch.boundary->end_us) {
      epoch.boundary = &op;
      epoch.start_us = op.end_us;
      epoch.kind = op.op == OpKind::login ? Epoch::Kind::login : Epoch::Kind::logout;
    }
  }
  const std::int64_t timeout_us = static_cast<std::int64_t>(history.session_timeout_s) * 1'000'000;
  const std::int64_t tolerance_us = static_cast<std::int64_t>(history.expiry_tolerance_ms) * 1000;
  std::optional<std::int64_t> last_touch;
  for (const auto* touching : lineages.of(read)) {
    const auto& op = *touching;
    if (&op == &read || op.start_us >= read.start_us) continue;
    const auto touched = std::min(op.end_us, read.start_us);
    if (!last_touch || touched > *last_touch) last_touch = touched;
  }
  if (last_touch) epoch.idle_us = read.start_us - *last_touch;
  if (timeout_us > 0 && last_touch && epoch.idle_us >= timeout_us - tolerance_us &&
      *last_touch >= epoch.start_us) {
    epoch.kind = Epoch::Kind::expiry;
    epoch.start_us = *last_touch;
    epoch.boundary = nullptr;
    epoch.surely_expired = epoch.idle_us > timeout_us + tolerance_us;
  }
  return epoch;
}

}  // namespace

Value written(const Operation& op) {
  return op.op == OpKind::set ? Value(op.value) : std::nullopt;
}

bool overlaps(const Operation& a, const Operation& b) {
  return a.start_us < b.end_us && b.start_us < a.end_us;
}

Lineages::Lineages(const History& history) : history_(history) {
  // Browsers that shared cookies share a lineage.
  for (const auto& event : history_.events) {
    if (event.what == EventKind::copy_cookies && !event.from.empty() && !event.to.empty()) {
      group_[root(event.to)] = root(event.from);
    }
  }
  // Each read is judged against its own lineage only: a history of many
  // browsers costs each read its lineage's length, not the history's.
  for (const auto& op : history_.operations) lineages_[root(op.client)].push_back(&op);
}

std::string Lineages::root(std::string client) const {
  for (auto it = group_.find(client); it != group_.end() && it->second != client;
       it = group_.find(client)) {
    client = it->second;
  }
  return client;
}

const std::vector<const Operation*>& Lineages::of(const Operation& op) const {
  return lineages_.at(root(op.client));
}

const SystemEvent* Lineages::copy_into(const std::string& client, std::int64_t time) const {
  const SystemEvent* found = nullptr;
  for (const auto& event : history_.events) {
    if (event.what == EventKind::copy_cookies && event.to == client && event.at_us <= time)
      found = &event;
  }
  return found;
}

const SystemEvent* Lineages::node_fault_between(const std::string& node, std::int64_t from_us,
                                                std::int64_t to_us) const {
  const SystemEvent* found = nullptr;
  for (const auto& event : history_.events) {
    if (is_node_fault(event.what) && event.node == node && !node.empty() &&
        event.at_us >= from_us && event.at_us <= to_us) {
      found = &event;
    }
  }
  return found;
}

const SystemEvent* Lineages::store_event_between(bool SystemEvent::*what, std::int64_t from_us,
                                                 std::int64_t to_us) const {
  const SystemEvent* found = nullptr;
  for (const auto& event : history_.events) {
    if (event.what == EventKind::redis && event.*what && event.at_us >= from_us &&
        event.at_us <= to_us) {
      found = &event;
    }
  }
  return found;
}

bool Lineages::any_fault_between(std::int64_t from_us, std::int64_t to_us) const {
  return std::any_of(history_.events.begin(), history_.events.end(), [&](const SystemEvent& e) {
    const bool fault = is_node_fault(e.what) || e.what == EventKind::redis;
    return fault && e.at_us >= from_us && e.at_us <= to_us;
  });
}

const Operation* Lineages::replacement_before(const Operation& read, const Operation& write) const {
  if (read.session_before.empty() || read.session_before == write.session_after) return nullptr;
  for (const auto* op : of(read)) {
    if (op->start_us >= write.start_us && op->end_us <= read.start_us &&
        op->session_after == read.session_before && op->session_before != op->session_after &&
        !op->session_before.empty()) {
      return op;
    }
  }
  return nullptr;
}

const Operation* Lineages::cookie_deleted_before(const Operation& read,
                                                 const Operation& write) const {
  if (!read.session_before.empty()) return nullptr;
  const Operation* found = nullptr;
  for (const auto* op : of(read)) {
    if (op->start_us > write.start_us && op->end_us < read.start_us &&
        op->outcome == OpOutcome::ok && op->effect == SessionEffect::cleared) {
      found = op;
    }
  }
  return found;
}

bool ReadCase::read_acceptable() const {
  return std::find(acceptable.begin(), acceptable.end(), read->read) != acceptable.end();
}

std::optional<ReadCase> read_case_of(const Operation& read, const Lineages& lineages) {
  auto epoch = epoch_of(read, lineages);
  if (!epoch) return std::nullopt;
  ReadCase c;
  c.read = &read;
  c.epoch = *epoch;
  const auto* copy = lineages.copy_into(read.client, read.start_us);
  std::vector<const Operation*> owed;     // completed writes the read must reflect
  std::vector<const Operation*> earlier;  // writes of the attribute before the epoch
  for (const auto* candidate : lineages.of(read)) {
    const auto& write = *candidate;
    if (!counts(write) || write.start_us >= read.end_us) continue;
    const bool login_value = write.op == OpKind::login && read.attribute == kLoginAttribute;
    if (!login_value && (!writes_value(write.op) || write.attribute != read.attribute)) continue;
    if (write.start_us <= c.epoch.start_us) {
      // A write that overlapped the login or logout may have landed on
      // either side of it.
      const bool across_boundary =
          c.epoch.boundary && write.end_us >= c.epoch.boundary->start_us;
      if (across_boundary) {
        c.acceptable.push_back(written_or_login(write));
      } else {
        earlier.push_back(&write);
      }
      continue;
    }
    if (login_value) continue;  // a login in the epoch would have started a new one
    const bool mine = write.client == read.client && (!copy || write.start_us > copy->at_us);
    const bool inherited = copy && write.client == copy->from && write.end_us < copy->at_us;
    if ((mine || inherited) && write.outcome == OpOutcome::ok && write.end_us < read.start_us) {
      owed.push_back(&write);
    } else {
      c.acceptable.push_back(written(write));  // concurrent, maybe applied, or another tab's
    }
  }
  if (owed.empty()) {
    // Nothing owed: not set is right, and so is whatever a concurrent or
    // another tab's write left.
    c.acceptable.push_back(std::nullopt);
    for (const auto* write : earlier) {
      if (written_or_login(*write) == read.read) c.from_before_epoch = write;
    }
    return c;
  }
  // The writes that may have been the last: none began after it ended.
  std::vector<const Operation*> superseded;  // owed writes a later owed one replaced
  for (const auto* write : owed) {
    const bool later_exists = std::any_of(owed.begin(), owed.end(), [&](const auto* later) {
      return later->start_us > write->end_us;
    });
    if (later_exists) {
      superseded.push_back(write);
      continue;
    }
    c.acceptable.push_back(written(*write));
    if (!c.expected || write->end_us > c.expected->end_us) c.expected = write;
  }
  for (const auto* older : superseded) {
    if (written(*older) == read.read) {
      c.replaced_value = older;
      break;
    }
  }
  for (const auto* other : lineages.of(read)) {
    if (writes_value(other->op) && other->outcome == OpOutcome::ok &&
        other->attribute != read.attribute && overlaps(*other, *c.expected)) {
      c.overlapping_writes.push_back(other);
    }
  }
  return c;
}

}  // namespace sessim
