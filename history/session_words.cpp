#include "history/session_words.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>

namespace sessim {
namespace {

struct Known {
  // Attributes known to have been written into the session an id names.
  std::map<std::string, std::set<std::string>> keys;
  // Ids known to name no session any more, and why.
  std::map<std::string, std::string> gone;
};

// One thing that happened in the run, in time order: a request, or a step
// that is no request (a fault, a wait, a Redis restart) and may have ended
// sessions in between.
struct Event {
  std::int64_t at_us = 0;
  RequestRecord* request = nullptr;  // nullptr: a step of the system
};

bool answered_read(const RequestRecord& record) {
  return record.action == StepKind::get && record.read && record.read->answered;
}

bool found_value(const RequestRecord& record) {
  return answered_read(record) && !record.read->absent;
}

bool found_nothing(const RequestRecord& record) {
  return answered_read(record) && record.read->absent;
}

bool written(const RequestRecord& record) {
  return record.exchange.status >= 200 && record.exchange.status <= 299;
}

// The word for a cookie that named no session the app still had, by what
// the app then did with it.
SessionEffect no_session_word(const RequestRecord& record, const SessionModel& model) {
  if (record.cookie_cleared) return SessionEffect::cleared;
  if (!record.session_id_set.empty() && record.session_id_set != record.session_id_sent) {
    return SessionEffect::replaced;
  }
  return model.unknown_id == UnknownIdHandling::adopted ? SessionEffect::adopted
                                                        : SessionEffect::missed;
}

std::string request_ref(const RequestRecord& record) { return fmt::format("#{}", record.number); }

// What a later read with the same cookie showed about the session an
// earlier request left behind.
enum class Later { nothing, found, missing };
struct LaterRead {
  Later what = Later::nothing;
  const RequestRecord* read = nullptr;
};

class Settler {
 public:
  Settler(const SessionModel& model, std::vector<Event> events)
      : model_(model), events_(std::move(events)) {}

  void run() {
    for (std::size_t i = 0; i < events_.size(); ++i) {
      auto* record = events_[i].request;
      if (!record) continue;
      if (!record->session_reported && record->exchange.status != 0) decide(*record, i);
      learn(*record);
    }
  }

 private:
  bool new_id(const RequestRecord& record) const {
    return !record.session_id_set.empty() && record.session_id_set != record.session_id_sent;
  }

  static void settle(RequestRecord& record, SessionEffect word, std::string basis) {
    record.session = word;
    record.session_basis = std::move(basis);
  }

  // The first later read with `id` that tells whether the session it names
  // still holds what it held after the request at `index`: one that finds
  // an attribute nobody wrote with that id in between (the session lived),
  // or one that finds nothing of an attribute in `held` that nobody removed
  // in between (it did not). A login, a logout or a step of the system with
  // that id in between ends the search: it could have changed the answer.
  LaterRead later_read(std::size_t index, const std::string& id,
                       const std::set<std::string>& held) const {
    const auto& from = *events_[index].request;
    // A write with the same id that ran at the same time may have changed
    // the session after this request did, whatever order the answers came
    // in: nothing later tells about this request alone.
    for (const auto& event : events_) {
      const auto* other = event.request;
      if (other && other != &from && other->session_id_sent == id && writes_session(other->action) &&
          other->start_us < from.end_us && other->end_us > from.start_us) {
        return {};
      }
    }
    std::set<std::string> touched;
    for (auto i = index + 1; i < events_.size(); ++i) {
      const auto& event = events_[i];
      if (event.at_us < from.end_us) continue;  // overlapping: no order between them
      if (!event.request) return {};
      const auto& later = *event.request;
      if (later.session_id_sent != id) continue;
      if (later.action == StepKind::login || later.action == StepKind::logout) return {};
      if (later.action == StepKind::set || later.action == StepKind::remove) {
        touched.insert(later.attribute);
        continue;
      }
      if (!answered_read(later) || touched.count(later.attribute)) continue;
      if (found_value(later)) return {Later::found, &later};
      if (held.count(later.attribute)) return {Later::missing, &later};
    }
    return {};
  }

