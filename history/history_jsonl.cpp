#include "history/history_jsonl.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/errors.h"
#include "common/text.h"

namespace sessim {

using nlohmann::json;

json session_model_json(const SessionModel& model) {
  json out{{"learned_by", model.learned_by},
           {"home", std::string(to_string(model.home))},
           {"sharing", std::string(to_string(model.sharing))},
           {"unknown_id", std::string(to_string(model.unknown_id))},
           {"login", std::string(to_string(model.login))},
           {"logout", std::string(to_string(model.logout))},
           {"in_node_memory", model.in_node_memory ? json(*model.in_node_memory) : json(nullptr)},
           {"summary", describe(model)}};
  if (!model.evidence.empty()) out["evidence"] = model.evidence;
  return out;
}

SessionModel session_model_from_json(const nlohmann::json& entry,
                                     const std::function<void(const std::string&)>& fail) {
  SessionModel model;
  if (!entry.is_object()) fail("'model' must be an object");
  model.learned_by = entry.value("learned_by", std::string("not probed"));
  for (const auto* field : {"home", "sharing", "unknown_id", "login", "logout"}) {
    const auto text = entry.value(field, std::string("unknown"));
    if (const auto error = set_session_model_field(model, field, text); !error.empty()) {
      fail("model." + error);
    }
  }
  if (const auto memory = entry.find("in_node_memory");
      memory != entry.end() && memory->is_boolean()) {
    model.in_node_memory = memory->get<bool>();
  }
  return model;
}

std::string render_history_jsonl(const History& history) {
  std::vector<std::pair<std::int64_t, json>> lines;
  for (const auto& op : history.operations) {
    json invoke{{"type", "invoke"},
                {"index", op.index},
                {"time_us", op.start_us},
                {"client", op.client},
                {"op", std::string(to_string(op.op))},
                {"target", op.target},
                {"session", op.session_before},
                {"request", op.request},
                {"step", op.step}};
    if (!op.attribute.empty()) invoke["attribute"] = op.attribute;
    if (op.op == OpKind::set || op.op == OpKind::login) invoke["value"] = op.value;
    lines.emplace_back(op.start_us, std::move(invoke));
    json completion{{"type", std::string(completion_type(op.outcome))},
                    {"index", op.index},
                    {"time_us", op.end_us},
                    {"status", op.status},
                    {"node", op.node},
                    {"effect", std::string(to_string(op.effect))},
                    {"session", op.session_after}};
    if (op.op == OpKind::get) completion["read"] = op.read ? json(*op.read) : json(nullptr);
    lines.emplace_back(op.end_us, std::move(completion));
  }
  for (const auto& event : history.events) {
    json line{{"type", "event"},
              {"time_us", event.at_us},
              {"what", std::string(to_string(event.what))},
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
             known_word(entry, "what", parse_event_kind), entry.value("node", ""),
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
        op.op = known_word(entry, "op", parse_op_kind);
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
      const auto outcome = outcome_of_completion(type);
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
