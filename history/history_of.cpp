#include "history/history_of.h"

#include <fmt/format.h>

#include <algorithm>

namespace sessim {
namespace {

OpOutcome outcome_of(const RequestRecord& record, bool answered) {
  const int status = record.exchange.status;
  if (status == 0 || status == 504) return OpOutcome::indeterminate;
  // A write the app answered with an error of its own may still have been
  // made: a store that timed out may apply it later, and a Redis master
  // that could not get a replica's acknowledgement (WAIT) has applied it.
  if (writes_session(record.action) && (status == 500 || status == 503)) return OpOutcome::indeterminate;
  if (answered || (status >= 200 && status <= 299)) return OpOutcome::ok;
  return OpOutcome::fail;
}

std::string session_after(const RequestRecord& record) {
  if (record.cookie_cleared || record.session == SessionEffect::ended ||
      record.session == SessionEffect::cleared) {
    return "";
  }
  if (!record.session_id_set.empty()) return record.session_id_set;
  return record.session_id_sent;
}

// The scenario's step kinds in the history's words: a request step is an
// operation, any other step an event.
OpKind op_kind_of(StepKind kind) {
  switch (kind) {
    case StepKind::set:
      return OpKind::set;
    case StepKind::get:
      return OpKind::get;
    case StepKind::remove:
      return OpKind::remove;
    case StepKind::login:
      return OpKind::login;
    case StepKind::logout:
      return OpKind::logout;
    default:
      return OpKind::request;
  }
}

EventKind event_kind_of(StepKind kind) {
  switch (kind) {
    case StepKind::copy_cookies:
      return EventKind::copy_cookies;
    case StepKind::crash:
      return EventKind::crash;
    case StepKind::stop:
      return EventKind::stop;
    case StepKind::restart:
      return EventKind::restart;
    case StepKind::add_node:
      return EventKind::add_node;
    case StepKind::redis:
      return EventKind::redis;
    case StepKind::partition:
      return EventKind::partition;
    case StepKind::delay:
      return EventKind::delay;
    case StepKind::reset:
      return EventKind::reset;
    case StepKind::heal:
      return EventKind::heal;
    case StepKind::repeat:
      return EventKind::repeat;
    case StepKind::parallel:
      return EventKind::parallel;
    default:
      return EventKind::wait;
  }
}

}  // namespace

History history_of(const ScenarioRun& run, const AppProfile& profile) {
  History history;
  history.scenario = run.scenario;
  history.source = run.source;
  history.store = run.store;
  history.app = run.cluster.app;
  history.balancer = run.cluster.balancer;
  history.session_timeout_s = run.session_timeout_s;
  history.model = run.model;
  for (const auto& step : run.steps) {
    if (step.requests.empty()) {
      history.events.push_back({static_cast<std::int64_t>(step.started_ms * 1000), event_kind_of(step.kind),
                                step.fault_node, step.note, step.number, step.copied_from,
                                step.copied_to, step.redis_came_back_empty,
                                step.redis_failed_over});
    }
    for (const auto& record : step.requests) {
      Operation op;
      op.request = record.number;
      op.client = record.client;
      op.op = op_kind_of(record.action);
      op.attribute = record.attribute;
      op.value = record.written;
      op.target = fmt::format("{} {}", record.exchange.method, record.exchange.target);
      op.session_before = record.session_id_sent;
      op.session_after = session_after(record);
      op.start_us = record.start_us;
      op.end_us = record.end_us;
      op.status = record.exchange.status;
      op.node = record.node;
      op.effect = record.session;
      op.step = step.number;
      bool answered = false;
      if (record.action == StepKind::get) {
        const auto read = record.read
                              ? *record.read
                              : read_value(profile, record.exchange.status, record.exchange.body);
        answered = read.answered;
        if (read.answered && !read.absent) op.read = read.value;
      }
      op.outcome = outcome_of(record, answered);
      history.operations.push_back(std::move(op));
    }
  }
  std::stable_sort(history.operations.begin(), history.operations.end(),
                   [](const Operation& a, const Operation& b) { return a.start_us < b.start_us; });
  for (std::size_t i = 0; i < history.operations.size(); ++i) {
    history.operations[i].index = static_cast<int>(i) + 1;
  }
  return history;
}

}  // namespace sessim
