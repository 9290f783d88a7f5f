#include "report/html_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "common/text.h"
#include "report/explanation_words.h"
#include "report/check_text.h"

namespace sessim {
namespace {

constexpr const char* kStyle = R"css(
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #1d2430; }
h1 { font-size: 20px; } h2 { font-size: 17px; margin-top: 32px; }
.summary { display: flex; gap: 12px; flex-wrap: wrap; margin: 8px 0 12px; }
.summary div { background: #f3f5f8; padding: 6px 12px; border-radius: 6px; }
.pass { color: #17733a; font-weight: 600; } .fail { color: #b3261e; font-weight: 600; }
.other { color: #8a6100; font-weight: 600; }
.lesson { color: #1f5fa8; font-weight: 600; }
.legend { display: flex; gap: 16px; flex-wrap: wrap; font-size: 13px; margin: 8px 0; }
.legend span::before { content: ""; display: inline-block; width: 14px; height: 10px;
  margin-right: 5px; border-radius: 2px; vertical-align: middle; background: var(--swatch); }
.tools { margin: 6px 0; } .tools button { font: inherit; padding: 2px 10px; margin-right: 4px; }
.timeline { overflow-x: auto; border: 1px solid #d9dee5; border-radius: 6px; background: #fbfcfd;
  cursor: grab; }
.timeline.dragging { cursor: grabbing; }
svg { display: block; }
svg text { font: 12px system-ui, sans-serif; fill: #1d2430; }
.lane-label { font-weight: 600; } .axis text { fill: #5b6677; font-size: 11px; }
.axis line { stroke: #e3e7ec; }
.request rect { stroke: #1d2430; stroke-width: 0.5; }
.request.ok rect { fill: #3aa165; } .request.miss rect { fill: #d9534f; stroke: #7a1712;
  stroke-width: 1.5; }
.request.error rect { fill: #e3a008; }
.request.anomaly rect.client { stroke: #6f2dbd; stroke-width: 3; }
.request .number { font-size: 10px; fill: #1d2430; }
.request .cross { font-size: 12px; font-weight: 700; fill: #b3261e; }
.request:hover rect, .request.pinned rect { stroke: #000; stroke-width: 2; }
.hop { stroke: #8795a8; stroke-width: 1; }
.fault line { stroke: #b3261e; stroke-dasharray: 4 3; } .fault text { fill: #b3261e; }
table { border-collapse: collapse; margin-top: 12px; width: 100%; }
td, th { border-bottom: 1px solid #e3e7ec; padding: 3px 8px; text-align: left; font-size: 13px;
  vertical-align: top; }
tr.miss td, tr.error td { background: #fdecea; }
tr.anomaly td:first-child { border-left: 4px solid #6f2dbd; }
td.note { color: #5b1f99; } code { font-size: 12px; }
#details { position: sticky; top: 0; z-index: 1; background: #f3f5f8; padding: 6px 10px;
  border-radius: 6px; color: #5b6677; }
#details.pinned { color: #1d2430; background: #fff8d6; }
.anomalies li { margin: 4px 0; }
.matrix td, .matrix th { text-align: center; } .matrix td:first-child { text-align: left; }
@media print { #details, .tools { display: none; } .timeline { border: none; overflow: visible; }
  body { margin: 8mm; } }
)css";

// A click pins a request's details; hovering shows the SVG <title>. The
// zoom buttons widen the timeline, and dragging it pans.
constexpr const char* kScript = R"js(
document.addEventListener('click', function (event) {
  var mark = event.target.closest('.request');
  if (mark) {
    document.querySelectorAll('.pinned').forEach(function (m) { m.classList.remove('pinned'); });
    mark.classList.add('pinned');
    var details = document.getElementById('details');
    details.textContent = mark.getAttribute('data-details');
    details.classList.add('pinned');
    return;
  }
  var button = event.target.closest('button[data-zoom]');
  if (!button) return;
  var box = button.closest('section').querySelector('.timeline');
  var svg = box.querySelector('svg');
  var base = Number(svg.getAttribute('data-width'));
  var zoom = Number(box.getAttribute('data-zoom'));
  var how = button.getAttribute('data-zoom');
  zoom = how === 'in' ? zoom * 2 : how === 'out' ? Math.max(1, zoom / 2) : 1;
  box.setAttribute('data-zoom', zoom);
  svg.setAttribute('width', base * zoom);
});
document.querySelectorAll('.timeline').forEach(function (box) {
  var from = null;
  box.addEventListener('mousedown', function (e) {
    from = { x: e.clientX, left: box.scrollLeft }; box.classList.add('dragging');
  });
  window.addEventListener('mouseup', function () { from = null; box.classList.remove('dragging'); });
  window.addEventListener('mousemove', function (e) {
    if (from) box.scrollLeft = from.left - (e.clientX - from.x);
  });
});
)js";

struct Lane {
  std::string name;
  bool node = false;
  int rows = 1;  // sub-lanes: requests that overlap in time get one each
  int top = 0;   // y of its first row
};

// Where a request is drawn: its client's lane and row, and the node's.
struct Placement {
  const RequestRecord* request = nullptr;
  const Operation* op = nullptr;
  int client_lane = -1;
  int client_row = 0;
  int node_lane = -1;
  int node_row = 0;
};

constexpr int kLeft = 130, kBaseWidth = 1000, kRowHeight = 24, kLanePad = 8, kTop = 30;
constexpr double kMinBarWidth = 8;

std::string result_class(const RequestRecord& record) { return to_string(record.result); }

// A body as a table cell shows it: one line, less the newline that ends it.
std::string body_line(std::string body) {
  if (!body.empty() && body.back() == '\n') body.pop_back();
  return body;
}

std::string short_id(const std::string& id) { return id.empty() ? "-" : abbreviate(id, 8); }

std::string details(const RequestRecord& record, const Operation* op) {
  std::string text = fmt::format("#{} {} {} {} by {}", record.number, record.client,
                                 record.exchange.method, printable(record.exchange.target, 80),
                                 record.node.empty() ? "an unknown node" : record.node);
  text += record.exchange.status == 0
              ? fmt::format(" — no response ({})", record.exchange.transport_error)
              : fmt::format(" — {} \"{}\"", record.exchange.status,
                            printable(record.exchange.body, 40));
  text += fmt::format("; session {}; cookie sent {}, new cookie {}", to_string(record.session),
                      short_id(record.session_id_sent), short_id(record.session_id_set));
  if (!record.session_basis.empty()) text += fmt::format(" ({})", record.session_basis);
  if (!record.session_not_judged.empty()) text += "; " + record.session_not_judged;
  if (op) text += fmt::format("; {:.1f}–{:.1f} ms", op->start_us / 1000.0, op->end_us / 1000.0);
  if (record.attempt > 0) {
    text += fmt::format("; try {} of {}", record.attempt, record.attempts_allowed);
    if (!record.retry_reason.empty()) text += " (tried again: " + record.retry_reason + ")";
  }
  for (const auto& before : record.before) {
    text +=
        fmt::format("; first {} {} -> {}", before.method, before.target,
                    before.status == 0 ? before.transport_error : std::to_string(before.status));
  }
  if (!record.captured.empty()) text += "; captured " + join(record.captured, ", ");
  for (const auto& check : record.checks) {
    if (!check.passed) {
      text += "; FAILED " + failed_check_text(check);
    }
  }
  return text;
}

// The first row of a lane free from `from` (in pixels), in the order bars
// start: bars that overlap on the page, requests at the same time or short
// ones drawn wider than they took, go one under another.
int free_row(std::vector<double>& row_ends, double from, double to) {
  for (std::size_t row = 0; row < row_ends.size(); ++row) {
    if (row_ends[row] <= from) {
      row_ends[row] = to;
      return static_cast<int>(row);
    }
  }
  row_ends.push_back(to);
  return static_cast<int>(row_ends.size()) - 1;
}

// How far a bar reaches on the page: its width, at least its number's.
constexpr double kLabelWidth = 26;

// A tick every 1, 2 or 5 × 10^k ms, about eight across.
double tick_ms(double span_ms) {
  const double raw = std::max(span_ms / 8, 0.001);
  const double power = std::pow(10.0, std::floor(std::log10(raw)));
  for (const double step : {1.0, 2.0, 5.0, 10.0}) {
    if (raw <= step * power) return step * power;
  }
  return 10 * power;
}

std::string verdict_box(const ScenarioRun& run) {
  const auto verdict = run.verdict();
  const auto word = to_string(verdict);
  if (run.declared && run.as_declared() && verdict == Verdict::fail) {
    return fmt::format(
        "<div class=\"verdict\">verdict <span class=\"lesson\">{} — as declared</span>: this "
        "store is expected to fail the story; the failure is the lesson</div>",
        word);
  }
  const auto css = verdict == Verdict::pass ? "pass" : verdict == Verdict::fail ? "fail" : "other";
  std::string note;
  if (run.declared) {
    note = run.as_declared()
               ? " — as declared"
               : fmt::format(" — unexpected: declared {}",
                             *run.declared == DeclaredOutcome::pass ? "pass" : "fail");
  }
  return fmt::format("<div class=\"verdict\">verdict <span class=\"{}\">{}{}</span></div>", css,
                     word, escape_markup(note));
}

std::string run_section(const ScenarioRun& run, const History& history, int run_index) {
  std::map<int, const Operation*> ops;  // by request number
  for (const auto& op : history.operations) ops[op.request] = &op;
  // An anomaly is marked on the request it showed in (its last), with its
  // sentence beside that request in the table.
  std::map<int, std::vector<const Finding*>> shown_in;
  for (const auto& anomaly : run.anomalies) {
    if (!anomaly.requests.empty()) shown_in[anomaly.requests.back()].push_back(&anomaly);
  }
  std::vector<const RequestRecord*> requests;
  for (const auto& step : run.steps) {
    for (const auto& request : step.requests) requests.push_back(&request);
  }
  std::sort(requests.begin(), requests.end(),
            [](const auto* a, const auto* b) { return a->number < b->number; });
  std::map<int, std::string> step_label;
  for (const auto& step : run.steps) {
    for (const auto& request : step.requests) step_label[request.number] = step.label;
  }

  std::vector<Lane> lanes;
  std::map<std::string, int> lane_of;
  const auto add_lane = [&](const std::string& name, bool node) {
    const auto key = (node ? "n:" : "c:") + name;
    if (lane_of.count(key)) return;
    lane_of[key] = static_cast<int>(lanes.size());
    lanes.push_back({name, node});
  };
  for (const auto* request : requests) add_lane(request->client, false);
  for (const auto& node : run.cluster.node_urls) add_lane(node.name, true);
  for (const auto* request : requests) {
    if (!request->node.empty()) add_lane(request->node, true);
  }
  // Rows: requests in the order they started, each in the first free row.
  std::vector<Placement> placements;
  for (const auto* request : requests) {
    const auto found = ops.find(request->number);
    if (found == ops.end()) continue;
    placements.push_back({request, found->second, lane_of.at("c:" + request->client)});
    if (!request->node.empty()) placements.back().node_lane = lane_of.at("n:" + request->node);
  }
  std::vector<Placement*> by_start;
  for (auto& placement : placements) by_start.push_back(&placement);
  std::stable_sort(by_start.begin(), by_start.end(),
                   [](const auto* a, const auto* b) { return a->op->start_us < b->op->start_us; });
  std::int64_t end_us = 1;
  for (const auto& op : history.operations) end_us = std::max(end_us, op.end_us);
  for (const auto& event : history.events) end_us = std::max(end_us, event.at_us);
  const auto x = [&](std::int64_t us) {
    return kLeft + static_cast<double>(us) * kBaseWidth / static_cast<double>(end_us);
  };
  std::vector<std::vector<double>> row_ends(lanes.size());
  for (auto* placement : by_start) {
    const auto& op = *placement->op;
    const double from = x(op.start_us);
    const double to = from + std::max({kMinBarWidth, x(op.end_us) - from, kLabelWidth}) + 2;
    placement->client_row = free_row(row_ends[placement->client_lane], from, to);
    if (placement->node_lane >= 0) {
      placement->node_row = free_row(row_ends[placement->node_lane], from, to);
    }
  }
  int y = kTop;
  for (std::size_t i = 0; i < lanes.size(); ++i) {
    lanes[i].rows = std::max<int>(1, static_cast<int>(row_ends[i].size()));
    lanes[i].top = y + kLanePad;
    y += kLanePad * 2 + lanes[i].rows * kRowHeight;
  }
  const int height = y + 6;
  const auto row_y = [&](int lane, int row) { return lanes[lane].top + row * kRowHeight + 10; };

  const int width = kLeft + kBaseWidth + 40;
  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {0} {1}\" width=\"{0}\" "
      "height=\"{1}\" data-width=\"{0}\" preserveAspectRatio=\"xMinYMin meet\" role=\"img\" "
      "aria-label=\"timeline of {2}\">\n<g class=\"axis\">",
      width, height, escape_markup(run.scenario));
  const double span_ms = static_cast<double>(end_us) / 1000.0;
  const double tick = tick_ms(span_ms);
  for (double at = 0; at <= span_ms + tick / 1000; at += tick) {
    const double tx = x(static_cast<std::int64_t>(at * 1000));
    svg += fmt::format(
        "<line x1=\"{0:.1f}\" y1=\"20\" x2=\"{0:.1f}\" y2=\"{1}\"/><text x=\"{0:.1f}\" "
        "y=\"14\" text-anchor=\"middle\">{2:g} ms</text>",
        tx, height - 4, at);
  }
  svg += "</g>\n";
  for (std::size_t i = 0; i < lanes.size(); ++i) {
    const int bottom = lanes[i].top + lanes[i].rows * kRowHeight + kLanePad;
    svg += fmt::format(
        "<line x1=\"0\" y1=\"{0}\" x2=\"{1}\" y2=\"{0}\" stroke=\"#d9dee5\"/><text "
        "class=\"lane-label\" x=\"8\" y=\"{2}\">{3}{4}</text>\n",
        bottom, width, lanes[i].top + 14, lanes[i].node ? "⬢ " : "", escape_markup(lanes[i].name));
  }
  for (const auto& event : history.events) {
    if (event.what == EventKind::wait) continue;
    const double fx = x(event.at_us);
    svg += fmt::format(
        "<g class=\"fault\"><line x1=\"{0:.1f}\" y1=\"20\" x2=\"{0:.1f}\" y2=\"{1}\"/><text "
        "x=\"{2:.1f}\" y=\"{3}\">{4}</text><title>{5}</title></g>\n",
        fx, height - 2, fx + 3, height - 6,
        escape_markup(std::string(to_string(event.what)) + (event.node.empty() ? "" : " " + event.node)),
        escape_markup(event.note));
  }
  for (const auto& placement : placements) {
    const auto& request = *placement.request;
    const auto& op = *placement.op;
    const double x0 = x(op.start_us);
    const double bar = std::max(kMinBarWidth, x(op.end_us) - x0);
    const bool anomaly = shown_in.count(request.number) > 0;
    const bool failed_read = request.result == RequestResult::miss && request.is_read();
    const auto text = details(request, &op);
    const int cy = row_y(placement.client_lane, placement.client_row);
    const int bar_height = failed_read ? 14 : 10;
    svg += fmt::format(
        "<g class=\"request {}{}\" data-request=\"{}\" data-details=\"{}\"><title>{}</title>"
        "<rect class=\"client\" data-lane=\"c:{}\" data-row=\"{}\" data-start-us=\"{}\" "
        "data-end-us=\"{}\" x=\"{:.1f}\" y=\"{}\" width=\"{:.1f}\" height=\"{}\" rx=\"2\"/>"
        "<text class=\"number\" x=\"{:.1f}\" y=\"{}\">#{}</text>",
        result_class(request), anomaly ? " anomaly" : "", request.number, escape_markup(text),
        escape_markup(text), escape_markup(request.client), placement.client_row, op.start_us,
        op.end_us, x0, cy - bar_height / 2, bar, bar_height, x0 + 1, cy - bar_height / 2 - 2,
        request.number);
    if (failed_read) {
      // Beside the number, above the bar: after it, the next bar may hide it.
      svg += fmt::format("<text class=\"cross\" x=\"{:.1f}\" y=\"{}\">✗</text>",
                         x0 + 8 + 6 * static_cast<double>(std::to_string(request.number).size()),
                         cy - bar_height / 2 - 1);
    }
    if (placement.node_lane >= 0) {
      const int ny = row_y(placement.node_lane, placement.node_row);
      svg += fmt::format(
          "<line class=\"hop\" x1=\"{0:.1f}\" y1=\"{1}\" x2=\"{0:.1f}\" y2=\"{2}\"/>"
          "<rect class=\"node\" data-lane=\"n:{3}\" data-row=\"{4}\" data-start-us=\"{5}\" "
          "data-end-us=\"{6}\" x=\"{7:.1f}\" y=\"{8}\" width=\"{9:.1f}\" height=\"10\" rx=\"2\"/>",
          x0 + std::min(bar, 6.0), cy + bar_height / 2, ny - 5, escape_markup(request.node),
          placement.node_row, op.start_us, op.end_us, x0, ny - 5, bar);
    }
    svg += "</g>\n";
  }
  svg += "</svg>\n";

  std::string out = fmt::format(
      "<section id=\"run-{}\">\n<h2>{} <small>[{}]</small></h2>\n<p>{}</p>\n"
      "<div class=\"summary\">{}<div>reads {}/{}</div><div>{}</div><div>{}</div>"
      "<div>app {}</div></div>\n<p class=\"model\">session model: {}</p>\n",
      run_index, escape_markup(run.scenario), escape_markup(run.variant()),
      escape_markup(run.lesson), verdict_box(run), run.reads_ok(), run.reads_total(),
      escape_markup(anomaly_summary(run)), escape_markup(run.cluster.describe()),
      escape_markup(run.cluster.app), escape_markup(describe(run.model)));
  for (const auto& note : {run.write_latency_note(), run.bodies_note()}) {
    if (!note.empty()) out += fmt::format("<p class=\"model\">{}</p>\n", escape_markup(note));
  }
  out +=
      "<div class=\"tools\"><button data-zoom=\"in\">zoom in</button><button "
      "data-zoom=\"out\">zoom out</button><button data-zoom=\"fit\">fit</button> drag the "
      "timeline to move along it</div>\n<div class=\"timeline\" data-zoom=\"1\">" +
      svg + "</div>\n";
  if (!run.anomalies.empty()) {
    out += "<ul class=\"anomalies\">\n";
    for (const auto& anomaly : run.anomalies) {
      out += fmt::format("<li><b>{}</b> (shown in #{}): {}</li>\n",
                         escape_markup(to_string(anomaly.kind)),
                         anomaly.requests.empty() ? 0 : anomaly.requests.back(),
                         escape_markup(anomaly_sentence(anomaly, run.model)));
    }
    out += "</ul>\n";
  }
  if (const auto why = why_failed_reads(run); !why.empty()) {
    out += fmt::format("<p>{}</p>\n", escape_markup(why));
  }
  out +=
      "<table class=\"requests\"><tr><th>#</th><th>step</th><th>client</th><th>request</th>"
      "<th>node</th><th>cookie sent</th><th>new cookie</th><th>session</th><th>status</th>"
      "<th>body</th><th>result</th><th>why</th></tr>\n";
  for (const auto* request : requests) {
    const bool anomaly = shown_in.count(request->number) > 0;
    std::vector<std::string> notes;
    for (const auto& check : request->checks) {
      if (!check.passed) {
        notes.push_back(failed_check_text(check, true));
      }
    }
    if (anomaly) {
      for (const auto* finding : shown_in.at(request->number)) {
        notes.push_back(fmt::format("{}: {}", to_string(finding->kind),
                                         anomaly_sentence(*finding, run.model)));
      }
    }
    std::string note_html;
    for (const auto& note : notes) note_html += "<div>" + escape_markup(note) + "</div>";
    out += fmt::format(
        "<tr class=\"{}{}\" data-request=\"{}\"><td>{}</td><td>{}</td><td>{}</td><td>{} "
        "{}</td><td>{}</td><td><code>{}</code></td><td><code>{}</code></td><td>{}</td><td>{}</td>"
        "<td>{}</td><td>{}</td><td class=\"note\">{}</td></tr>\n",
        result_class(*request), anomaly ? " anomaly" : "", request->number, request->number,
        escape_markup(step_label[request->number]), escape_markup(request->client),
        escape_markup(request->exchange.method),
        escape_markup(printable(request->exchange.target, 80)),
        escape_markup(request->node.empty() ? "unknown" : request->node),
        escape_markup(short_id(request->session_id_sent)),
        escape_markup(request->session_id_set.empty() ||
                              request->session_id_set == request->session_id_sent
                          ? std::string("-")
                          : short_id(request->session_id_set)),
        escape_markup(std::string(to_string(request->session))),
        request->exchange.status == 0 ? std::string("-") : std::to_string(request->exchange.status),
        escape_markup(printable(body_line(request->exchange.body), 40)),
        escape_markup(to_string(request->result)), note_html);
  }
  out += "</table>\n</section>\n";
  return out;
}

constexpr const char* kLegend =
    "<div class=\"legend\"><span style=\"--swatch:#3aa165\">expectation held</span>"
    "<span style=\"--swatch:#d9534f\">expectation failed (a failed read is taller, with ✗)</span>"
    "<span style=\"--swatch:#e3a008\">no answer or server error</span>"
    "<span style=\"--swatch:#fff;outline:3px solid #6f2dbd\">where an anomaly showed</span>"
    "<span style=\"--swatch:repeating-linear-gradient(90deg,#b3261e 0 4px,#fff 4px 7px)\">"
    "fault</span></div>\n";

std::string page(const std::string& title, const std::string& intro, const std::string& body) {
  return fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<title>{}</title>\n<style>{}</style>\n</head>\n<body>\n<h1>{}</h1>\n<p>{}</p>\n{}"
      "<div id=\"details\">Click a bar to see its request here; hover it for a glance.</div>\n"
      "{}<script>{}</script>\n</body>\n</html>\n",
      escape_markup(title), kStyle, escape_markup(title), intro, kLegend, body, kScript);
}

constexpr const char* kIntro =
    "Each bar is a request, from when it was sent to when its answer came, numbered as in the "
    "table; requests of one browser that overlap get a row each. The line goes down to the node "
    "that served it; dashed red lines are faults.";

}  // namespace

std::string render_html_report(const std::vector<ScenarioRun>& runs,
                               const std::vector<History>& histories) {
  std::string body;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    body += run_section(runs[i], histories.at(i), static_cast<int>(i) + 1);
  }
  return page("sessim report", kIntro, body);
}

std::string render_compare_html(const CompareSummary& summary, const std::vector<ScenarioRun>& runs,
                                const std::vector<History>& histories) {
  // The matrix, each cell a link to its run's section below.
  std::string matrix = "<table class=\"matrix\"><tr><th>store</th><th>balancer</th>";
  for (const auto fault : summary.faults)
    matrix += "<th>" + escape_markup(to_string(fault)) + "</th>";
  matrix += "</tr>\n";
  for (const auto& row : summary.rows()) {
    {
      matrix += fmt::format("<tr><td>{}</td><td>{}</td>", to_string(row.store),
                            escape_markup(summary.row_label(row)));
      for (const auto& fault : summary.faults) {
        std::string cell = "-";
        for (std::size_t i = 0; i < summary.cells.size(); ++i) {
          const auto& candidate = summary.cells[i];
          if (candidate.store != row.store || candidate.balancer != row.balancer ||
              candidate.front != row.front || candidate.fault != fault) {
            continue;
          }
          const auto css = candidate.verdict == Verdict::pass   ? "pass"
                           : candidate.verdict == Verdict::fail ? "fail"
                                                                : "other";
          cell = fmt::format("<a href=\"#run-{}\" class=\"{}\">{}/{} {}</a>", i + 1, css,
                             candidate.reads_ok, candidate.reads_total,
                             escape_markup(to_string(candidate.verdict)));
        }
        matrix += "<td>" + cell + "</td>";
      }
      matrix += "</tr>\n";
    }
  }
  matrix += "</table>\n";
  std::string body = matrix;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    body += run_section(runs[i], histories.at(i), static_cast<int>(i) + 1);
  }
  return page(fmt::format("sessim compare {}", summary.scenario),
              escape_markup(summary.lesson) +
                  " Each cell of the matrix is reads that returned what "
                  "was written; click it for its run. " +
                  kIntro,
              body);
}

}  // namespace sessim
