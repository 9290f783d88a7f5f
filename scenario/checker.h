#pragma once

#include <map>
#include <string>
#include <vector>

#include "scenario/history.h"

// The session consistency checker: a pure function from a history to the
// anomalies it proves, each with the operations that prove it. It judges
// only what it saw: a read of an attribute no operation of the history wrote
// is not judged, and an indeterminate write (no answer) may or may not have
// taken effect.
namespace sessim {

enum class AnomalyKind {
  lost_session,         // a request sent a live session's cookie and got a new session
  read_your_writes,     // a client's read missed its own completed write
  stale_read,           // a read returned a value older than a write completed before it began
  lost_update,          // of two concurrent writes to one session, one vanished
  resurrected_session,  // the session was used again after its logout completed
  early_expiry,         // the session was gone before its idle timeout
  late_expiry           // the session was still alive after its idle timeout and the tolerance
};
std::string to_string(AnomalyKind kind);  // "lost-session", ...
std::optional<AnomalyKind> parse_anomaly_kind(const std::string& name);
const std::vector<std::string>& anomaly_kind_names();

struct Anomaly {
  AnomalyKind kind;
  std::vector<int> operations;  // history indices, in time order
  std::string explanation;      // one sentence, with the requests' numbers
  // What caused it, where the history tells: for lost-session "node-fault"
  // (its node crashed, stopped or restarted), "store-restart" (Redis came back
  // empty), "never-seen" (a node that never had it: memory of another node),
  // "gone" (otherwise); for read-your-writes "adopted" (another node answered
  // from an empty session under the same id). "" otherwise.
  std::string cause;
};

std::vector<Anomaly> check_history(const History& history);

// How many of each kind, for summaries.
std::map<AnomalyKind, int> count_by_kind(const std::vector<Anomaly>& anomalies);

}  // namespace sessim
