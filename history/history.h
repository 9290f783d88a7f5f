#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/session_model.h"
#include "vocab/session_effect.h"
#include "vocab/store_kind.h"
#include "vocab/strategy_kind.h"

// The history of a run, as Jepsen keeps one: every client operation as an
// invocation and a completion, in real time, as plain data. The checker and
// the pictures read only this, so a history written with --history can be
// checked again later (`sessim check-history FILE`). Format: docs/history.md.
namespace sessim {

inline constexpr int kHistorySchemaVersion = 1;

// ok: it happened; fail: it certainly did not take effect (a refusal, a
// store error); indeterminate: no answer came (timeout, crash), so it may or
// may not have taken effect — a checker must allow both.
enum class OpOutcome { ok, fail, indeterminate };
std::string to_string(OpOutcome outcome);
// The word of a completion line in the file: ok, fail, info.
std::string_view completion_type(OpOutcome outcome);
std::optional<OpOutcome> outcome_of_completion(std::string_view type);

// What a client asked of its session. The history's own words, so the
// checker reads a history without the scenario format; they are spelt as
// the steps that make them.
enum class OpKind { set, get, remove, login, logout, request };
std::string_view to_string(OpKind kind);
std::optional<OpKind> parse_op_kind(std::string_view name);
bool writes_value(OpKind kind);  // set, remove

// What happened to the system rather than through a client.
enum class EventKind {
  copy_cookies,
  crash,
  stop,
  restart,
  add_node,
  redis,
  partition,
  delay,
  reset,
  heal,
  wait,
  repeat,
  parallel
};
std::string_view to_string(EventKind kind);
std::optional<EventKind> parse_event_kind(std::string_view name);
bool is_node_fault(EventKind kind);  // crash, stop, restart

struct Operation {
  int index = 0;    // in invocation order, from 1
  int request = 0;  // the request's number in the run's reports
  std::string client;
  OpKind op = OpKind::request;
  std::string attribute;            // set, get, remove
  std::string value;                // set: the value written; login: the user
  std::string target;               // "GET /get-session"
  std::string session_before;       // the session id the browser's cookie named ("" none)
  std::string session_after;        // the id the browser holds afterwards ("" none)
  std::int64_t start_us = 0;
  std::int64_t end_us = 0;
  OpOutcome outcome = OpOutcome::ok;
  int status = 0;
  std::string node;  // "" unknown
  SessionEffect effect = SessionEffect::unknown;
  // get: what came back; nullopt for "not set". Empty for other ops.
  std::optional<std::string> read;
  int step = 0;
};

// Something that happened to the system rather than through a client.
struct SystemEvent {
  std::int64_t at_us = 0;
  EventKind what = EventKind::wait;
  std::string node;  // for node faults
  std::string note;
  int step = 0;
  // copy-cookies: the browser whose cookies were copied, and the one that
  // now holds them (it shares that session from then on).
  std::string from;
  std::string to;
  // redis: it came back without persistence, every session in it gone.
  bool store_emptied = false;
  // redis: the sentinels had promoted a replica: what the old master
  // acknowledged and had not replicated is gone.
  bool store_failed_over = false;
};

struct History {
  std::string scenario;
  std::string source;
  std::optional<StoreKind> store;  // none: a history written by hand that does not say
  std::string app;
  std::optional<StrategyKind> balancer;  // none behind --target
  int session_timeout_s = 0;             // 0: unknown, no expiry checks
  int expiry_tolerance_ms = 1000;        // how late an expiry may be before it is an anomaly
  // What is known about how the app keeps sessions: the causes the checker
  // may name (a node's memory, a store that does not reach another node).
  SessionModel model;
  std::vector<Operation> operations;  // by start time
  std::vector<SystemEvent> events;    // by time
};

}  // namespace sessim
