#pragma once

#include <optional>
#include <string>
#include <utility>

#include "history/history.h"

// Histories written by hand for the checker's and the analyzers' tests.
namespace sessim::testing {

// Builds operations by hand; times in milliseconds for readability.
class HistoryBuilder {
 public:
  explicit HistoryBuilder(std::string store = "redis", int timeout_s = 0) {
    history_.store = parse_store_kind(store);
    history_.session_timeout_s = timeout_s;
    history_.expiry_tolerance_ms = 500;
  }

  HistoryBuilder& op(std::string client, std::string kind, std::string attribute,
                     std::optional<std::string> value, int start_ms, int end_ms, std::string before,
                     std::string after, SessionEffect effect, std::string node = "node-1",
                     OpOutcome outcome = OpOutcome::ok) {
    Operation op;
    op.index = static_cast<int>(history_.operations.size()) + 1;
    op.request = op.index;
    op.client = std::move(client);
    op.op = *parse_op_kind(kind);
    op.attribute = std::move(attribute);
    if (op.op == OpKind::get) {
      op.read = std::move(value);
    } else {
      op.value = value.value_or("");
    }
    op.start_us = start_ms * 1000LL;
    op.end_us = end_ms * 1000LL;
    op.session_before = std::move(before);
    op.session_after = std::move(after);
    op.effect = effect;
    op.node = std::move(node);
    op.outcome = outcome;
    op.status = outcome == OpOutcome::indeterminate ? 0 : 200;
    history_.operations.push_back(std::move(op));
    return *this;
  }
  HistoryBuilder& event(std::string what, int at_ms, std::string node = "node-1") {
    history_.events.push_back({at_ms * 1000LL, *parse_event_kind(what), std::move(node), "", 0, "", ""});
    return *this;
  }
  HistoryBuilder& copy(std::string from, std::string to, int at_ms) {
    history_.events.push_back(
        {at_ms * 1000LL, EventKind::copy_cookies, "", "", 0, std::move(from), std::move(to)});
    return *this;
  }
  // A Redis event: it came back empty, or the sentinels promoted a replica.
  HistoryBuilder& redis(int at_ms, int step, bool emptied, bool failed_over) {
    SystemEvent event;
    event.at_us = at_ms * 1000LL;
    event.what = EventKind::redis;
    event.step = step;
    event.store_emptied = emptied;
    event.store_failed_over = failed_over;
    history_.events.push_back(event);
    return *this;
  }
  HistoryBuilder& model(SessionModel model) {
    history_.model = std::move(model);
    return *this;
  }
  const History& history() const { return history_; }

 private:
  History history_;
};

}  // namespace sessim::testing
