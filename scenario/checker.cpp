#include "scenario/checker.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <optional>
#include <set>
#include <utility>

#include "common/text.h"

namespace sessim {
namespace {

constexpr std::array<std::pair<AnomalyKind, const char*>, 7> kNames{{
    {AnomalyKind::lost_session, "lost-session"},
    {AnomalyKind::read_your_writes, "read-your-writes"},
    {AnomalyKind::stale_read, "stale-read"},
    {AnomalyKind::lost_update, "lost-update"},
    {AnomalyKind::resurrected_session, "resurrected-session"},
    {AnomalyKind::early_expiry, "early-expiry"},
    {AnomalyKind::late_expiry, "late-expiry"},
}};

using Value = std::optional<std::string>;  // nullopt: not set

std::string shown(const Value& value) {
  return value ? fmt::format("\"{}\"", abbreviate(*value, 24)) : "(not set)";
}

std::string short_id(const std::string& id) { return abbreviate(id, 8); }

bool counts(const Operation& op) { return op.outcome != OpOutcome::fail; }

bool is_write(const Operation& op) { return op.op == "set" || op.op == "remove"; }

Value written(const Operation& op) { return op.op == "set" ? Value(op.value) : std::nullopt; }

bool overlaps(const Operation& a, const Operation& b) {
  return a.start_us < b.end_us && b.start_us < a.end_us;
}

class Checker {
 public:
  explicit Checker(const History& history) : history_(history) {}

  std::vector<Anomaly> run() {
    index_sessions();
    check_sessions();
    check_reads();
    std::stable_sort(anomalies_.begin(), anomalies_.end(), [](const auto& a, const auto& b) {
      return a.operations.back() < b.operations.back();
    });
    return anomalies_;
  }

 private:
  struct Access {
    const Operation* op = nullptr;
  };

  const Operation& op(int index) const {
    return history_.operations[static_cast<std::size_t>(index)];
  }

  // The session an operation acted on, followed through id rotations to the
  // id the session was first known by.
  std::string acted_session(const Operation& op) const {
    std::string id;
    switch (op.effect) {
      case SessionEffect::created:
      case SessionEffect::replaced:
      case SessionEffect::rotated:
        id = op.session_after;
        break;
      default:
        id = op.session_before;
    }
    return root(id);
  }

  std::string root(std::string id) const {
    for (auto it = rotated_from_.find(id); it != rotated_from_.end(); it = rotated_from_.find(id)) {
      id = it->second;
    }
    return id;
  }

  void index_sessions() {
    for (const auto& op : history_.operations) {
      if (op.effect == SessionEffect::rotated && op.outcome == OpOutcome::ok &&
          !op.session_before.empty() && op.session_after != op.session_before) {
        rotated_from_[op.session_after] = op.session_before;
      }
    }
  }

  bool fault_between(std::int64_t from_us, std::int64_t to_us) const {
    return std::any_of(history_.events.begin(), history_.events.end(), [&](const SystemEvent& e) {
      const bool fault =
          e.what == "crash" || e.what == "stop" || e.what == "restart" || e.what == "redis";
      return fault && e.at_us >= from_us && e.at_us <= to_us;
    });
  }

  void add(AnomalyKind kind, std::vector<const Operation*> proof, std::string explanation,
           std::string cause = "") {
    std::vector<int> indices;
    for (const auto* op : proof) indices.push_back(op->index);
    std::sort(indices.begin(), indices.end());
    anomalies_.push_back({kind, std::move(indices), std::move(explanation), std::move(cause)});
  }

