#pragma once

#include <map>
#include <optional>
#include <string>

#include "history/run_result.h"

// Why reads failed, in one model with the consistency checker: a read that
// failed because of an anomaly is explained by the checker's finding for it
// (run.anomalies, filled by check_run); what is no anomaly of the session
// (no answer, a 502 or 503, no cookie at all, a read of the empty session a
// lost session left behind) is found here. Data only: the words are made in
// report/explanation_words.cpp.
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

// Why one read failed, as data; report/explanation_words.h words it.
struct ReadExplanation {
  ReadFailure kind = ReadFailure::other;
  std::optional<Finding> anomaly;  // the checker's finding this read showed, if any
  std::string node;                // who answered ("" not known)
  std::string transport_error;     // no-response: what the connection met
  // empty-replacement: the empty session the browser's cookie named, and
  // the request and node that made it.
  std::string session_sent;
  int made_at = 0;
  std::string made_by;
  // other: what the read got and what the story expected.
  std::string got;
  std::string wanted;
};

// For every read that failed, why. Keyed by request number.
std::map<int, ReadExplanation> explain_failed_reads(const ScenarioRun& run);

}  // namespace sessim
