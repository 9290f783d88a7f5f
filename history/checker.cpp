#include "history/checker.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <set>
#include <utility>

#include "common/text.h"

namespace sessim {
namespace {

using Value = std::optional<std::string>;  // nullopt: not set

// A login writes the user it logged in under this attribute in every
// reference app; a read of it after a logout shows whether the login
// survived.
constexpr const char* kLoginAttribute = "user";

std::string shown(const Value& value) {
  return value ? fmt::format("\"{}\"", abbreviate(*value, 24)) : "(not set)";
}

bool counts(const Operation& op) { return op.outcome != OpOutcome::fail; }
bool is_write(const Operation& op) { return op.op == StepKind::set || op.op == StepKind::remove; }
bool is_boundary(const Operation& op) {
  return (op.op == StepKind::login || op.op == StepKind::logout) && counts(op);
}
Value written(const Operation& op) {
  return op.op == StepKind::set ? Value(op.value) : std::nullopt;
}

bool overlaps(const Operation& a, const Operation& b) {
  return a.start_us < b.end_us && b.start_us < a.end_us;
}

std::string node_of(const Operation& op) { return op.node.empty() ? "an unknown node" : op.node; }

// What the read's response did to the browser's cookie: an observation, told
// beside a loss, never a cause.
std::string cookie_observation(const Operation& read) {
  switch (read.effect) {
    case SessionEffect::replaced:
      return "; its response replaced the browser's session cookie with a new one";
    case SessionEffect::ended:
    case SessionEffect::cleared:
      return "; its response deleted the browser's session cookie";
    case SessionEffect::missed:
      return "; the node found no session for the cookie and made none";
    case SessionEffect::adopted:
      return "; the node took the cookie's unknown id for a new, empty session";
    default:
      return "";
  }
}

// Where a session ends for the reads after it: a logout or login of the
// lineage, or an idle time the client waited out.
struct Epoch {
  enum class Kind { none, login, logout, expiry } kind = Kind::none;
  std::int64_t start_us = std::numeric_limits<std::int64_t>::min();
  const Operation* boundary = nullptr;  // login or logout
  bool surely_expired = false;          // idle past the timeout and the tolerance
  std::int64_t idle_us = 0;             // the lineage's last use before the read
};

class Checker {
 public:
  explicit Checker(const History& history) : history_(history) {}

  std::vector<Anomaly> run() {
    group_clients();
    // Each read is judged against its own lineage only: a history of many
    // browsers costs each read its lineage's length, not the history's.
    for (const auto& op : history_.operations) lineages_[root(op.client)].push_back(&op);
    for (const auto& op : history_.operations) {
      if (op.op == StepKind::get && op.outcome == OpOutcome::ok) judge(op);
    }
    std::stable_sort(anomalies_.begin(), anomalies_.end(), [](const auto& a, const auto& b) {
      return a.operations.back() < b.operations.back();
    });
    return anomalies_;
  }

 private:
  // Browsers that shared cookies share a lineage.
  void group_clients() {
    for (const auto& event : history_.events) {
      if (event.what == StepKind::copy_cookies && !event.from.empty() && !event.to.empty()) {
        group_[root(event.to)] = root(event.from);
      }
    }
  }

  std::string root(std::string client) const {
    for (auto it = group_.find(client); it != group_.end() && it->second != client;
         it = group_.find(client)) {
      client = it->second;
    }
    return client;
  }

  // The operations of the read's lineage, in start order.
  const std::vector<const Operation*>& lineage_of(const Operation& op) const {
    return lineages_.at(root(op.client));
  }

  // The last copy of another browser's cookies into `client` before `time`.
  const SystemEvent* copy_into(const std::string& client, std::int64_t time) const {
    const SystemEvent* found = nullptr;
    for (const auto& event : history_.events) {
      if (event.what == StepKind::copy_cookies && event.to == client && event.at_us <= time)
        found = &event;
    }
    return found;
  }

