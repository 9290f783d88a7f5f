#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "history/history.h"
#include "vocab/anomaly.h"

// What the checker proved, as data: what happened, which requests prove it,
// the cause where the history and the session model establish one, and the
// evidence, each operation in the role it played. Nothing here is a
// sentence: report/explanation_words.h words a finding, in one place, for
// the terminal, HTML, JUnit and JSON alike.
namespace sessim {

// An operation as a finding names it: enough to word it without the history.
struct OpRef {
  int index = 0;    // in the history
  int request = 0;  // in the run's reports
  std::string client;
  std::string node;  // "" unknown
  std::string attribute;
  // A write: what it wrote (nullopt: removed); a read: what came back
  // (nullopt: not set); a login: the user.
  std::optional<std::string> value;
  std::string session_sent;  // the session id the browser's cookie named ("" none)
};
OpRef ref_of(const Operation& op);

// A system event a finding rests on.
struct EventRef {
  EventKind what = EventKind::wait;
  int step = 0;
  std::string node;
};

struct Finding {
  AnomalyKind kind = AnomalyKind::lost_session;
  AnomalyCause cause = AnomalyCause::unknown;
  std::vector<int> operations;  // history indices, in time order
  std::vector<int> requests;    // their request numbers; the last is where it showed

  // The evidence, by role.
  OpRef read;  // where it showed
  // The write the read had to reflect (lost-session, lost-update,
  // stale-read, read-your-writes, early-expiry), or the write whose value
  // came back when it should not have (resurrected-session, late-expiry).
  OpRef write;
  std::optional<OpRef> older;     // stale-read: the replaced write whose value came back
  std::optional<OpRef> logout;    // resurrected-session: the logout it outlived
  std::vector<OpRef> concurrent;  // lost-update: the overlapping writes saved over it
  // lost-session: the earlier response that deleted the browser's cookie
  // (cookie-deleted) or handed it an empty session (replaced-earlier).
  std::optional<OpRef> earlier;
  // lost-session with --balancer hash: the request that made the session
  // carried no cookie to hash, so round-robin chose its node.
  std::optional<OpRef> hash_fallback;
  std::optional<EventRef> fault;  // a node fault, a Redis restart or failover in between
  std::int64_t idle_us = 0;       // expiry: how long the session had been idle
  int timeout_s = 0;              // expiry: the session's idle timeout
  // What the read's own response did to the browser's cookie: told beside
  // a loss as an observation, never as its cause.
  SessionEffect observed = SessionEffect::unknown;
};

}  // namespace sessim

namespace sessim {

// A finding of `kind` shown by `read` against `write`, proved by `proof`
// (the two included or not; kept in history order).
Finding finding_of(AnomalyKind kind, const Operation& read, const Operation& write,
                   std::vector<const Operation*> proof);

}  // namespace sessim
