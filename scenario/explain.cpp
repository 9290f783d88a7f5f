#include "scenario/explain.h"

#include <fmt/format.h>

#include <algorithm>

#include "common/text.h"

namespace sessim {
namespace {

struct SessionOrigin {
  std::string node;
  int step = 0;
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
};

bool failed_read(const RequestRecord& record) {
  return std::any_of(record.checks.begin(), record.checks.end(),
                     [](const Check& check) { return !check.passed && is_read_check(check); });
}

std::string short_id(const std::string& id) { return abbreviate(id, 8); }

}  // namespace

std::map<int, std::string> explain_failed_reads(const ScenarioRun& run) {
  std::map<int, std::string> explanations;
  std::map<std::string, SessionOrigin> origins;  // session id -> where it was made
  std::map<std::string, NodeFault> faults;       // node -> its latest fault
  std::map<std::string, SessionEnd> ended;       // session id -> logout
  int redis_emptied_step = 0;
  for (const auto& step : run.steps) {
    if (!step.fault_node.empty()) {
      const auto what = step.kind == StepKind::crash  ? "crashed"
                        : step.kind == StepKind::stop ? "was stopped"
                                                      : "restarted";
      faults[step.fault_node] = {what, step.number};
    }
    if (step.redis_came_back_empty) redis_emptied_step = step.number;
    for (const auto& record : step.requests) {
      if (failed_read(record)) {
        explanations[record.number] = [&]() -> std::string {
          const auto& exchange = record.exchange;
          if (exchange.status == 0) {
            return fmt::format("no answer at all ({})", exchange.transport_error);
          }
          if (exchange.status == 502) return "the balancer found no node that answered";
          if (exchange.status == 503) {
            return fmt::format(
                "{} could not reach the session store, so it could not read the "
                "session at all (503)",
                record.node);
          }
          const auto& sent = record.session_id_sent;
          if (sent.empty()) {
            return fmt::format("the browser sent no session cookie, so {} had no session to read",
                               record.node.empty() ? "the server" : record.node);
          }
          const auto origin = origins.find(sent);
          if (record.session_effect == "kept" || record.session_effect == "rotated") {
            if (const auto end = ended.find(sent); end != ended.end()) {
              return fmt::format(
                  "{} still holds session {}: the logout at step {} ran on {}, "
                  "whose memory does not reach {}'s",
                  record.node, short_id(sent), end->second.step, end->second.node, record.node);
            }
            if (origin != origins.end() && origin->second.replacement) {
              return fmt::format(
                  "session {} is the empty one {} made at step {} when it did "
                  "not know the browser's session; the value was never in it",
                  short_id(sent), origin->second.node, origin->second.step);
            }
            return fmt::format(
                "{} found session {} but the value was not there: a request in "
                "between changed or removed it",
                record.node, short_id(sent));
          }
          const bool replaced = record.session_effect == "replaced";
          const std::string consequence =
              replaced ? "; it made a new, empty session and replaced the browser's cookie" : "";
          if (run.store == "redis") {
            if (redis_emptied_step > 0) {
              return fmt::format(
                  "Redis restarted at step {} without persistence and lost session {}{}",
                  redis_emptied_step, short_id(sent), consequence);
            }
            return fmt::format("session {} was no longer in Redis (expired or logged out){}",
                               short_id(sent), consequence);
          }
          if (origin == origins.end()) {
            return fmt::format(
                "served by {}, which does not know session {} (expired, logged "
                "out, or made before this run){}",
                record.node, short_id(sent), consequence);
          }
          const auto fault = faults.find(origin->second.node);
          if (fault != faults.end() && fault->second.step > origin->second.step) {
            return fmt::format(
                "{} {} at step {} and took its local sessions with it, session {} "
                "included; {} served this read{}",
                origin->second.node, fault->second.what, fault->second.step, short_id(sent),
                record.node, consequence);
          }
          if (origin->second.node == record.node) {
            return fmt::format(
                "served by {}, where session {} was made, but it had expired or "
                "ended there{}",
                record.node, short_id(sent), consequence);
          }
          std::string why = fmt::format(
              "served by {}, which has never seen session {}; it lives only in {}'s memory{}",
              record.node, short_id(sent), origin->second.node, consequence);
          if (run.cluster.balancer == "hash" && origin->second.request_had_no_session_cookie) {
            why += fmt::format(
                " (the request that made it carried no SESSION cookie, so the hash "
                "fell back to round-robin and chose {})",
                origin->second.node);
          }
          return why;
        }();
      }
      if (!record.session_id_set.empty() && !origins.count(record.session_id_set)) {
        origins[record.session_id_set] = {record.node, step.number, record.session_id_sent.empty(),
                                          record.session_effect == "replaced"};
      }
      if (record.session_effect == "ended" && !record.session_id_sent.empty()) {
        ended[record.session_id_sent] = {record.node, step.number};
      }
    }
  }
  return explanations;
}

}  // namespace sessim
