#include "report/sequence_diagram.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

namespace sessim {
namespace {

// A Mermaid participant's id: letters, digits and _ only.
std::string participant(const std::string& name) {
  std::string id;
  for (const char c : name) id += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return id;
}

}  // namespace

std::string render_mermaid(const ScenarioRun& run, const History& history) {
  std::string out = "sequenceDiagram\n";
  std::set<std::string> clients;
  for (const auto& op : history.operations) clients.insert(op.client);
  for (const auto& client : clients) {
    out += fmt::format("    participant {} as {}\n", participant(client), client);
  }
  const bool balancer = run.cluster.balancer.has_value();
  const std::string front = balancer ? "balancer" : "target";
  out += fmt::format(
      "    participant {} as {}\n", front,
      balancer ? "balancer (" + run.cluster.balancer_name() + ")" : run.cluster.balancer_url);
  for (const auto& node : run.cluster.node_urls) {
    out += fmt::format("    participant {} as {}\n", participant(node.name), node.name);
  }
  std::map<int, const RequestRecord*> records;
  for (const auto& step : run.steps) {
    for (const auto& request : step.requests) records[request.number] = &request;
  }
  // Every arrow at the moment it happened: a request when it was sent, its
  // answer when it came. Requests that overlap (a slow PUT and a logout)
  // then read as they ran: the late answer is drawn after what happened
  // meanwhile, not beside its own request.
  struct Moment {
    std::int64_t at_us;
    int order;  // at the same instant: answers, then events, then requests
    std::string lines;
  };
  std::vector<Moment> moments;
  for (const auto& event : history.events) {
    if (event.what == EventKind::wait) continue;
    moments.push_back(
        {event.at_us, 1,
         fmt::format("    Note over {}: {}\n", event.node.empty() ? front : participant(event.node),
                     std::string(to_string(event.what)) + (event.node.empty() ? "" : " " + event.node))});
  }
  for (const auto& op : history.operations) {
    const auto* record = records.count(op.request) ? records.at(op.request) : nullptr;
    const auto node = record && !record->node.empty() ? participant(record->node) : "";
    auto sent =
        fmt::format("    {}->>{}: ({}) {}\n", participant(op.client), front, op.request, op.target);
    if (!node.empty() && balancer) sent += fmt::format("    {}->>{}: forward\n", front, node);
    moments.push_back({op.start_us, 2, std::move(sent)});
    const auto failed = record && record->result != RequestResult::ok ? " ✗" : "";
    const auto answer = op.status == 0
                            ? fmt::format("no response{}", failed)
                            : fmt::format("{} {}{}", op.status, to_string(op.effect), failed);
    moments.push_back({op.end_us, 0,
                       fmt::format("    {}-->>{}: ({}) {}\n", node.empty() ? front : node,
                                   participant(op.client), op.request, answer)});
  }
  std::stable_sort(moments.begin(), moments.end(), [](const Moment& a, const Moment& b) {
    return std::pair(a.at_us, a.order) < std::pair(b.at_us, b.order);
  });
  for (const auto& moment : moments) out += moment.lines;
  return out;
}

std::string render_ascii_sequence(const ScenarioRun& run, const History& history) {
  std::map<int, const RequestRecord*> records;
  for (const auto& step : run.steps) {
    for (const auto& request : step.requests) records[request.number] = &request;
  }
  std::size_t width = 6;
  for (const auto& op : history.operations) width = std::max(width, op.target.size());
  std::string out;
  std::size_t next_event = 0;
  for (const auto& op : history.operations) {
    while (next_event < history.events.size() && history.events[next_event].at_us <= op.start_us) {
      const auto& event = history.events[next_event++];
      if (event.what == EventKind::wait) continue;
      out += fmt::format("  ── {} ── {}\n",
                         std::string(to_string(event.what)) + (event.node.empty() ? "" : " " + event.node),
                         event.note);
    }
    const auto* record = records.count(op.request) ? records.at(op.request) : nullptr;
    out += fmt::format(
        "{:>3} {:<10} ──{:─<{}}──▶ {} ──▶ {:<8} {} {}{}\n", op.request, op.client, op.target + " ",
        width + 1, !run.cluster.balancer ? "target" : "balancer", op.node.empty() ? "?" : op.node,
        op.status == 0 ? std::string("no response") : std::to_string(op.status),
        to_string(op.effect), record && record->result != RequestResult::ok ? "  ✗" : "");
  }
  return out;
}

}  // namespace sessim
