#include "scenario/explain.h"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "common/text.h"

namespace sessim {
namespace {

struct SessionOrigin {
  std::string node;
  int request = 0;
  bool request_had_no_session_cookie = false;
  bool replacement = false;  // made because a node did not know the browser's session
};

struct SessionEnd {
  std::string node;
  int step = 0;
};

struct NodeFault {
  std::string what;  // crashed, stopped, restarted
  int step = 0;
  int after_request = 0;  // the number of requests made before it
};

bool failed_read(const RequestRecord& record) {
  return std::any_of(record.checks.begin(), record.checks.end(),
                     [](const Check& check) { return !check.passed && is_read_check(check); });
}

std::string short_id(const std::string& id) { return abbreviate(id, 8); }

// What the run knew when a read failed, in the order it happened.
class Explainer {
 public:
  explicit Explainer(const ScenarioRun& run) : run_(run) {}

  std::map<int, ReadExplanation> explain() {
    std::map<int, ReadExplanation> explanations;
    for (const auto& step : run_.steps) {
      if (!step.fault_node.empty()) {
        const auto what = step.kind == StepKind::crash  ? "crashed"
                          : step.kind == StepKind::stop ? "was stopped"
                                                        : "restarted";
        faults_[step.fault_node] = {what, step.number, requests_so_far_};
      }
      if (step.redis_came_back_empty) redis_emptied_step_ = step.number;
      for (const auto& record : step.requests) {
        if (failed_read(record)) explanations[record.number] = explain(record);
        remember(record, step.number);
        requests_so_far_ = std::max(requests_so_far_, record.number);
      }
    }
    return explanations;
  }

 private:
  void remember(const RequestRecord& record, int step) {
    if (!record.session_id_set.empty() && !origins_.count(record.session_id_set)) {
      origins_[record.session_id_set] = {record.node, record.number, record.session_id_sent.empty(),
                                         record.session == SessionEffect::replaced};
    }
    if (record.session == SessionEffect::ended && !record.session_id_sent.empty()) {
      ended_[record.session_id_sent] = {record.node, step};
    }
  }

  ReadExplanation explain(const RequestRecord& record) const {
    const auto& exchange = record.exchange;
    const auto node = record.node.empty() ? std::string("the server") : record.node;
    if (exchange.status == 0) {
      return {ReadFailure::no_response, false,
              fmt::format("no response at all: {}", exchange.transport_error)};
    }
    if (exchange.status == 502) {
      return {ReadFailure::no_node_answered, false,
              "the balancer found no node that answered (502)"};
    }
    if (exchange.status == 503) {
      return {ReadFailure::store_unavailable, false,
              fmt::format("{} could not reach the session store, so it could not read the "
                          "session at all (503)",
                          node)};
    }
    const auto& sent = record.session_id_sent;
    if (sent.empty()) {
      return {
          ReadFailure::no_cookie, false,
          fmt::format("the browser sent no session cookie, so {} had no session to read", node)};
    }
    const auto origin = origins_.find(sent);
    if (record.session == SessionEffect::kept && run_.store == "local" &&
        origin != origins_.end() && !record.node.empty() && !origin->second.node.empty() &&
        origin->second.node != record.node && !origin->second.replacement && !ended_.count(sent)) {
      return {ReadFailure::adopted_unknown, false,
              fmt::format("served by {}, which has never seen session {}; it lives only in {}'s "
                          "memory, and {} answered from an empty session under the same id (the "
                          "app adopts ids it does not know)",
                          node, short_id(sent), origin->second.node, node)};
    }
    if (record.session == SessionEffect::kept || record.session == SessionEffect::rotated) {
      if (const auto end = ended_.find(sent); end != ended_.end()) {
        return {ReadFailure::logout_elsewhere, false,
                fmt::format("{} still holds session {}: the logout at step {} ran on {}, whose "
                            "memory does not reach {}'s",
                            node, short_id(sent), end->second.step, end->second.node, node)};
      }
      if (origin != origins_.end() && origin->second.replacement) {
        return {ReadFailure::empty_replacement, false,
                fmt::format("session {} is the empty one {} made at request #{} when it did not "
                            "know the browser's session; the value was never in it",
                            short_id(sent), origin->second.node, origin->second.request)};
      }
      return {ReadFailure::changed_in_between, false,
              fmt::format("{} found session {} but the value was not there: a request in "
                          "between changed or removed it",
                          node, short_id(sent))};
    }
    const bool replaced = record.session == SessionEffect::replaced;
    const std::string consequence =
        replaced ? "; it made a new, empty session and replaced the browser's cookie" : "";
    if (run_.store == "redis") {
      if (redis_emptied_step_ > 0) {
        return {ReadFailure::redis_lost, replaced,
                fmt::format("Redis restarted at step {} without persistence and lost session {}{}",
                            redis_emptied_step_, short_id(sent), consequence)};
      }
      return {ReadFailure::not_in_redis, replaced,
              fmt::format("session {} was no longer in Redis (expired or logged out){}",
                          short_id(sent), consequence)};
    }
    if (origin == origins_.end()) {
      return {ReadFailure::unknown_session, replaced,
              fmt::format("served by {}, which does not know session {} (expired, logged out, or "
                          "made before this run){}",
                          node, short_id(sent), consequence)};
    }
    const auto fault = faults_.find(origin->second.node);
    if (fault != faults_.end() && fault->second.after_request >= origin->second.request) {
      return {ReadFailure::origin_node_down, replaced,
              fmt::format("{} {} at step {} and took its local sessions with it, session {} "
                          "included; {} served this read{}",
                          origin->second.node, fault->second.what, fault->second.step,
                          short_id(sent), node, consequence)};
    }
    if (origin->second.node == record.node) {
      return {ReadFailure::ended_at_origin, replaced,
              fmt::format("served by {}, where session {} was made, but it had expired or ended "
                          "there{}",
                          node, short_id(sent), consequence)};
    }
    std::string why =
        fmt::format("served by {}, which has never seen session {}; it lives only in {}'s memory{}",
                    node, short_id(sent), origin->second.node, consequence);
    if (run_.cluster.balancer == "hash" && origin->second.request_had_no_session_cookie) {
      why += fmt::format(
          " (the request that made it carried no session cookie, so the hash fell back to "
          "round-robin and chose {})",
          origin->second.node);
    }
    return {ReadFailure::never_seen, replaced, why};
  }

