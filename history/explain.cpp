#include "history/explain.h"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "common/text.h"

namespace sessim {
namespace {

bool failed_read(const RequestRecord& record) {
  return std::any_of(record.checks.begin(), record.checks.end(),
                     [](const Check& check) { return !check.passed && is_read_check(check); });
}

ReadFailure failure_of(const AnomalyFinding& anomaly) {
  switch (anomaly.kind) {
    case AnomalyKind::lost_session:
      switch (anomaly.cause) {
        case AnomalyCause::never_seen:
          return ReadFailure::lost_never_seen;
        case AnomalyCause::node_fault:
          return ReadFailure::lost_node_fault;
        case AnomalyCause::store_restart:
          return ReadFailure::lost_store_restart;
        case AnomalyCause::store_failover:
          return ReadFailure::lost_store_failover;
        case AnomalyCause::cookie_deleted:
          return ReadFailure::lost_cookie_deleted;
        case AnomalyCause::replaced_earlier:
          return ReadFailure::empty_replacement;
        default:
          return ReadFailure::lost_unknown;
      }
    case AnomalyKind::read_your_writes:
      return ReadFailure::read_your_writes;
    case AnomalyKind::stale_read:
      return ReadFailure::stale_read;
    case AnomalyKind::lost_update:
      return ReadFailure::lost_update;
    case AnomalyKind::resurrected_session:
      return ReadFailure::resurrected_session;
    case AnomalyKind::early_expiry:
    case AnomalyKind::late_expiry:
      return ReadFailure::expiry;
  }
  return ReadFailure::other;
}

// What a group of reads of one kind met, after "N read(s)".
std::string group_phrase(ReadFailure kind, const SessionModel& model) {
  switch (kind) {
    case ReadFailure::no_response:
      return "got no response at all";
    case ReadFailure::no_node_answered:
      return "found no node that answered (502 from the balancer)";
    case ReadFailure::store_unavailable:
      return "reached a node that could not reach the session store (503)";
    case ReadFailure::no_cookie:
      return "carried no session cookie, so there was no session to read";
    case ReadFailure::empty_replacement:
      return "carried the cookie of an empty session a node had made in place of the browser's, "
             "so the value was never in it";
    case ReadFailure::lost_never_seen:
      return fmt::format("reached an instance that had never seen the session{}{}",
                         model.in_node_memory == true
                             ? " (each node keeps sessions in its own memory)"
                             : " (each instance keeps sessions of its own)",
                         model.unknown_id == UnknownIdHandling::adopted
                             ? ", which answered from an empty session under the same id (the "
                               "app adopts session ids it does not know)"
                             : "");
    case ReadFailure::lost_node_fault:
      return model.in_node_memory == true
                 ? "needed a session whose node had crashed, stopped or restarted and taken its "
                   "memory along"
                 : "needed a session whose node had crashed, stopped or restarted in between";
    case ReadFailure::lost_store_restart:
      return "asked Redis for a session that its restart without persistence had wiped";
    case ReadFailure::lost_store_failover:
      return "asked the new Redis master, after a failover, for a write the old master had "
             "acknowledged but not yet passed to its replica (asynchronous replication)";
    case ReadFailure::lost_cookie_deleted:
      return "went without a session cookie, because an earlier response had deleted it";
    case ReadFailure::lost_unknown:
      return "found gone a value the session had held, for a reason the history does not show "
             "(what this app does is not known well enough to say)";
    case ReadFailure::read_your_writes:
      return "missed the client's own earlier write (read-your-writes)";
    case ReadFailure::stale_read:
      return "returned a value older than a write that had completed (stale read)";
    case ReadFailure::lost_update:
      return "missed a write that a concurrent save of the whole session erased (lost update)";
    case ReadFailure::resurrected_session:
      return "read a value from before a completed logout";
    case ReadFailure::expiry:
      return "met a session that expired too early or too late";
    case ReadFailure::other:
      return "got an answer other than the story expected, with no anomaly of the session "
             "proven";
  }
  return "failed";
}

// The read check that failed: what the read got and what was wanted.
const Check& failed_read_check(const RequestRecord& record) {
  static const Check none{"value", "?", "?", false, {}};
  for (const auto& check : record.checks) {
    if (!check.passed && is_read_check(check)) return check;
  }
  return none;
}

}  // namespace

std::map<int, ReadExplanation> explain_failed_reads(const ScenarioRun& run) {
  // The anomaly each request showed, and the sessions lost sessions left.
  std::map<int, const AnomalyFinding*> shown_in;
  for (const auto& anomaly : run.anomalies) {
    if (!anomaly.requests.empty()) shown_in[anomaly.requests.back()] = &anomaly;
  }
  std::map<std::string, const RequestRecord*> replacements;  // session id -> request that made it
  for (const auto& step : run.steps) {
    for (const auto& record : step.requests) {
      const auto anomaly = shown_in.find(record.number);
      if (anomaly != shown_in.end() && anomaly->second->kind == AnomalyKind::lost_session &&
          !record.session_id_set.empty()) {
        replacements[record.session_id_set] = &record;
      }
    }
  }
  std::map<int, ReadExplanation> explanations;
  for (const auto& step : run.steps) {
    for (const auto& record : step.requests) {
      if (!failed_read(record)) continue;
      const auto& exchange = record.exchange;
      const auto node = record.node.empty() ? std::string("the server") : record.node;
      ReadExplanation explanation;
      if (exchange.status == 0) {
        explanation = {ReadFailure::no_response, std::nullopt,
                       fmt::format("no response at all: {}", exchange.transport_error)};
      } else if (exchange.status == 502) {
        explanation = {ReadFailure::no_node_answered, std::nullopt,
                       "the balancer found no node that answered (502)"};
      } else if (exchange.status == 503) {
        explanation = {ReadFailure::store_unavailable, std::nullopt,
                       fmt::format("{} could not reach the session store, so it could not read "
                                   "the session at all (503)",
                                   node)};
      } else if (const auto anomaly = shown_in.find(record.number); anomaly != shown_in.end()) {
        // The anomaly's own sentence: the row's why and the anomaly say one thing.
        explanation = {failure_of(*anomaly->second), anomaly->second->kind,
                       anomaly->second->explanation};
      } else if (const auto made = replacements.find(record.session_id_sent);
                 made != replacements.end() && made->second->number < record.number) {
        // The same loss again, through the cookie of the empty session it
        // left behind: the earlier request says more than a second sentence.
        const auto anomaly = shown_in.find(record.number);
        explanation = {
            ReadFailure::empty_replacement,
            anomaly == shown_in.end() ? std::nullopt : std::optional(anomaly->second->kind),
            fmt::format("session {} is the empty one {} made at request #{} when it "
                        "did not know the browser's session; the value was never in it",
                        abbreviate(record.session_id_sent, 8), made->second->node,
                        made->second->number)};
      } else if (record.session_id_sent.empty()) {
        explanation = {ReadFailure::no_cookie, std::nullopt,
                       fmt::format("the browser sent no session cookie, so {} had no session to "
                                   "read",
                                   node)};
      } else {
        explanation = {ReadFailure::other, std::nullopt,
                       fmt::format("{} answered {} where the story expected {}; no write in the "
                                   "history explains it as an anomaly of the session",
                                   node, failed_read_check(record).actual,
                                   failed_read_check(record).expected)};
      }
      explanations[record.number] = std::move(explanation);
    }
  }
  return explanations;
}

std::string why_failed_reads(const ScenarioRun& run) {
  const auto explanations = explain_failed_reads(run);
  if (explanations.empty()) return "";
  // Groups in the order their first read failed.
  std::vector<std::pair<ReadFailure, int>> groups;
  for (const auto& numbered : explanations) {
    const auto kind = numbered.second.kind;
    const auto group = std::find_if(groups.begin(), groups.end(),
                                    [kind](const auto& entry) { return entry.first == kind; });
    if (group == groups.end()) {
      groups.emplace_back(kind, 1);
    } else {
      ++group->second;
    }
  }
  std::string line = fmt::format("why: {} failed: ",
                                 count_of(static_cast<long long>(explanations.size()), "read"));
  for (std::size_t i = 0; i < groups.size(); ++i) {
    if (i > 0) line += "; ";
    line += fmt::format("{} {}", groups[i].second, group_phrase(groups[i].first, run.model));
  }
  return line + ".";
}

}  // namespace sessim
