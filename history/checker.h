#pragma once

#include <map>
#include <vector>

#include "history/finding.h"
#include "history/history.h"

// The session consistency checker: a pure function from a history to the
// anomalies it proves, each with the operations that prove it. It judges
// values, not mechanisms (Jepsen's rule): a read that returned what the
// client's session last held is never an anomaly, whatever the cookies did;
// a read that misses an acknowledged write in a session the client did not
// end itself (no logout, no login, no idle timeout it waited out) is one,
// whatever the cookies did. The session a client holds is its lineage of
// cookies, whatever ids they carry; a browser that copied another's cookies
// shares that lineage. An indeterminate write (no answer) may or may not have
// taken effect; a read of an attribute no operation wrote is not judged.
// What a read may return is worked out once (history/read_case.h); one
// analyzer per anomaly kind (history/analyzers.h) says what it shows.
namespace sessim {

std::vector<Finding> check_history(const History& history);

// How many of each kind, for summaries.
std::map<AnomalyKind, int> count_by_kind(const std::vector<Finding>& findings);

}  // namespace sessim