  // Lost sessions, resurrections and expiries: what happened to the session a
  // request's cookie named.
  void check_sessions() {
    std::map<std::string, const Operation*> last_access;  // session -> last op that used it
    std::map<std::string, const Operation*> logged_out;   // session -> its logout
    const std::int64_t timeout_us =
        static_cast<std::int64_t>(history_.session_timeout_s) * 1'000'000;
    const std::int64_t tolerance_us =
        static_cast<std::int64_t>(history_.expiry_tolerance_ms) * 1000;
    for (const auto& op : history_.operations) {
      if (op.outcome != OpOutcome::ok) continue;
      const auto& sent = op.session_before;
      const auto ended = sent.empty() ? logged_out.end() : logged_out.find(sent);
      const auto last = sent.empty() ? last_access.end() : last_access.find(sent);
      if (!sent.empty() &&
          (op.effect == SessionEffect::replaced || op.effect == SessionEffect::missed)) {
        const bool after_logout = ended != logged_out.end() && ended->second->end_us <= op.end_us;
        if (!after_logout)
          check_gone_session(op, last == last_access.end() ? nullptr : last->second, timeout_us,
                             tolerance_us);
      }
      if (!sent.empty() && op.effect == SessionEffect::kept) {
        if (ended != logged_out.end() && ended->second->end_us < op.start_us) {
          const auto* logout = ended->second;
          const bool elsewhere = history_.store != "redis" && !logout->node.empty() &&
                                 !op.node.empty() && logout->node != op.node;
          const bool rotation = logout->effect == SessionEffect::rotated;
          add(AnomalyKind::resurrected_session, {logout, &op},
              rotation ? fmt::format("request #{} used session id {} after the login at request "
                                     "#{} had moved the session to a new id",
                                     op.request, short_id(sent), logout->request)
              : elsewhere
                  ? fmt::format("{} still holds session {}: the logout at request #{} ran on {}, "
                                "whose memory does not reach {}'s; request #{} used it again",
                                op.node, short_id(sent), logout->request, logout->node, op.node,
                                op.request)
                  : fmt::format("request #{} ({} on {}) used session {} after its logout at "
                                "request #{} had completed",
                                op.request, op.target, node_of(op), short_id(sent),
                                logout->request));
        } else if (last != last_access.end() && timeout_us > 0 &&
                   op.start_us - last->second->end_us > timeout_us + tolerance_us) {
          add(AnomalyKind::late_expiry, {last->second, &op},
              fmt::format("request #{} found session {} alive {:.1f} s after its last use at "
                          "request #{}, past the {} s timeout",
                          op.request, short_id(sent), (op.start_us - last->second->end_us) / 1e6,
                          last->second->request, history_.session_timeout_s));
        }
      }
      // A logout ends the session; a login that rotates the id ends the old id.
      if ((op.effect == SessionEffect::ended || op.effect == SessionEffect::rotated) &&
          !sent.empty() && op.session_after != sent) {
        logged_out[sent] = &op;
      }
      const auto& used = op.effect == SessionEffect::kept || op.effect == SessionEffect::ended
                             ? op.session_before
                             : op.session_after;
      if (!used.empty() && op.effect != SessionEffect::ended) last_access[used] = &op;
    }
  }

