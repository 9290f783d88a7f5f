#include "history/history.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/errors.h"
#include "common/name_table.h"
#include "common/text.h"

namespace sessim {
namespace {

using nlohmann::json;

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

// Each outcome's word in reports, and its line type in the file (Jepsen's
// ok / fail / info).
constexpr NameTable<OpOutcome, 3> kOutcomeWords{{{
    {OpOutcome::ok, "ok"},
    {OpOutcome::fail, "fail"},
    {OpOutcome::indeterminate, "indeterminate"},
}}};
constexpr NameTable<OpOutcome, 3> kOutcomeLineTypes{{{
    {OpOutcome::ok, "ok"},
    {OpOutcome::fail, "fail"},
    {OpOutcome::indeterminate, "info"},
}}};

std::optional<OpOutcome> parse_outcome(const std::string& type) {
  return kOutcomeLineTypes.parse(type);
}

std::string completion_type(OpOutcome outcome) {
  return std::string(kOutcomeLineTypes.name(outcome));
}

}  // namespace

std::string to_string(OpOutcome outcome) { return std::string(kOutcomeWords.name(outcome)); }

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
      history.events.push_back({static_cast<std::int64_t>(step.started_ms * 1000), step.kind,
                                step.fault_node, step.note, step.number, step.copied_from,
                                step.copied_to, step.redis_came_back_empty,
                                step.redis_failed_over});
    }
    for (const auto& record : step.requests) {
      Operation op;
      op.request = record.number;
      op.client = record.client;
      op.op = record.action;
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

std::string render_history_jsonl(const History& history) {
  std::vector<std::pair<std::int64_t, json>> lines;
  for (const auto& op : history.operations) {
    json invoke{{"type", "invoke"},
                {"index", op.index},
                {"time_us", op.start_us},
                {"client", op.client},
                {"op", to_string(op.op)},
                {"target", op.target},
                {"session", op.session_before},
                {"request", op.request},
                {"step", op.step}};
    if (!op.attribute.empty()) invoke["attribute"] = op.attribute;
    if (op.op == StepKind::set || op.op == StepKind::login) invoke["value"] = op.value;
    lines.emplace_back(op.start_us, std::move(invoke));
    json completion{{"type", completion_type(op.outcome)},
                    {"index", op.index},
                    {"time_us", op.end_us},
                    {"status", op.status},
                    {"node", op.node},
                    {"effect", std::string(to_string(op.effect))},
                    {"session", op.session_after}};
    if (op.op == StepKind::get) completion["read"] = op.read ? json(*op.read) : json(nullptr);
    lines.emplace_back(op.end_us, std::move(completion));
  }
  for (const auto& event : history.events) {
    json line{{"type", "event"},
              {"time_us", event.at_us},
              {"what", to_string(event.what)},
              {"step", event.step},
              {"note", event.note}};
    if (!event.node.empty()) line["node"] = event.node;
    if (!event.from.empty()) line["from"] = event.from;
    if (!event.to.empty()) line["to"] = event.to;
    if (event.store_emptied) line["store_emptied"] = true;
    if (event.store_failed_over) line["store_failed_over"] = true;
    lines.emplace_back(event.at_us, std::move(line));
  }
  std::stable_sort(lines.begin(), lines.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  const json header{{"type", "history"},
                    {"schema_version", kHistorySchemaVersion},
                    {"scenario", history.scenario},
                    {"source", history.source},
                    {"store", history.store ? to_string(*history.store) : ""},
                    {"app", history.app},
                    {"balancer", history.balancer ? to_string(*history.balancer) : ""},
                    {"session_timeout_s", history.session_timeout_s},
                    {"expiry_tolerance_ms", history.expiry_tolerance_ms},
                    {"model", session_model_json(history.model)}};
  std::string out = header.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
  for (const auto& [time, line] : lines) {
    out += line.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
  }
  return out;
}

std::vector<History> parse_history_jsonl(const std::string& text, const std::string& source) {
  std::vector<History> histories;
  std::map<int, Operation> operations;
  const auto close = [&] {
    if (histories.empty()) return;
    auto& history = histories.back();
    for (auto& [index, op] : operations) history.operations.push_back(std::move(op));
    operations.clear();
    std::stable_sort(
        history.operations.begin(), history.operations.end(),
        [](const Operation& a, const Operation& b) { return a.start_us < b.start_us; });
  };
  std::istringstream stream(text);
  std::string line;
  int number = 0;
  const auto fail = [&](const std::string& message) {
    throw UsageError(fmt::format("{}:{}: {}", source, std::max(number, 1), message));
  };
  // A whole number from min to max; nlohmann's get<int>() would cast a
  // fraction or an out-of-range number without a word (undefined behaviour
  // for 1e82). Absent: `fallback`, or an error when there is none.
  const auto whole_number = [&](const json& entry, const char* name, std::int64_t min,
                                std::int64_t max,
                                std::optional<std::int64_t> fallback) -> std::int64_t {
    const auto field = entry.find(name);
    if (field == entry.end()) {
      if (!fallback) fail(fmt::format("the field '{}' is missing", name));
      return *fallback;
    }
    std::optional<std::int64_t> value;
    if (field->is_number_unsigned()) {
      const auto unsigned_value = field->get<std::uint64_t>();
      if (unsigned_value <= static_cast<std::uint64_t>(max)) {
        value = static_cast<std::int64_t>(unsigned_value);
      }
    } else if (field->is_number_integer()) {
      value = field->get<std::int64_t>();
    }
    if (!value || *value < min || *value > max) {
      fail(fmt::format("'{}' must be a whole number from {} to {}", name, min, max));
    }
    return *value;
  };
  // A word of one of sessim's vocabularies (a step, a store, a strategy).
  const auto known_word = [&](const json& entry, const char* name, auto parse) {
    const auto field = entry.find(name);
    if (field == entry.end() || !field->is_string()) {
      fail(fmt::format("the field '{}' is missing or not a string", name));
    }
    const auto word = field->get<std::string>();
    const auto value = parse(word);
    if (!value) fail(fmt::format("'{}' is not a {} sessim knows", printable(word), name));
    return *value;
  };
  constexpr std::int64_t kMaxTimeUs = 1'000'000'000'000'000;  // 31 years
  constexpr std::int64_t kMaxInt = std::numeric_limits<int>::max();
  while (std::getline(stream, line)) {
    ++number;
    if (line.empty()) continue;
    const auto entry = json::parse(line, nullptr, false);
    if (entry.is_discarded() || !entry.is_object()) fail("not a JSON object");
    try {
      const auto type = entry.at("type").get<std::string>();
      if (type == "history") {
        close();
        const auto version = whole_number(entry, "schema_version", 0, kMaxInt, std::nullopt);
        if (version != kHistorySchemaVersion) {
          fail(fmt::format("schema_version {} is not {}, which this sessim reads", version,
                           kHistorySchemaVersion));
        }
        History history;
        history.scenario = entry.value("scenario", "");
        history.source = entry.value("source", "");
        if (!entry.value("store", "").empty()) {
          history.store = known_word(entry, "store", store_kind_named);
        }
        history.app = entry.value("app", "");
        if (const auto balancer = entry.value("balancer", ""); !balancer.empty()) {
          history.balancer = known_word(entry, "balancer", strategy_kind_named);
        }
        history.session_timeout_s =
            static_cast<int>(whole_number(entry, "session_timeout_s", 0, kMaxInt, 0));
        history.expiry_tolerance_ms =
            static_cast<int>(whole_number(entry, "expiry_tolerance_ms", 0, kMaxInt, 1000));
        if (entry.contains("model")) history.model = session_model_from_json(entry["model"], fail);
        histories.push_back(std::move(history));
        continue;
      }
      if (histories.empty()) fail("the first line must be a history header");
      if (type == "event") {
        histories.back().events.push_back(
            {whole_number(entry, "time_us", 0, kMaxTimeUs, std::nullopt),
             known_word(entry, "what", parse_step_kind), entry.value("node", ""),
             entry.value("note", ""), static_cast<int>(whole_number(entry, "step", 0, kMaxInt, 0)),
             entry.value("from", ""), entry.value("to", ""), entry.value("store_emptied", false),
             entry.value("store_failed_over", false)});
        continue;
      }
      const auto index = static_cast<int>(whole_number(entry, "index", 0, kMaxInt, std::nullopt));
      if (type == "invoke") {
        if (operations.count(index)) fail(fmt::format("operation {} is invoked twice", index));
        Operation op;
        op.index = index;
        op.client = entry.at("client").get<std::string>();
        op.op = known_word(entry, "op", parse_step_kind);
        op.target = entry.value("target", "");
        op.attribute = entry.value("attribute", "");
        op.value = entry.value("value", "");
        op.session_before = entry.value("session", "");
        op.request = static_cast<int>(whole_number(entry, "request", 0, kMaxInt, 0));
        op.step = static_cast<int>(whole_number(entry, "step", 0, kMaxInt, 0));
        op.start_us = whole_number(entry, "time_us", 0, kMaxTimeUs, std::nullopt);
        op.end_us = op.start_us;
        op.outcome = OpOutcome::indeterminate;  // until a completion says otherwise
        operations[index] = std::move(op);
        continue;
      }
      const auto outcome = parse_outcome(type);
      if (!outcome) fail(fmt::format("unknown line type '{}'", type));
      const auto found = operations.find(index);
      if (found == operations.end()) {
        fail(fmt::format("operation {} completes before it is invoked", index));
      }
      auto& op = found->second;
      op.outcome = *outcome;
      op.end_us = whole_number(entry, "time_us", 0, kMaxTimeUs, std::nullopt);
      if (op.end_us < op.start_us) {
        fail(fmt::format("operation {} completes at {} us, before it was invoked at {} us", index,
                         op.end_us, op.start_us));
      }
      op.status = static_cast<int>(whole_number(entry, "status", 0, 999, 0));
      op.node = entry.value("node", "");
      op.effect =
          parse_session_effect(entry.value("effect", "unknown")).value_or(SessionEffect::unknown);
      op.session_after = entry.value("session", "");
      if (entry.contains("read") && !entry["read"].is_null()) {
        op.read = entry["read"].get<std::string>();
      }
    } catch (const json::exception& error) {
      fail(fmt::format("a field is missing or of the wrong type ({})", error.what()));
    }
  }
  close();
  if (histories.empty()) fail("empty: a history starts with its header line");
  return histories;
}

}  // namespace sessim
