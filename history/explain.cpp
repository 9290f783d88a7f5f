#include "history/explain.h"

#include <algorithm>
#include <vector>

namespace sessim {
namespace {

bool failed_read(const RequestRecord& record) {
  return std::any_of(record.checks.begin(), record.checks.end(),
                     [](const Check& check) { return !check.passed && is_read_check(check); });
}

ReadFailure failure_of(const Finding& anomaly) {
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
  std::map<int, const Finding*> shown_in;
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
      ReadExplanation explanation;
      explanation.node = record.node;
      if (exchange.status == 0) {
        explanation.kind = ReadFailure::no_response;
        explanation.transport_error = exchange.transport_error;
      } else if (exchange.status == 502) {
        explanation.kind = ReadFailure::no_node_answered;
      } else if (exchange.status == 503) {
        explanation.kind = ReadFailure::store_unavailable;
      } else if (const auto anomaly = shown_in.find(record.number); anomaly != shown_in.end()) {
        // The anomaly itself: the row's why and the anomaly say one thing.
        explanation.kind = failure_of(*anomaly->second);
        explanation.anomaly = *anomaly->second;
      } else if (const auto made = replacements.find(record.session_id_sent);
                 made != replacements.end() && made->second->number < record.number) {
        // The same loss again, through the cookie of the empty session it
        // left behind: the earlier request says more than a second finding.
        explanation.kind = ReadFailure::empty_replacement;
        explanation.session_sent = record.session_id_sent;
        explanation.made_at = made->second->number;
        explanation.made_by = made->second->node;
      } else if (record.session_id_sent.empty()) {
        explanation.kind = ReadFailure::no_cookie;
      } else {
        explanation.kind = ReadFailure::other;
        explanation.got = failed_read_check(record).actual;
        explanation.wanted = failed_read_check(record).expected;
      }
      explanations[record.number] = std::move(explanation);
    }
  }
  return explanations;
}

}  // namespace sessim
