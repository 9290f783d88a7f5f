#include "report/json_report.h"

#include <nlohmann/json.hpp>

namespace sessim {

std::string render_json_report(const RunResult& result) {
  using nlohmann::json;
  json requests = json::array();
  for (const auto& record : result.requests) {
    json entry{
        {"number", record.number},
        {"client", record.client},
        {"action", record.action},
        {"method", record.exchange.method},
        {"target", record.exchange.target},
        {"node", record.node},
        {"status", record.exchange.status},
        {"session", record.session_outcome},
        {"session_id_sent", record.session_id_sent},
        {"session_id_set", record.session_id_set},
        {"body", record.exchange.body},
        {"result", to_string(record.result)},
        {"duration_ms", record.exchange.duration_ms},
    };
    if (record.expected) entry["expected"] = *record.expected;
    if (!record.miss_reason.empty()) entry["miss_reason"] = record.miss_reason;
    if (!record.exchange.transport_error.empty()) {
      entry["transport_error"] = record.exchange.transport_error;
    }
    requests.push_back(std::move(entry));
  }
  json cluster{{"nodes", result.cluster.nodes},
               {"mode", result.cluster.mode},
               {"store", result.cluster.store},
               {"balancer", result.cluster.balancer},
               {"balancer_url", result.cluster.balancer_url}};
  if (!result.cluster.redis_url.empty()) {
    cluster["redis_url"] = result.cluster.redis_url;
    cluster["private_redis"] = result.cluster.private_redis;
  }
  const json document{
      {"story", result.story},
      {"cluster", cluster},
      {"passed", result.passed()},
      {"reads", {{"ok", result.reads_ok()}, {"total", result.reads_total()}}},
      {"duration_ms", result.duration_ms},
      {"requests", requests},
  };
  // error_handler::replace: a body that is not UTF-8 must not abort the report.
  return document.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace sessim