  void check_gone_session(const Operation& op, const Operation* last, std::int64_t timeout_us,
                          std::int64_t tolerance_us) {
    const auto& sent = op.session_before;
    if (last && timeout_us > 0) {
      const auto longest_idle = op.end_us - last->start_us;
      const auto shortest_idle = op.start_us - last->end_us;
      if (shortest_idle >= timeout_us - tolerance_us) return;  // it expired, as it should
      const bool same_node = !op.node.empty() && op.node == last->node;
      const bool shared = history_.store == "redis";
      if (longest_idle < timeout_us - tolerance_us && (same_node || shared) &&
          !fault_between(last->end_us, op.start_us)) {
        add(AnomalyKind::early_expiry, {last, &op},
            fmt::format("request #{} found session {} gone {:.1f} s after its last use at "
                        "request #{}, before the {} s timeout",
                        op.request, short_id(sent), shortest_idle / 1e6, last->request,
                        history_.session_timeout_s));
        return;
      }
    }
    std::vector<const Operation*> proof{&op};
    if (last) proof.insert(proof.begin(), last);
    const auto got = op.session_after.empty() || op.session_after == sent
                         ? std::string("; the browser kept its cookie, with no session behind it")
                         : fmt::format(
                               "; it made a new, empty session {} and replaced the "
                               "browser's cookie",
                               short_id(op.session_after));
    const auto* fault = last ? node_fault_between(last->node, last->end_us, op.start_us) : nullptr;
    const auto* emptied = last ? store_emptied_between(last->end_us, op.start_us) : nullptr;
    if (fault) {
      add(AnomalyKind::lost_session, proof,
          fmt::format("{} {} at step {} and took its local sessions with it, session {} "
                      "included; {} served request #{}{}",
                      last->node, fault_verb(fault->what), fault->step, short_id(sent), node_of(op),
                      op.request, got),
          "node-fault");
    } else if (emptied) {
      add(AnomalyKind::lost_session, proof,
          fmt::format("Redis restarted at step {} without persistence and lost session {}; "
                      "request #{} on {} found it gone{}",
                      emptied->step, short_id(sent), op.request, node_of(op), got),
          "store-restart");
    } else if (last && history_.store != "redis" && !op.node.empty() && !last->node.empty() &&
               op.node != last->node) {
      std::string sentence = fmt::format(
          "request #{} was served by {}, which has never seen session {}; it lives only in {}'s "
          "memory{}",
          op.request, op.node, short_id(sent), last->node, got);
      const auto* made = creator(sent);
      if (history_.balancer == "hash" && made && made->session_before.empty()) {
        sentence += fmt::format(
            " (the request that made it carried no session cookie, so the hash fell back to "
            "round-robin and chose {})",
            made->node);
      }
      add(AnomalyKind::lost_session, proof, sentence, "never-seen");
    } else {
      add(AnomalyKind::lost_session, proof,
          fmt::format("request #{} sent session {} to {}, which no longer had it{}", op.request,
                      short_id(sent), node_of(op), got),
          "gone");
    }
  }

  // The request that made a session, if the history has it.
  const Operation* creator(const std::string& session) const {
    for (const auto& op : history_.operations) {
      if (op.session_after == session && op.session_before != session &&
          (op.effect == SessionEffect::created || op.effect == SessionEffect::replaced)) {
        return &op;
      }
    }
    return nullptr;
  }

  const SystemEvent* node_fault_between(const std::string& node, std::int64_t from_us,
                                        std::int64_t to_us) const {
    const SystemEvent* found = nullptr;
    for (const auto& event : history_.events) {
      if ((event.what == "crash" || event.what == "stop" || event.what == "restart") &&
          event.node == node && !node.empty() && event.at_us >= from_us && event.at_us <= to_us) {
        found = &event;
      }
    }
    return found;
  }

  const SystemEvent* store_emptied_between(std::int64_t from_us, std::int64_t to_us) const {
    const SystemEvent* found = nullptr;
    for (const auto& event : history_.events) {
      if (event.what == "redis" &&
          event.note.find("every session in it is gone") != std::string::npos &&
          event.at_us >= from_us && event.at_us <= to_us) {
        found = &event;
      }
    }
    return found;
  }

  static std::string fault_verb(const std::string& what) {
    return what == "crash" ? "crashed" : what == "stop" ? "was stopped" : "restarted";
  }

  static std::string node_of(const Operation& op) {
    return op.node.empty() ? "an unknown node" : op.node;
  }

  // Every read of an attribute that the history wrote, against the writes
  // that completed before it began and those that overlapped it.
  void check_reads() {
    for (const auto& read : history_.operations) {
      if (read.op != "get" || read.outcome != OpOutcome::ok) continue;
      if (read.effect != SessionEffect::kept && read.effect != SessionEffect::rotated) continue;
      const auto session = acted_session(read);
      if (session.empty()) continue;
      std::vector<const Operation*> writes;
      for (const auto& write : history_.operations) {
        if (is_write(write) && counts(write) && write.attribute == read.attribute &&
            acted_session(write) == session && write.start_us < read.end_us) {
          writes.push_back(&write);
        }
      }
      if (writes.empty()) continue;  // nothing seen written: not judged
      judge(read, session, writes);
    }
  }

