#include "history/overlap.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <vector>

namespace sessim {
namespace {

bool shown_by_anomaly(const ScenarioRun& run, const std::vector<const RequestRecord*>& race) {
  return std::any_of(run.anomalies.begin(), run.anomalies.end(), [&](const Finding& found) {
    if (found.kind != AnomalyKind::lost_update && found.kind != AnomalyKind::resurrected_session) {
      return false;
    }
    return std::any_of(found.requests.begin(), found.requests.end(), [&](int number) {
      return std::any_of(race.begin(), race.end(),
                         [&](const RequestRecord* request) { return request->number == number; });
    });
  });
}

bool shown_by_shared_cookie(const ScenarioRun& run, const std::vector<const RequestRecord*>& race) {
  if (run.model.home != SessionHome::cookie) return false;
  std::map<std::string, int> answered_from;
  for (const auto* request : race) {
    if (!request->session_id_sent.empty() && !request->session_id_set.empty()) {
      ++answered_from[request->session_id_sent];
    }
  }
  return std::any_of(answered_from.begin(), answered_from.end(),
                     [](const auto& entry) { return entry.second >= 2; });
}

// The app refused one of the raced writes while another went through: it
// noticed the race (Django answers 400 to a write whose session a logout
// deleted meanwhile, SessionInterrupted). Alone, neither write is refused.
bool shown_by_refusal(const std::vector<const RequestRecord*>& race) {
  const auto refused = [](const RequestRecord* request) {
    const int status = request->exchange.status;
    return status >= 400 && status <= 499 && status != 404;
  };
  const auto succeeded = [](const RequestRecord* request) {
    return request->exchange.status >= 200 && request->exchange.status <= 299;
  };
  return std::any_of(race.begin(), race.end(), refused) &&
         std::any_of(race.begin(), race.end(), succeeded);
}

bool shown_by_node_knob(const std::vector<const RequestRecord*>& race) {
  return std::all_of(race.begin(), race.end(), [](const RequestRecord* request) {
    return request->held_by_node && request->released_together && request->exchange.status != 0;
  });
}

}  // namespace

std::string unshown_overlap(const ScenarioRun& run) {
  std::map<int, std::vector<const RequestRecord*>> races;
  for (const auto& step : run.steps) {
    for (const auto& request : step.requests) {
      if (request.race > 0 && writes_session(request.action)) races[request.race].push_back(&request);
    }
  }
  int raced = 0;
  int together = 0;
  std::size_t writes = 0;
  for (const auto& [number, race] : races) {
    if (race.size() < 2) continue;
    ++raced;
    writes += race.size();
    together += race.front()->released_together;
    if (shown_by_anomaly(run, race) || shown_by_shared_cookie(run, race) ||
        shown_by_refusal(race) || shown_by_node_knob(race)) {
      return "";
    }
  }
  if (raced == 0) return "";
  return fmt::format(
      "the story's lesson needs writes to overlap: {} parallel step{} released {} {} writes "
      "together ({} with every request ready), but nothing showed that the app ran them at the "
      "same time (no lost update, no resurrected session, no shared cookie, no write refused)",
      raced, raced == 1 ? "" : "s", raced == 1 ? "its" : "their", writes, together);
}

}  // namespace sessim
