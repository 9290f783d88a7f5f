#include "scenario/explain.h"

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
  if (anomaly.kind == "lost-session") {
    if (anomaly.cause == "never-seen") return ReadFailure::lost_never_seen;
    if (anomaly.cause == "node-fault") return ReadFailure::lost_node_fault;
    if (anomaly.cause == "store-restart") return ReadFailure::lost_store_restart;
    return ReadFailure::lost_gone;
  }
  if (anomaly.kind == "read-your-writes") {
    return anomaly.cause == "adopted" ? ReadFailure::adopted_unknown
                                      : ReadFailure::read_your_writes;
  }
  if (anomaly.kind == "stale-read") return ReadFailure::stale_read;
  if (anomaly.kind == "lost-update") return ReadFailure::lost_update;
  if (anomaly.kind == "resurrected-session") return ReadFailure::resurrected_session;
  return ReadFailure::expiry;
}

// What a group of reads of one kind met, after "N read(s)".
std::string group_phrase(ReadFailure kind, const std::string& store) {
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
      return fmt::format(
          "reached a node that had never seen the session cookie it was sent{}, "
          "which made a new, empty session and replaced the browser's cookie",
          store == "local" ? " (with store=local each node keeps sessions in its own memory)" : "");
    case ReadFailure::lost_node_fault:
      return "needed a session whose node had crashed, stopped or restarted and taken its memory "
             "along";
    case ReadFailure::lost_store_restart:
      return "asked Redis for a session that its restart without persistence had wiped";
    case ReadFailure::lost_gone:
      return "sent a session the node no longer had (expired, ended, or made before this run)";
    case ReadFailure::adopted_unknown:
      return "reached a node that had never seen the session and answered from an empty one "
             "under the same id (the app adopts session ids it does not know)";
    case ReadFailure::read_your_writes:
      return "missed the client's own earlier write (read-your-writes)";
    case ReadFailure::stale_read:
      return "returned a value older than a write that had completed (stale read)";
    case ReadFailure::lost_update:
      return "missed a write that a concurrent save of the whole session erased (lost update)";
    case ReadFailure::resurrected_session:
      return "read a session that a completed logout should have ended";
    case ReadFailure::expiry:
      return "met a session that expired too early or too late";
    case ReadFailure::other:
      return "found the session, but a request in between had changed or removed the value";
  }
  return "failed";
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
      if (anomaly != shown_in.end() && anomaly->second->kind == "lost-session" &&
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
        explanation = {ReadFailure::no_response, "",
                       fmt::format("no response at all: {}", exchange.transport_error)};
      } else if (exchange.status == 502) {
        explanation = {ReadFailure::no_node_answered, "",
                       "the balancer found no node that answered (502)"};
      } else if (exchange.status == 503) {
        explanation = {ReadFailure::store_unavailable, "",
                       fmt::format("{} could not reach the session store, so it could not read "
                                   "the session at all (503)",
                                   node)};
      } else if (const auto anomaly = shown_in.find(record.number); anomaly != shown_in.end()) {
        explanation = {failure_of(*anomaly->second), anomaly->second->kind,
                       anomaly->second->explanation};
      } else if (const auto made = replacements.find(record.session_id_sent);
                 made != replacements.end()) {
        explanation = {ReadFailure::empty_replacement, "",
                       fmt::format("session {} is the empty one {} made at request #{} when it "
                                   "did not know the browser's session; the value was never in it",
                                   abbreviate(record.session_id_sent, 8), made->second->node,
                                   made->second->number)};
      } else if (record.session_id_sent.empty()) {
        explanation = {ReadFailure::no_cookie, "",
                       fmt::format("the browser sent no session cookie, so {} had no session to "
                                   "read",
                                   node)};
      } else {
        explanation = {ReadFailure::other, "",
                       fmt::format("{} found session {} but the value was not there: a request "
                                   "in between changed or removed it",
                                   node, abbreviate(record.session_id_sent, 8))};
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
    line += fmt::format("{} {}", groups[i].second, group_phrase(groups[i].first, run.store));
  }
  return line + ".";
}

}  // namespace sessim
