#pragma once

#include <map>
#include <string>

#include "scenario/run_result.h"

namespace sessim {

// Why a read failed, by kind, so that a summary can group the reads.
enum class ReadFailure {
  no_response,         // no HTTP response at all
  no_node_answered,    // 502 from the balancer
  store_unavailable,   // 503: the node could not reach the store
  no_cookie,           // the browser sent no session cookie
  logout_elsewhere,    // the session lives on where a logout on another node did not reach
  empty_replacement,   // the session is the empty one a node made in place of the browser's
  changed_in_between,  // the session was found but the value was changed or removed
  redis_lost,          // Redis restarted without persistence and lost the session
  not_in_redis,        // the session was no longer in Redis
  unknown_session,     // the node did not know a session made before this run
  origin_node_down,    // the node that held the session crashed, stopped or restarted
  ended_at_origin,     // the node that made the session had let it expire or end
  never_seen,          // the node had never seen the session: it lives in another's memory
  adopted_unknown      // the node had never seen it and answered from an empty one under its id
};

struct ReadExplanation {
  ReadFailure kind = ReadFailure::no_response;
  bool replaced = false;  // the node also replaced the browser's cookie
  std::string sentence;   // for this one read, with nodes, steps and ids
};

// For every read that failed, why, from what the run recorded: which node
// created the session, which node served the read, which faults happened in
// between, how the balancer chose. Keyed by request number.
std::map<int, ReadExplanation> explain_failed_reads(const ScenarioRun& run);

// One line that accounts for every failed read of the run, grouped by kind:
// "why: 4 reads failed: 1 reached a node that ...; 3 read the empty session
// ...". "" when no read failed.
std::string why_failed_reads(const ScenarioRun& run);

}  // namespace sessim