  void judge(const Operation& read, const std::string& session,
             const std::vector<const Operation*>& writes) {
    std::vector<const Operation*> before;  // completed, certainly, before the read began
    std::vector<Value> acceptable;
    for (const auto* write : writes) {
      if (write->outcome == OpOutcome::ok && write->end_us < read.start_us) {
        before.push_back(write);
      } else {
        acceptable.push_back(written(*write));  // concurrent, or maybe applied
      }
    }
    const Operation* expected = nullptr;
    if (before.empty()) {
      acceptable.push_back(std::nullopt);
    } else {
      for (const auto* write : before) {
        const bool superseded = std::any_of(before.begin(), before.end(), [&](const auto* later) {
          return later->start_us > write->end_us;
        });
        if (!superseded) {
          acceptable.push_back(written(*write));
          if (!expected || write->end_us > expected->end_us) expected = write;
        }
      }
    }
    if (std::find(acceptable.begin(), acceptable.end(), read.read) != acceptable.end()) return;
    if (!expected) return;
    const std::string got = shown(read.read);
    // A concurrent write to another attribute of the session saved the whole
    // session over this one.
    for (const auto& other : history_.operations) {
      if (is_write(other) && other.outcome == OpOutcome::ok && other.attribute != read.attribute &&
          acted_session(other) == session && overlaps(other, *expected)) {
        add(AnomalyKind::lost_update, {expected, &other, &read},
            fmt::format("request #{} read {} = {}, but request #{} had written {} and only the "
                        "concurrent write of {} at request #{} survived",
                        read.request, read.attribute, got, expected->request,
                        shown(written(*expected)), other.attribute, other.request));
        return;
      }
    }
    for (const auto* older : writes) {
      if (older != expected && older->outcome == OpOutcome::ok && written(*older) == read.read &&
          older->end_us <= expected->start_us) {
        add(AnomalyKind::stale_read, {older, expected, &read},
            fmt::format("request #{} read {} = {}, the value request #{} wrote, though request "
                        "#{} had replaced it with {} before the read began",
                        read.request, read.attribute, got, older->request, expected->request,
                        shown(written(*expected))));
        return;
      }
    }
    if (read.client == expected->client) {
      const bool adopted = history_.store != "redis" && !read.node.empty() &&
                           !expected->node.empty() && read.node != expected->node;
      add(AnomalyKind::read_your_writes, {expected, &read},
          adopted
              ? fmt::format("served by {}, which has never seen session {}; it lives only in "
                            "{}'s memory, and {} answered from an empty session under the "
                            "same id (the app adopts ids it does not know)",
                            read.node, short_id(session), expected->node, read.node)
              : fmt::format("{} wrote {} = {} at request #{}, then read {} at request #{} on "
                            "{} in the same session {}",
                            read.client, read.attribute, shown(written(*expected)),
                            expected->request, got, read.request, node_of(read), short_id(session)),
          adopted ? "adopted" : "");
      return;
    }
    add(AnomalyKind::stale_read, {expected, &read},
        fmt::format("request #{} read {} = {}, though request #{} had written {} before the read "
                    "began",
                    read.request, read.attribute, got, expected->request,
                    shown(written(*expected))));
  }

  const History& history_;
  std::map<std::string, std::string> rotated_from_;  // new id -> old id
  std::vector<Anomaly> anomalies_;
};

}  // namespace

std::string to_string(AnomalyKind kind) {
  for (const auto& [value, name] : kNames) {
    if (value == kind) return name;
  }
  return "?";
}

std::optional<AnomalyKind> parse_anomaly_kind(const std::string& name) {
  for (const auto& [value, text] : kNames) {
    if (name == text) return value;
  }
  return std::nullopt;
}

const std::vector<std::string>& anomaly_kind_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> list;
    for (const auto& [value, name] : kNames) list.emplace_back(name);
    return list;
  }();
  return names;
}

std::vector<Anomaly> check_history(const History& history) { return Checker(history).run(); }

std::map<AnomalyKind, int> count_by_kind(const std::vector<Anomaly>& anomalies) {
  std::map<AnomalyKind, int> counts;
  for (const auto& anomaly : anomalies) ++counts[anomaly.kind];
  return counts;
}

}  // namespace sessim