  const ScenarioRun& run_;
  std::map<std::string, SessionOrigin> origins_;  // session id -> where it was made
  std::map<std::string, NodeFault> faults_;       // node -> its latest fault
  std::map<std::string, SessionEnd> ended_;       // session id -> logout
  int redis_emptied_step_ = 0;
  int requests_so_far_ = 0;
};

// What a group of reads of one kind met, after "N read(s)".
std::string group_phrase(ReadFailure kind, bool replaced, const std::string& store) {
  const std::string replacement =
      replaced ? ", which made a new, empty session and replaced the browser's cookie" : "";
  switch (kind) {
    case ReadFailure::no_response:
      return "got no response at all";
    case ReadFailure::no_node_answered:
      return "found no node that answered (502 from the balancer)";
    case ReadFailure::store_unavailable:
      return "reached a node that could not reach the session store (503)";
    case ReadFailure::no_cookie:
      return "carried no session cookie, so there was no session to read";
    case ReadFailure::logout_elsewhere:
      return "read a session that a logout on another node had not ended there";
    case ReadFailure::empty_replacement:
      return "carried the cookie of an empty session a node had made in place of the browser's, "
             "so the value was never in it";
    case ReadFailure::changed_in_between:
      return "found the session, but a request in between had changed or removed the value";
    case ReadFailure::redis_lost:
      return "asked Redis for a session that its restart without persistence had wiped" +
             replacement;
    case ReadFailure::not_in_redis:
      return "asked Redis for a session that was no longer there (expired or logged out)" +
             replacement;
    case ReadFailure::unknown_session:
      return "reached a node that did not know the session (expired, logged out, or made before "
             "this run)" +
             replacement;
    case ReadFailure::origin_node_down:
      return "needed a session whose node had crashed, stopped or restarted and taken its memory "
             "along" +
             replacement;
    case ReadFailure::ended_at_origin:
      return "reached the node that made the session after it had expired or ended there" +
             replacement;
    case ReadFailure::adopted_unknown:
      return "reached a node that had never seen the session and answered from an empty one "
             "under the same id (the app adopts session ids it does not know)";
    case ReadFailure::never_seen:
      return fmt::format(
          "reached a node that had never seen the session cookie it was sent{}{}",
          store == "local" ? " (with store=local each node keeps sessions in its own memory)" : "",
          replacement);
  }
  return "failed";
}

}  // namespace

std::map<int, ReadExplanation> explain_failed_reads(const ScenarioRun& run) {
  return Explainer(run).explain();
}

std::string why_failed_reads(const ScenarioRun& run) {
  const auto explanations = explain_failed_reads(run);
  if (explanations.empty()) return "";
  // Groups in the order their first read failed.
  std::vector<std::pair<std::pair<ReadFailure, bool>, int>> groups;
  for (const auto& [number, explanation] : explanations) {
    const auto key = std::make_pair(explanation.kind, explanation.replaced);
    const auto group = std::find_if(groups.begin(), groups.end(),
                                    [&](const auto& entry) { return entry.first == key; });
    if (group == groups.end()) {
      groups.emplace_back(key, 1);
    } else {
      ++group->second;
    }
  }
  std::string line = fmt::format("why: {} failed: ",
                                 count_of(static_cast<long long>(explanations.size()), "read"));
  for (std::size_t i = 0; i < groups.size(); ++i) {
    const auto& [key, count] = groups[i];
    if (i > 0) line += "; ";
    line += fmt::format("{} {}", count, group_phrase(key.first, key.second, run.store));
  }
  return line + ".";
}

}  // namespace sessim
