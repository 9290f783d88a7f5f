#pragma once

#include <map>
#include <optional>
#include <string>

#include "history/run_result.h"

// Why reads failed, in one model with the consistency checker: a read that
// failed because of an anomaly is explained by the checker's finding for it
// (run.anomalies, filled by check_run); what is no anomaly of the session
// (no answer, a 502 or 503, no cookie at all, a read of the empty session a
// lost session left behind) is said here.
namespace sessim {

enum class ReadFailure {
  no_response,          // no HTTP response at all
  no_node_answered,     // 502 from the balancer
  store_unavailable,    // 503: the node could not reach the store
  no_cookie,            // the browser sent no session cookie
  empty_replacement,    // the session is the empty one a lost session left behind
  lost_never_seen,      // lost-session: an instance known not to share sessions
  lost_node_fault,      // lost-session: its node crashed, stopped or restarted
  lost_store_restart,   // lost-session: Redis came back empty
  lost_store_failover,  // lost-session: Redis failed over to a replica that lacked the write
  lost_unknown,         // lost-session: for a reason the history and the model do not show
  lost_cookie_deleted,  // lost-session: an earlier response had deleted the browser's cookie
  read_your_writes,     // read-your-writes
  stale_read,           // stale-read
  lost_update,          // lost-update
  resurrected_session,  // resurrected-session
  expiry,               // early-expiry, late-expiry
  other                 // no anomaly is proven: the answer differs from the story's expectation
};

struct ReadExplanation {
  ReadFailure kind = ReadFailure::other;
  std::optional<AnomalyKind> anomaly;  // the checker's finding, if any
  std::string sentence;                // for this one read, with nodes, steps, requests and ids
};

// For every read that failed, why. Keyed by request number.
std::map<int, ReadExplanation> explain_failed_reads(const ScenarioRun& run);

// One line that accounts for every failed read of the run, grouped by kind:
// "why: 4 reads failed: 1 reached a node that ...; 3 carried the cookie of
// an empty session ...". "" when no read failed.
std::string why_failed_reads(const ScenarioRun& run);

}  // namespace sessim
