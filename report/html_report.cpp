#include "report/html_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "common/text.h"
#include "history/explain.h"

namespace sessim {
namespace {

constexpr const char* kStyle = R"css(
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #1d2430; }
h1 { font-size: 20px; } h2 { font-size: 17px; margin-top: 32px; }
.summary { display: flex; gap: 24px; flex-wrap: wrap; margin: 8px 0 16px; }
.summary div { background: #f3f5f8; padding: 8px 12px; border-radius: 6px; }
.pass { color: #17733a; font-weight: 600; } .fail { color: #b3261e; font-weight: 600; }
.other { color: #8a6100; font-weight: 600; }
svg { background: #fbfcfd; border: 1px solid #d9dee5; border-radius: 6px; max-width: 100%; }
svg text { font: 12px system-ui, sans-serif; fill: #1d2430; }
.lane-label { font-weight: 600; }
.request rect { stroke: #1d2430; stroke-width: 0.5; }
.request.ok rect { fill: #3aa165; } .request.miss rect { fill: #d9534f; }
.request.error rect { fill: #e3a008; }
.request.anomaly rect { stroke: #6f2dbd; stroke-width: 3; }
.request:hover rect, .request.pinned rect { stroke: #000; stroke-width: 2; }
.hop { stroke: #8795a8; stroke-width: 1; }
.fault line { stroke: #b3261e; stroke-dasharray: 4 3; } .fault text { fill: #b3261e; }
table { border-collapse: collapse; margin-top: 12px; width: 100%; }
td, th { border-bottom: 1px solid #e3e7ec; padding: 3px 8px; text-align: left; font-size: 13px; }
tr.miss td, tr.error td { background: #fdecea; } tr.anomaly td:first-child { border-left: 4px solid #6f2dbd; }
#details { position: sticky; top: 0; background: #fff; border: 1px solid #d9dee5; padding: 6px 10px;
  min-height: 1.4em; border-radius: 6px; }
.anomalies li { margin: 4px 0; }
@media print { #details { display: none; } svg { border: none; } body { margin: 8mm; } }
)css";

// Pins a request's details on click; hovering shows the SVG <title>.
constexpr const char* kScript = R"js(
document.addEventListener('click', function (event) {
  var mark = event.target.closest('.request');
  if (!mark) return;
  document.querySelectorAll('.pinned').forEach(function (m) { m.classList.remove('pinned'); });
  mark.classList.add('pinned');
  document.getElementById('details').textContent = mark.getAttribute('data-details');
});
)js";

struct Lane {
  std::string name;
  bool node = false;
};

std::string result_class(const RequestRecord& record) { return to_string(record.result); }

std::string details(const RequestRecord& record, const Operation* op) {
  std::string text =
      fmt::format("#{} {} {} {} by {}", record.number, record.client, record.exchange.method,
                  record.exchange.target, record.node.empty() ? "an unknown node" : record.node);
  text += record.exchange.status == 0
              ? fmt::format(" — no response ({})", record.exchange.transport_error)
              : fmt::format(" — {} \"{}\"", record.exchange.status,
                            abbreviate(record.exchange.body, 40));
  text += fmt::format("; session {}", to_string(record.session));
  if (!record.session_id_sent.empty()) text += " sent " + abbreviate(record.session_id_sent, 8);
  if (!record.session_id_set.empty()) text += " set " + abbreviate(record.session_id_set, 8);
  if (op) text += fmt::format("; {:.1f}–{:.1f} ms", op->start_us / 1000.0, op->end_us / 1000.0);
  for (const auto& check : record.checks) {
    if (!check.passed) {
      text +=
          fmt::format("; FAILED {}: expected {}, got {}", check.what, check.expected, check.actual);
    }
  }
  return text;
}

std::string run_section(const ScenarioRun& run, const History& history, int run_index) {
  std::map<int, const Operation*> ops;  // by request number
  for (const auto& op : history.operations) ops[op.request] = &op;
  std::set<int> anomalous;
  for (const auto& anomaly : run.anomalies) {
    anomalous.insert(anomaly.requests.begin(), anomaly.requests.end());
  }
  std::vector<const RequestRecord*> requests;
  for (const auto& step : run.steps) {
    for (const auto& request : step.requests) requests.push_back(&request);
  }
  std::vector<Lane> lanes;
  std::map<std::string, int> lane_of;
  const auto add_lane = [&](const std::string& name, bool node) {
    if (lane_of.count((node ? "n:" : "c:") + name)) return;
    lane_of[(node ? "n:" : "c:") + name] = static_cast<int>(lanes.size());
    lanes.push_back({name, node});
  };
  for (const auto* request : requests) add_lane(request->client, false);
  for (const auto& node : run.cluster.node_urls) add_lane(node.name, true);
  for (const auto* request : requests) {
    if (!request->node.empty()) add_lane(request->node, true);
  }
  std::int64_t end_us = 1;
  for (const auto& op : history.operations) end_us = std::max(end_us, op.end_us);
  for (const auto& event : history.events) end_us = std::max(end_us, event.at_us);
  constexpr int kLeft = 110, kWidth = 900, kLaneHeight = 34, kTop = 24;
  const int height = kTop + static_cast<int>(lanes.size()) * kLaneHeight + 10;
  const auto x = [&](std::int64_t us) {
    return kLeft + static_cast<double>(us) * kWidth / static_cast<double>(end_us);
  };
  const auto lane_y = [&](int lane) { return kTop + lane * kLaneHeight; };

  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {} {}\" width=\"{}\" "
      "height=\"{}\" role=\"img\" aria-label=\"timeline of {}\">\n",
      kLeft + kWidth + 20, height, kLeft + kWidth + 20, height, escape_markup(run.scenario));
  svg += fmt::format(
      "<text x=\"{}\" y=\"14\">0 ms</text><text x=\"{}\" y=\"14\" "
      "text-anchor=\"end\">{:.0f} ms</text>\n",
      kLeft, kLeft + kWidth, end_us / 1000.0);
  for (std::size_t i = 0; i < lanes.size(); ++i) {
    const int y = lane_y(static_cast<int>(i));
    svg += fmt::format(
        "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#e3e7ec\"/><text "
        "class=\"lane-label\" "
        "x=\"8\" y=\"{}\">{}{}</text>\n",
        kLeft, y + kLaneHeight - 4, kLeft + kWidth, y + kLaneHeight - 4, y + 20,
        lanes[i].node ? "⬢ " : "", escape_markup(lanes[i].name));
  }
  for (const auto& event : history.events) {
    if (event.what == StepKind::wait) continue;
    const double fx = x(event.at_us);
    svg += fmt::format(
        "<g class=\"fault\"><line x1=\"{0:.1f}\" y1=\"18\" x2=\"{0:.1f}\" y2=\"{1}\"/><text "
        "x=\"{2:.1f}\" y=\"{1}\">{3}</text><title>{4}</title></g>\n",
        fx, height - 2, fx + 3,
        escape_markup(to_string(event.what) + (event.node.empty() ? "" : " " + event.node)),
        escape_markup(event.note));
  }
  for (const auto* request : requests) {
    const auto found = ops.find(request->number);
    if (found == ops.end()) continue;
    const auto& op = *found->second;
    const int client_lane = lane_of.at("c:" + request->client);
    const double x0 = x(op.start_us);
    const double width = std::max(3.0, x(op.end_us) - x0);
    const bool anomaly = anomalous.count(request->number) > 0;
    const auto text = details(*request, &op);
    svg += fmt::format(
        "<g class=\"request {}{}\" data-request=\"{}\" data-details=\"{}\"><title>{}</title>"
        "<rect x=\"{:.1f}\" y=\"{}\" width=\"{:.1f}\" height=\"12\" rx=\"2\"/>",
        result_class(*request), anomaly ? " anomaly" : "", request->number, escape_markup(text),
        escape_markup(text), x0, lane_y(client_lane) + 6, width);
    if (!request->node.empty() && lane_of.count("n:" + request->node)) {
      const int node_lane = lane_of.at("n:" + request->node);
      svg += fmt::format(
          "<line class=\"hop\" x1=\"{:.1f}\" y1=\"{}\" x2=\"{:.1f}\" y2=\"{}\"/>"
          "<rect x=\"{:.1f}\" y=\"{}\" width=\"{:.1f}\" height=\"12\" rx=\"2\"/>",
          x0 + width / 2, lane_y(client_lane) + 18, x0 + width / 2, lane_y(node_lane) + 6, x0,
          lane_y(node_lane) + 6, width);
    }
    svg += "</g>\n";
  }
  svg += "</svg>\n";

  const auto verdict = to_string(run.verdict());
  const auto verdict_class = verdict == "pass" ? "pass" : verdict == "fail" ? "fail" : "other";
  std::string out = fmt::format(
      "<section id=\"run-{}\">\n<h2>{} <small>[store={}]</small></h2>\n<p>{}</p>\n"
      "<div class=\"summary\"><div>verdict <span class=\"{}\">{}</span></div>"
      "<div>reads {}/{}</div><div>{}</div><div>{} node(s), {}, balancer {}</div>"
      "<div>app {}</div></div>\n<p class=\"model\">session model: {}</p>\n",
      run_index, escape_markup(run.scenario), escape_markup(to_string(run.store)),
      escape_markup(run.lesson), verdict_class, verdict, run.reads_ok(), run.reads_total(),
      escape_markup(anomaly_summary(run)), run.cluster.nodes, escape_markup(run.cluster.mode),
      escape_markup(!run.cluster.balancer ? "(target)" : run.cluster.balancer_name()),
      escape_markup(run.cluster.app), escape_markup(describe(run.model)));
  out += svg;
  if (!run.anomalies.empty()) {
    out += "<ul class=\"anomalies\">\n";
    for (const auto& anomaly : run.anomalies) {
      out += fmt::format("<li><b>{}</b>: {}</li>\n", escape_markup(to_string(anomaly.kind)),
                         escape_markup(anomaly.explanation));
    }
    out += "</ul>\n";
  }
  if (const auto why = why_failed_reads(run); !why.empty()) {
    out += fmt::format("<p>{}</p>\n", escape_markup(why));
  }
  out +=
      "<table><tr><th>#</th><th>client</th><th>request</th><th>node</th><th>session</th>"
      "<th>status</th><th>body</th><th>result</th></tr>\n";
  for (const auto* request : requests) {
    const bool anomaly = anomalous.count(request->number) > 0;
    out += fmt::format(
        "<tr class=\"{}{}\"><td>{}</td><td>{}</td><td>{} {}</td><td>{}</td><td>{}</td>"
        "<td>{}</td><td>{}</td><td>{}</td></tr>\n",
        result_class(*request), anomaly ? " anomaly" : "", request->number,
        escape_markup(request->client), escape_markup(request->exchange.method),
        escape_markup(request->exchange.target),
        escape_markup(request->node.empty() ? "unknown" : request->node),
        escape_markup(std::string(to_string(request->session))),
        request->exchange.status == 0 ? std::string("-") : std::to_string(request->exchange.status),
        escape_markup(abbreviate(request->exchange.body, 40)),
        escape_markup(to_string(request->result)));
  }
  out += "</table>\n</section>\n";
  return out;
}

std::string participant(const std::string& name) {
  std::string id;
  for (const char c : name) id += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return id;
}

}  // namespace

std::string render_html_report(const std::vector<ScenarioRun>& runs,
                               const std::vector<History>& histories) {
  std::string body;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    body += run_section(runs[i], histories.at(i), static_cast<int>(i) + 1);
  }
  return fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<title>sessim report</title>\n<style>{}</style>\n</head>\n<body>\n"
      "<h1>sessim report</h1>\n<p>Each bar is a request, from when it was sent to when its "
      "answer came: green the expectation held, red it did not, amber no answer or a server "
      "error; a purple outline marks the requests that prove an anomaly. The line goes down to "
      "the node that served it; dashed red lines are faults. Hover a bar for its details, click "
      "to pin them.</p>\n<div id=\"details\"></div>\n{}<script>{}</script>\n</body>\n</html>\n",
      kStyle, body, kScript);
}

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
    if (event.what == StepKind::wait) continue;
    moments.push_back({event.at_us, 1,
                       fmt::format("    Note over {}: {}\n",
                                   event.node.empty() ? front : participant(event.node),
                                   to_string(event.what) + (event.node.empty() ? "" : " " + event.node))});
  }
  for (const auto& op : history.operations) {
    const auto* record = records.count(op.request) ? records.at(op.request) : nullptr;
    const auto node = record && !record->node.empty() ? participant(record->node) : "";
    auto sent =
        fmt::format("    {}->>{}: ({}) {}\n", participant(op.client), front, op.request, op.target);
    if (!node.empty() && balancer) sent += fmt::format("    {}->>{}: forward\n", front, node);
    moments.push_back({op.start_us, 2, std::move(sent)});
    const auto answer = op.status == 0 ? std::string("no response")
                                       : fmt::format("{} {}", op.status, to_string(op.effect));
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
      if (event.what == StepKind::wait) continue;
      out += fmt::format("  ── {} ── {}\n",
                         to_string(event.what) + (event.node.empty() ? "" : " " + event.node),
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
