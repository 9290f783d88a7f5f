#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "history/history.h"

// The ground every analyzer stands on: which clients share a session (a
// lineage), where the session a read belongs to began (an epoch), and which
// writes the read must reflect. The analyzers (history/analyzers.h) each
// decide one kind of anomaly from a ReadCase; none of them repeats this.
namespace sessim {

using Value = std::optional<std::string>;  // nullopt: not set

// What a write left in its attribute: the value set, or not set.
Value written(const Operation& op);
bool overlaps(const Operation& a, const Operation& b);

// The clients of a history grouped by the session they hold, and the
// questions the analyzers ask of its operations and events.
class Lineages {
 public:
  explicit Lineages(const History& history);

  const History& history() const { return history_; }
  // The operations of the op's lineage, in start order.
  const std::vector<const Operation*>& of(const Operation& op) const;
  // The last copy of another browser's cookies into `client` before `time`.
  const SystemEvent* copy_into(const std::string& client, std::int64_t time) const;

  // The last crash, stop or restart of `node` between the two times.
  const SystemEvent* node_fault_between(const std::string& node, std::int64_t from_us,
                                        std::int64_t to_us) const;
  // The last Redis event between the two times that did `what` (emptied
  // the store, failed it over).
  const SystemEvent* store_event_between(bool SystemEvent::*what, std::int64_t from_us,
                                         std::int64_t to_us) const;
  bool any_fault_between(std::int64_t from_us, std::int64_t to_us) const;

  // The request of the read's lineage after `write` whose response handed
  // the browser the session the read sent, in place of the one written to.
  const Operation* replacement_before(const Operation& read, const Operation& write) const;
  // The request of the lineage whose response deleted the cookie, when the
  // read went without one.
  const Operation* cookie_deleted_before(const Operation& read, const Operation& write) const;

 private:
  std::string root(std::string client) const;

  const History& history_;
  std::map<std::string, std::string> group_;  // client -> the client it copied from
  std::map<std::string, std::vector<const Operation*>> lineages_;  // root client -> operations
};

// Where a session ends for the reads after it: a logout or login of the
// lineage, or an idle time the client waited out.
struct Epoch {
  enum class Kind { none, login, logout, expiry } kind = Kind::none;
  std::int64_t start_us = std::numeric_limits<std::int64_t>::min();
  const Operation* boundary = nullptr;  // login or logout
  bool surely_expired = false;          // idle past the timeout and the tolerance
  std::int64_t idle_us = 0;             // the lineage's last use before the read
};

// One completed read and what the history allows it to return.
struct ReadCase {
  const Operation* read = nullptr;
  Epoch epoch;
  // The last write of the epoch the read must reflect; null when none is
  // owed (nothing written since the epoch began, or only by others).
  const Operation* expected = nullptr;
  // An owed write a later one replaced, whose value the read returned.
  const Operation* replaced_value = nullptr;
  // Writes of other attributes of the same session that overlapped the
  // expected one: a save of the whole session can erase a concurrent change.
  std::vector<const Operation*> overlapping_writes;
  // Nothing owed: the last write from before the epoch whose value the
  // read returned (a value from before a logout or an idle timeout).
  const Operation* from_before_epoch = nullptr;
  std::vector<Value> acceptable;             // every value the read may return

  bool read_acceptable() const;
};

// nullopt: the read is not judged (a login or logout overlaps it, or may
// have happened without an answer).
std::optional<ReadCase> read_case_of(const Operation& read, const Lineages& lineages);

}  // namespace sessim
