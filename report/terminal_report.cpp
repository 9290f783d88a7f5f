#include "report/terminal_report.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>

#include "common/text.h"
#include "report/explanation_words.h"
#include "report/style.h"

namespace sessim {

std::string paint(const std::string& text, Tone tone, const TerminalStyle& style) {
  if (!style.color || tone == Tone::plain) return text;
  const char* code = tone == Tone::good   ? "32"
                     : tone == Tone::bad  ? "31"
                     : tone == Tone::warn ? "33"
                     : tone == Tone::bold ? "1"
                                          : "2";
  return fmt::format("\033[{}m{}\033[0m", code, text);
}

namespace {

struct Cell {
  std::string text;
  Tone tone = Tone::plain;
};

std::string short_id(const std::string& id) { return id.empty() ? "-" : abbreviate(id, 8); }

std::string result_label(const RequestRecord& record) {
  if (record.result == RequestResult::error) {
    return record.exchange.status == 0 ? "ERROR (no response)"
                                       : fmt::format("ERROR {}", record.exchange.status);
  }
  if (record.result == RequestResult::miss) return "MISS";
  if (!record.is_read() && record.session == SessionEffect::created) return "NEW SESSION";
  if (!record.is_read() && record.session == SessionEffect::replaced) return "REPLACED";
  return "OK";
}

Tone result_tone(const RequestRecord& record) {
  if (record.result != RequestResult::ok) return Tone::bad;
  if (record.session == SessionEffect::replaced) return Tone::warn;
  return Tone::good;
}

std::string request_label(const RequestRecord& record) {
  return fmt::format("{} {}", record.exchange.method, record.exchange.target);
}

std::string value_label(const RequestRecord& record) {
  if (record.exchange.status == 0) return "-";
  std::string body = record.exchange.body;
  if (!body.empty() && body.back() == '\n') body.pop_back();
  if (body.empty()) return "(empty)";
  return abbreviate(body, 24);
}

std::string session_label(const RequestRecord& record) {
  return record.session == SessionEffect::unknown ? "-" : std::string(to_string(record.session));
}

}  // namespace

std::string trace_line(const RequestRecord& record) {
  std::string cookies = short_id(record.session_id_sent);
  if (!record.session_id_set.empty() && record.session_id_set != record.session_id_sent) {
    cookies += " -> " + short_id(record.session_id_set);
  }
  return fmt::format("{:>9.1f} ms  #{:<3} {:<10} {} {}  node={}  cookie {}  {}  {}  {}",
                     record.end_us / 1000.0, record.number, record.client, record.exchange.method,
                     record.exchange.target, record.node.empty() ? "unknown" : record.node, cookies,
                     record.exchange.status == 0
                         ? "no response (" + record.exchange.transport_error + ")"
                         : std::to_string(record.exchange.status),
                     to_string(record.session), result_label(record));
}

std::string summary_line(const ScenarioRun& run) {
  if (run.cluster.kind == "target") {
    return fmt::format("reads: {}/{} succeeded (store={}, target {})", run.reads_ok(),
                       run.reads_total(), to_string(run.store), run.cluster.balancer_url);
  }
  return fmt::format("reads: {}/{} succeeded (store={}, nodes={}, balancer={})", run.reads_ok(),
                     run.reads_total(), to_string(run.store), run.cluster.nodes,
                     run.cluster.balancer_name());
}

std::string render_request_table(const ScenarioRun& run, const TerminalStyle& style) {
  constexpr std::size_t kColumns = 8;
  const std::array<std::string, kColumns> headings{"#",       "request",    "node",  "cookie sent",
                                                   "session", "new cookie", "value", "result"};
  const auto explanations =
      style.explain ? failed_read_sentences(run) : std::map<int, std::string>{};
  struct Row {
    std::array<Cell, kColumns> cells;
    std::string why;
  };
  std::vector<Row> rows;
  for (const auto& step : run.steps) {
    for (const auto& record : step.requests) {
      const bool replaced = record.session == SessionEffect::replaced;
      Row row{{Cell{std::to_string(record.number)}, Cell{request_label(record)},
               Cell{record.node.empty() ? (record.exchange.status == 0 ? "-" : "unknown")
                                        : record.node},
               Cell{short_id(record.session_id_sent), Tone::dim},
               Cell{session_label(record), replaced ? Tone::warn : Tone::plain},
               Cell{short_id(record.session_id_set), replaced ? Tone::warn : Tone::dim},
               Cell{value_label(record)}, Cell{result_label(record), result_tone(record)}},
              ""};
      if (const auto it = explanations.find(record.number); it != explanations.end()) {
        row.why = it->second;
      }
      rows.push_back(std::move(row));
    }
  }
  std::array<std::size_t, kColumns> widths{};
  for (std::size_t column = 0; column < kColumns; ++column) {
    widths[column] = display_width(headings[column]);
    for (const auto& row : rows) {
      widths[column] = std::max(widths[column], display_width(row.cells[column].text));
    }
  }
  const auto pad = [](const std::string& text, std::size_t width) {
    return text + std::string(width - std::min(width, display_width(text)), ' ');
  };

  std::string out = fmt::format(
      "sessim: {}{}\n"
      "story: {}: {}\n\n",
      run.cluster.describe(),
      run.cluster.kind == "target" ? "" : " at " + run.cluster.balancer_url, run.scenario,
      run.lesson);
  std::vector<std::string> padded_headings;
  for (std::size_t column = 0; column < kColumns; ++column) {
    const bool last = column + 1 == kColumns;
    padded_headings.push_back(last ? headings[column] : pad(headings[column], widths[column]));
  }
  out += "  " + paint(fmt::format("{}", fmt::join(padded_headings, " ")), Tone::dim, style) + "\n";
  for (const auto& row : rows) {
    std::vector<std::string> cells;
    for (std::size_t column = 0; column < kColumns; ++column) {
      const bool last = column + 1 == kColumns;
      const auto& cell = row.cells[column];
      cells.push_back(paint(last ? cell.text : pad(cell.text, widths[column]), cell.tone, style));
    }
    out += fmt::format("  {}\n", fmt::join(cells, " "));
    if (!row.why.empty()) out += fmt::format("    why: {}\n", row.why);
  }
  out += "\n";
  const bool passed = run.verdict() == Verdict::pass;
  out += paint(summary_line(run), passed ? Tone::good : Tone::bad, style) + "\n";
  if (!run.error.empty()) out += paint("error: " + run.error, Tone::bad, style) + "\n";
  if (const auto idle = run.idle_nodes_note(); !idle.empty()) {
    out += paint(idle, run.missed_a_down_node() ? Tone::bad : Tone::dim, style) + "\n";
  }
  // sessim's own nodes are the lesson's subject; another app's model is news.
  if (run.cluster.kind != "sessim") out += fmt::format("session model: {}\n", describe(run.model));
  if (const auto writes = run.write_latency_note(); !writes.empty()) out += writes + "\n";
  if (const auto bodies = run.bodies_note(); !bodies.empty()) out += paint(bodies, Tone::dim, style) + "\n";
  if (const auto why = why_failed_reads(run); !why.empty()) out += why + "\n";
  if (!run.anomalies.empty() || run.declared_anomalies) {
    out +=
        paint(anomaly_summary(run), run.anomalies.empty() ? Tone::good : Tone::warn, style) + "\n";
    if (style.explain) {
      for (const auto& anomaly : run.anomalies) {
        out += fmt::format("  {}: {}\n", to_string(anomaly.kind), anomaly_sentence(anomaly, run.model));
      }
    }
  }
  return out;
}

}  // namespace sessim