  // nullopt: a login or logout of the lineage overlaps the read, or may have
  // happened without an answer, so either state is right and the read is not
  // judged.
  std::optional<Epoch> epoch_of(const Operation& read) const {
    Epoch epoch;
    for (const auto* boundary : lineage_of(read)) {
      const auto& op = *boundary;
      if (!is_boundary(op)) continue;
      if (op.start_us >= read.end_us) continue;
      if (op.outcome == OpOutcome::indeterminate || op.end_us >= read.start_us) return std::nullopt;
      if (!epoch.boundary || op.end_us > epoch.boundary->end_us) {
        epoch.boundary = &op;
        epoch.start_us = op.end_us;
        epoch.kind = op.op == StepKind::login ? Epoch::Kind::login : Epoch::Kind::logout;
      }
    }
    const std::int64_t timeout_us =
        static_cast<std::int64_t>(history_.session_timeout_s) * 1'000'000;
    const std::int64_t tolerance_us =
        static_cast<std::int64_t>(history_.expiry_tolerance_ms) * 1000;
    std::optional<std::int64_t> last_touch;
    for (const auto* touching : lineage_of(read)) {
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

  void judge(const Operation& read) {
    const auto epoch = epoch_of(read);
    if (!epoch) return;
    const auto* copy = copy_into(read.client, read.start_us);
    std::vector<const Operation*> owed;     // completed writes the read must reflect
    std::vector<Value> acceptable;          // concurrent, maybe applied, or another tab's
    std::vector<const Operation*> earlier;  // before the epoch began
    for (const auto* candidate : lineage_of(read)) {
      const auto& write = *candidate;
      if (!counts(write) || write.start_us >= read.end_us) continue;
      const bool login_value = write.op == StepKind::login && read.attribute == kLoginAttribute;
      if (!login_value && (!is_write(write) || write.attribute != read.attribute)) continue;
      if (write.start_us <= epoch->start_us) {
        // A write that overlapped the login or logout may have landed on
        // either side of it.
        const bool across_boundary = epoch->boundary && write.end_us >= epoch->boundary->start_us;
        if (across_boundary) {
          acceptable.push_back(written_or_login(write));
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
        acceptable.push_back(written(write));
      }
    }
    if (owed.empty()) {
      judge_without_owed_write(read, *epoch, acceptable, earlier);
      return;
    }
    // The writes that may have been the last: none began after it ended.
    const Operation* expected = nullptr;
    std::vector<const Operation*> superseded;
    for (const auto* write : owed) {
      const bool later_exists = std::any_of(owed.begin(), owed.end(), [&](const auto* later) {
        return later->start_us > write->end_us;
      });
      if (later_exists) {
        superseded.push_back(write);
        continue;
      }
      acceptable.push_back(written(*write));
      if (!expected || write->end_us > expected->end_us) expected = write;
    }
    if (std::find(acceptable.begin(), acceptable.end(), read.read) != acceptable.end()) return;
    report_missed_write(read, *expected, superseded, *epoch);
  }

  static Value written_or_login(const Operation& op) {
    return op.op == StepKind::login ? Value(op.value) : written(op);
  }

  // Nothing the read must reflect was written in this epoch: not set is
  // right, and so is whatever a concurrent or another tab's write left; a
  // value from before a logout, or from before an idle timeout, is not.
  void judge_without_owed_write(const Operation& read, const Epoch& epoch,
                                std::vector<Value> acceptable,
                                const std::vector<const Operation*>& earlier) {
    acceptable.push_back(std::nullopt);
    if (std::find(acceptable.begin(), acceptable.end(), read.read) != acceptable.end()) return;
    const Operation* source = nullptr;
    for (const auto* write : earlier) {
      if (written_or_login(*write) == read.read) source = write;
    }
    if (!source) return;  // a value this history did not write: not judged
    if (epoch.kind == Epoch::Kind::logout) {
      report_resurrection(read, *epoch.boundary, *source);
    } else if (epoch.kind == Epoch::Kind::expiry && epoch.surely_expired) {
      add(AnomalyKind::late_expiry, {source, &read},
          fmt::format("request #{} read {} = {} {:.1f} s after the session's last use, past the "
                      "{} s idle timeout: request #{} had written it",
                      read.request, read.attribute, shown(read.read), epoch.idle_us / 1e6,
                      history_.session_timeout_s, source->request));
    }
  }

  void report_resurrection(const Operation& read, const Operation& logout,
                           const Operation& source) {
    const auto& model = history_.model;
    AnomalyCause cause = AnomalyCause::unknown;
    std::string why;
    if (model.home == SessionHome::cookie) {
      cause = AnomalyCause::cookie_copy;
      why = fmt::format(
          "; the session lives in the cookie itself, so the logout could only delete {}'s copy "
          "and {}'s copy still carries it",
          logout.client, read.client);
    } else if (model.other_instances_see_sessions() == false && !logout.node.empty() &&
               !read.node.empty() && logout.node != read.node) {
      cause = AnomalyCause::other_instance;
      why =
          fmt::format("; the logout ran on {}, and {} keeps sessions of its own, where it lives on",
                      logout.node, read.node);
    } else if (source.end_us > logout.start_us && source.start_us < logout.end_us) {
      cause = AnomalyCause::concurrent_write;
      why = fmt::format(
          "; request #{} was still running when the logout began, and saved the whole session "
          "back after it",
          source.request);
    } else if (model.logout == LogoutEffect::cookie_only) {
      cause = AnomalyCause::logout_cookie_only;
      why = "; this app's logout only deletes the browser's cookie";
    }
    add(AnomalyKind::resurrected_session, {&source, &logout, &read},
        fmt::format("request #{} ({} on {}) read {} = {}, written at request #{} before the "
                    "logout at request #{} had completed{}",
                    read.request, read.client, node_of(read), read.attribute, shown(read.read),
                    source.request, logout.request, why),
        cause);
  }

  void report_missed_write(const Operation& read, const Operation& expected,
                           const std::vector<const Operation*>& superseded, const Epoch& epoch) {
    const std::string got = shown(read.read);
    // Writes of other attributes of the same session that overlapped the
    // expected one: a save of the whole session can erase a concurrent change.
    std::vector<const Operation*> concurrent;
    for (const auto* other : lineage_of(read)) {
      if (is_write(*other) && other->outcome == OpOutcome::ok &&
          other->attribute != read.attribute && overlaps(*other, expected)) {
        concurrent.push_back(other);
      }
    }
    if (!concurrent.empty()) {
      std::vector<std::string> names;
      std::vector<const Operation*> proof{&expected, &read};
      for (const auto* other : concurrent) {
        names.push_back(fmt::format("{} at request #{}", other->attribute, other->request));
        proof.push_back(other);
      }
      add(AnomalyKind::lost_update, proof,
          fmt::format("request #{} read {} = {}, but request #{} had written {}; a concurrent "
                      "write of the same session ({}) was saved over it{}",
                      read.request, read.attribute, got, expected.request, shown(written(expected)),
                      join(names, ", "), save_note()),
          AnomalyCause::concurrent_write);
      return;
    }
    for (const auto* older : superseded) {
      if (written(*older) == read.read) {
        add(AnomalyKind::stale_read, {older, &expected, &read},
            fmt::format("request #{} read {} = {}, the value request #{} wrote, though request "
                        "#{} had replaced it with {} before the read began",
                        read.request, read.attribute, got, older->request, expected.request,
                        shown(written(expected))));
        return;
      }
    }
    if (read.read) {
      add(read.client == expected.client ? AnomalyKind::read_your_writes : AnomalyKind::stale_read,
          {&expected, &read},
          fmt::format("request #{} read {} = {}, though request #{} had written {} in the same "
                      "session before the read began",
                      read.request, read.attribute, got, expected.request,
                      shown(written(expected))));
      return;
    }
    report_lost(read, expected, epoch);
  }

  std::string save_note() const {
    if (history_.model.home == SessionHome::cookie) {
      return " (the session lives in the cookie: each response carries the whole session, and "
             "the cookie the browser took last wins)";
    }
    return "";
  }

  // A read found not set what the lineage had written, and nothing removed.
  void report_lost(const Operation& read, const Operation& expected, const Epoch& epoch) {
    const auto& model = history_.model;
    const auto observed = cookie_observation(read);
    const auto lost_what = fmt::format(
        "request #{} ({} on {}) found {} not set, though request #{} had written {}", read.request,
        read.client, node_of(read), read.attribute, expected.request, shown(written(expected)));
    if (const auto* deleted = cookie_deleted_before(read, expected)) {
      add(AnomalyKind::lost_session, {&expected, deleted, &read},
          fmt::format("{}; the browser sent no session cookie: the response to request #{} on {} "
                      "had deleted it",
                      lost_what, deleted->request, node_of(*deleted)),
          AnomalyCause::cookie_deleted);
      return;
    }
    // The browser no longer held the session written to: an earlier
    // response handed it an empty one, and that loss is told there.
    if (const auto* maker = replacement_before(read, expected)) {
      add(AnomalyKind::lost_session, {&expected, maker, &read},
          fmt::format("{}; the browser's cookie named session {}, the empty one {} made at "
                      "request #{} when it did not know the browser's session: the value was "
                      "never in it",
                      lost_what, abbreviate(read.session_before, 8), node_of(*maker),
                      maker->request),
          AnomalyCause::replaced_earlier);
      return;
    }
    const bool elsewhere =
        !read.node.empty() && !expected.node.empty() && read.node != expected.node;
    const auto sees = model.other_instances_see_sessions();
    const auto* fault = node_fault_between(expected.node, expected.end_us, read.start_us);
    // A fault is the cause where it destroyed the session (sessions in the
    // node's memory) or the same node answered after it; a read that went to
    // an instance that never shares sessions lost them to that, fault or not.
    if (fault && (model.in_node_memory == true || !elsewhere)) {
      const auto memory = model.in_node_memory == true
                              ? fmt::format(", taking the sessions in its memory along")
                              : std::string();
      add(AnomalyKind::lost_session, {&expected, &read},
          fmt::format("{} on {}; {} {} at step {} in between{}{}", lost_what, node_of(expected),
                      expected.node, fault_verb(fault->what), fault->step, memory, observed),
          AnomalyCause::node_fault);
      return;
    }
    if (const auto* emptied =
            store_event_between(&SystemEvent::store_emptied, expected.end_us, read.start_us)) {
      add(AnomalyKind::lost_session, {&expected, &read},
          fmt::format("{}; Redis restarted without persistence at step {} in between and lost "
                      "every session{}",
                      lost_what, emptied->step, observed),
          AnomalyCause::store_restart);
      return;
    }
    if (const auto* failover =
            store_event_between(&SystemEvent::store_failed_over, expected.end_us, read.start_us)) {
      add(AnomalyKind::lost_session, {&expected, &read},
          fmt::format("{}; Redis failed over to its replica at step {} in between, and the new "
                      "master did not have the write: the old master had acknowledged it "
                      "before passing it on (asynchronous replication; --redis-wait 1 makes a "
                      "write wait for a replica){}",
                      lost_what, failover->step, observed),
          AnomalyCause::store_failover);
      return;
    }
    const std::int64_t timeout_us =
        static_cast<std::int64_t>(history_.session_timeout_s) * 1'000'000;
    const std::int64_t tolerance_us =
        static_cast<std::int64_t>(history_.expiry_tolerance_ms) * 1000;
    if (timeout_us > 0 && epoch.idle_us >= tolerance_us &&
        epoch.idle_us < timeout_us - tolerance_us && (!elsewhere || sees == true) &&
        !any_fault_between(expected.end_us, read.start_us)) {
      add(AnomalyKind::early_expiry, {&expected, &read},
          fmt::format("{}; the session was idle {:.1f} s, less than its {} s timeout{}", lost_what,
                      epoch.idle_us / 1e6, history_.session_timeout_s, observed));
      return;
    }
    if (elsewhere && sees == false) {
      const auto adopted = model.unknown_id == UnknownIdHandling::adopted
                               ? fmt::format(
                                     ", and it adopts ids it does not know, so it "
                                     "answered from an empty session under the same id")
                               : std::string();
      const auto holder_fault =
          fault ? fmt::format(" ({}, which held it, {} at step {})", expected.node,
                              fault_verb(fault->what), fault->step)
                : std::string();
      add(AnomalyKind::lost_session, {&expected, &read},
          fmt::format("{} on {}; {} has never seen the session: {}{}{}{}{}", lost_what,
                      expected.node, read.node, where_sessions_live(), holder_fault, adopted,
                      observed, hash_fallback_note(read)),
          AnomalyCause::never_seen);
      return;
    }
    if (elsewhere) {
      add(AnomalyKind::lost_session, {&expected, &read},
          fmt::format("{} on {}; {}{}", lost_what, expected.node,
                      sees == true
                          ? fmt::format("instances are known to share sessions, yet {} did not "
                                        "have the value",
                                        read.node)
                          : fmt::format("whether {} could have seen the session is not known "
                                        "for this app",
                                        read.node),
                      observed));
      return;
    }
    add(AnomalyKind::lost_session, {&expected, &read},
        fmt::format("{}, and no fault, expiry or logout in between explains it{}", lost_what,
                    observed));
  }

  // The request of the lineage after `expected` whose response handed the
  // browser the session the read sent, in place of the one written to.
  const Operation* replacement_before(const Operation& read, const Operation& expected) const {
    if (read.session_before.empty() || read.session_before == expected.session_after) {
      return nullptr;
    }
    for (const auto* op : lineage_of(read)) {
      if (op->start_us >= expected.start_us && op->end_us <= read.start_us &&
          op->session_after == read.session_before && op->session_before != op->session_after &&
          !op->session_before.empty()) {
        return op;
      }
    }
    return nullptr;
  }

  // The request of the lineage whose response deleted the cookie, when the
  // read went without one.
  const Operation* cookie_deleted_before(const Operation& read, const Operation& expected) const {
    if (!read.session_before.empty()) return nullptr;
    const Operation* found = nullptr;
    for (const auto* op : lineage_of(read)) {
      if (op->start_us > expected.start_us && op->end_us < read.start_us &&
          op->outcome == OpOutcome::ok && op->effect == SessionEffect::cleared) {
        found = op;
      }
    }
    return found;
  }

  // With --balancer hash, the request that made a session carried no cookie
  // to hash: it went wherever round-robin sent it.
  std::string hash_fallback_note(const Operation& read) const {
    if (history_.balancer != StrategyKind::hash) return "";
    for (const auto* made : lineage_of(read)) {
      const auto& op = *made;
      if (op.session_before.empty() && !op.session_after.empty() && op.outcome == OpOutcome::ok) {
        if (read.session_before != op.session_after) return "";  // a later cookie
        return fmt::format(
            " (the request that made the session carried no cookie to hash, so the balancer "
            "fell back to round-robin and chose {})",
            node_of(op));
      }
    }
    return "";
  }

  std::string where_sessions_live() const {
    const auto& model = history_.model;
    if (model.in_node_memory == true) return "each node keeps sessions in its own memory";
    return "each instance keeps sessions of its own";
  }

  bool any_fault_between(std::int64_t from_us, std::int64_t to_us) const {
    return std::any_of(history_.events.begin(), history_.events.end(), [&](const SystemEvent& e) {
      const bool fault = is_node_fault(e.what) || e.what == StepKind::redis;
      return fault && e.at_us >= from_us && e.at_us <= to_us;
    });
  }

  const SystemEvent* node_fault_between(const std::string& node, std::int64_t from_us,
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

  // The last store event between the two times that did `what` (emptied
  // the store, failed it over).
  const SystemEvent* store_event_between(bool SystemEvent::*what, std::int64_t from_us,
                                         std::int64_t to_us) const {
    const SystemEvent* found = nullptr;
    for (const auto& event : history_.events) {
      if (event.what == StepKind::redis && event.*what && event.at_us >= from_us &&
          event.at_us <= to_us) {
        found = &event;
      }
    }
    return found;
  }

  static std::string fault_verb(StepKind what) {
    return what == StepKind::crash  ? "crashed"
           : what == StepKind::stop ? "was stopped"
                                    : "restarted";
  }

  void add(AnomalyKind kind, std::vector<const Operation*> proof, std::string explanation,
           AnomalyCause cause = AnomalyCause::unknown) {
    std::vector<int> indices;
    // Every anomaly says its cause, or that it is not known.
    if (cause == AnomalyCause::unknown) explanation += "; cause unknown";
    for (const auto* op : proof) indices.push_back(op->index);
    std::sort(indices.begin(), indices.end());
    indices.erase(std::unique(indices.begin(), indices.end()), indices.end());
    anomalies_.push_back({kind, std::move(indices), std::move(explanation), cause});
  }

  const History& history_;
  std::map<std::string, std::string> group_;  // client -> the client it copied from
  std::map<std::string, std::vector<const Operation*>> lineages_;  // root client -> operations
  std::vector<Anomaly> anomalies_;
};

}  // namespace

std::vector<Anomaly> check_history(const History& history) { return Checker(history).run(); }

std::map<AnomalyKind, int> count_by_kind(const std::vector<Anomaly>& anomalies) {
  std::map<AnomalyKind, int> counts;
  for (const auto& anomaly : anomalies) ++counts[anomaly.kind];
  return counts;
}

}  // namespace sessim