  static std::string later_basis(const LaterRead& later) {
    return fmt::format("a later read with the same cookie ({}, {}) {}", request_ref(*later.read),
                       later.read->attribute,
                       later.what == Later::found ? "found the session's data" : "found nothing");
  }

  // Settles a word on what a later read shows, or `otherwise`.
  void by_later_read(RequestRecord& record, std::size_t index, const std::string& id,
                     const std::set<std::string>& held, SessionEffect found, SessionEffect missing,
                     SessionEffect otherwise, std::string otherwise_basis) {
    const auto later = later_read(index, id, held);
    if (later.what == Later::nothing) return settle(record, otherwise, std::move(otherwise_basis));
    settle(record, later.what == Later::found ? found : missing, later_basis(later));
  }

  void decide(RequestRecord& record, std::size_t index) {
    const auto& sent = record.session_id_sent;
    const bool cookie_home = model_.home == SessionHome::cookie;
    if (sent.empty()) {
      if (new_id(record)) return settle(record, SessionEffect::created, "a first cookie came back");
      return settle(record, SessionEffect::none, "no cookie was sent and none came back");
    }
    const auto keys = known_keys(sent);
    const auto gone = known_.gone.find(sent);
    if (record.action == StepKind::logout) return decide_logout(record, index, keys);
    // The request's own read is the best evidence of the session it named.
    if (found_value(record)) {
      if (!new_id(record)) {
        return settle(record, SessionEffect::kept, "its read found the session's data");
      }
      return settle(record, cookie_home ? SessionEffect::kept : SessionEffect::rotated,
                    cookie_home ? "its read found the session's data; the cookie was signed again"
                                : "its read found the session's data under a new id");
    }
    if (found_nothing(record) && (keys.count(record.attribute) || gone != known_.gone.end())) {
      return settle(record, no_session_word(record, model_),
                    keys.count(record.attribute)
                        ? fmt::format("its read found nothing of {}, written in that session before",
                                      record.attribute)
                        : gone->second);
    }
    if (record.cookie_cleared) {
      return settle(record, SessionEffect::cleared, "the response deleted the session cookie");
    }
    if (gone != known_.gone.end() && record.action != StepKind::login) {
      return settle(record, no_session_word(record, model_), gone->second);
    }
    auto held = keys;
    if (written(record) && record.action == StepKind::set) held.insert(record.attribute);
    if (new_id(record)) {
      // A session kept in the cookie has no id to rotate: a login's new
      // cookie is the same session signed again, or a new one.
      if (record.action == StepKind::login && !cookie_home) {
        return settle(record, SessionEffect::rotated, "the login gave the session a new id");
      }
      // A new cookie: the same session signed again or under a new id, or a
      // new session?
      return by_later_read(record, index, record.session_id_set, held,
                           cookie_home ? SessionEffect::kept : SessionEffect::rotated,
                           SessionEffect::replaced, SessionEffect::unknown,
                           "a new cookie came back, and no later read showed whether it carried "
                           "the session's data");
    }
    // The cookie stays: the session went on, or the app took an id it did
    // not know for an empty session (a later read tells).
    return by_later_read(record, index, sent, held, SessionEffect::kept,
                         no_session_word(record, model_), SessionEffect::unknown,
                         "the cookie stayed, and no later read showed whether it named a live "
                         "session");
  }

  void decide_logout(RequestRecord& record, std::size_t index, const std::set<std::string>& keys) {
    // Not ended: the session still reads with a copy of the cookie.
    const auto alive = record.cookie_cleared || new_id(record) ? SessionEffect::cleared
                                                               : SessionEffect::kept;
    SessionEffect otherwise = SessionEffect::unknown;
    std::string basis = "no later read with the old cookie showed whether the session ended";
    if (model_.logout == LogoutEffect::ends_session) {
      otherwise = SessionEffect::ended;
      basis = "the probe found that a logout ends the session";
    } else if (model_.logout == LogoutEffect::cookie_only) {
      otherwise = alive;
      basis = "the probe found that a logout only deletes the cookie";
    }
    by_later_read(record, index, record.session_id_sent, keys, alive, SessionEffect::ended,
                  otherwise, std::move(basis));
    if (record.session == SessionEffect::ended) {
      known_.gone[record.session_id_sent] =
          fmt::format("a logout ({}) ended the session it named", request_ref(record));
    }
  }

