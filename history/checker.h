#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "history/history.h"
#include "scenario/anomaly.h"

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
// Causes come only from what the history and its session model establish.
namespace sessim {

struct Anomaly {
  AnomalyKind kind;
  std::vector<int> operations;  // history indices, in time order; the last is where it showed
  std::string explanation;      // one sentence, with the requests' numbers
  AnomalyCause cause = AnomalyCause::unknown;
};

std::vector<Anomaly> check_history(const History& history);

// How many of each kind, for summaries.
std::map<AnomalyKind, int> count_by_kind(const std::vector<Anomaly>& anomalies);

}  // namespace sessim