  std::set<std::string> known_keys(const std::string& id) const {
    const auto found = known_.keys.find(id);
    return found == known_.keys.end() ? std::set<std::string>{} : found->second;
  }

  // What the run now knows about the ids this request touched.
  void learn(const RequestRecord& record) {
    const auto& sent = record.session_id_sent;
    if (found_value(record) && !sent.empty()) known_.gone.erase(sent);
    if (record.exchange.status == 0) return;
    const auto after = new_id(record) ? record.session_id_set : sent;
    if (record.action == StepKind::login && new_id(record) && !sent.empty() &&
        model_.login == LoginEffect::rotates) {
      known_.gone[sent] = fmt::format(
          "the login ({}) gave the session a new id, and the probe found that the old id then "
          "reads nothing",
          request_ref(record));
    }
    if (record.session == SessionEffect::replaced || record.session == SessionEffect::missed ||
        record.session == SessionEffect::adopted || record.session == SessionEffect::cleared) {
      if (!sent.empty() && !known_.gone.count(sent)) {
        known_.gone[sent] =
            fmt::format("an earlier request ({}) found that the cookie named no session",
                        request_ref(record));
      }
    }
    // A cookie signed again, or an id changed, carries what the session held
    // (a later read with it is the evidence that settles the word). A login
    // is left out: whether it kept the data is what the story asks.
    if (new_id(record) && !sent.empty() && record.action != StepKind::login &&
        record.action != StepKind::logout && record.session != SessionEffect::replaced &&
        record.session != SessionEffect::missed) {
      const auto keys = known_keys(sent);
      known_.keys[after].insert(keys.begin(), keys.end());
    }
    if (after.empty() || !written(record)) return;
    if (record.action == StepKind::set) known_.keys[after].insert(record.attribute);
    if (record.action == StepKind::remove) known_.keys[after].erase(record.attribute);
  }

  const SessionModel& model_;
  std::vector<Event> events_;
  Known known_;
};

void judge_expected_session(RequestRecord& record) {
  if (!record.expected_session) return;
  const auto expected = *record.expected_session;
  if (record.session == SessionEffect::unknown && record.exchange.status != 0) {
    record.session_not_judged = fmt::format(
        "session: expected {}, not judged: {}", to_string(expected),
        record.session_basis.empty() ? std::string("nothing showed what the request did to it")
                                     : record.session_basis);
    return;
  }
  Check check;
  check.what = "session";
  check.expected = std::string(to_string(expected));
  check.actual = record.session == SessionEffect::unknown ? std::string("(unknown)")
                                                          : std::string(to_string(record.session));
  check.passed = satisfies(record.session, expected);
  check.position = record.expected_session_position;
  const auto at = std::pair(check.position.line, check.position.column);
  const auto after = std::find_if(record.checks.begin(), record.checks.end(), [&](const Check& c) {
    return at < std::pair(c.position.line, c.position.column);
  });
  record.checks.insert(after, std::move(check));
  settle_result(record);
}

}  // namespace

void settle_session_words(std::vector<StepRecord>& steps, const SessionModel& model) {
  std::vector<Event> events;
  for (auto& step : steps) {
    if (step.requests.empty()) {
      if (step.kind != StepKind::copy_cookies) {
        events.push_back({static_cast<std::int64_t>(step.started_ms * 1000), nullptr});
      }
      continue;
    }
    for (auto& request : step.requests) events.push_back({request.start_us, &request});
  }
  std::stable_sort(events.begin(), events.end(),
                   [](const Event& a, const Event& b) { return a.at_us < b.at_us; });
  Settler(model, events).run();
  for (auto& step : steps) {
    for (auto& request : step.requests) {
      if (!request.session_reported) judge_expected_session(request);
    }
  }
}

}  // namespace sessim
