#include "report/terminal_report.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <set>

#include "common/text.h"
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
  if (!record.is_read && record.session_outcome == "created") return "NEW SESSION";
  if (!record.is_read && record.session_outcome == "replaced") return "REPLACED";
  return "OK";
}

Tone result_tone(const RequestRecord& record) {
  if (record.result != RequestResult::ok) return Tone::bad;
  if (record.session_outcome == "replaced") return Tone::warn;
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

// One sentence on why reads failed, from what the nodes said about them.
std::string why_line(const RunResult& result) {
  int replaced = 0, errors = 0;
  std::set<std::string> nodes;
  for (const auto& record : result.requests) {
    if (!record.is_read || record.result == RequestResult::ok) continue;
    if (record.result == RequestResult::error) ++errors;
    if (record.session_outcome == "replaced") ++replaced;
    nodes.insert(record.node);
  }
  if (replaced > 0) {
    return fmt::format(
        "why: {} read(s) reached a node that had never seen the session cookie it was sent; "
        "with store={} each node keeps sessions in its own memory, so the node created a new, "
        "empty session and sent a replacement cookie, and the original session was lost.",
        replaced, result.cluster.store);
  }
  if (errors > 0) {
    return fmt::format("why: {} read(s) got no good answer (see the status column).", errors);
  }
  return "why: the value read back differed from the value written.";
}

}  // namespace

std::string summary_line(const RunResult& result) {
  return fmt::format("reads: {}/{} succeeded (store={}, nodes={}, balancer={})", result.reads_ok(),
                     result.reads_total(), result.cluster.store, result.cluster.nodes,
                     result.cluster.balancer);
}

std::string render_terminal_report(const RunResult& result, const TerminalStyle& style) {
  const std::array<std::string, 8> headings{"#",       "request",    "node",  "cookie sent",
                                            "session", "new cookie", "value", "result"};
  std::vector<std::array<Cell, 8>> rows;
  for (const auto& record : result.requests) {
    const bool replaced = record.session_outcome == "replaced";
    rows.push_back({Cell{std::to_string(record.number)}, Cell{request_label(record)},
                    Cell{record.node.empty() ? "-" : record.node},
                    Cell{short_id(record.session_id_sent), Tone::dim},
                    Cell{record.session_outcome.empty() ? "-" : record.session_outcome,
                         replaced ? Tone::warn : Tone::plain},
                    Cell{short_id(record.session_id_set), replaced ? Tone::warn : Tone::dim},
                    Cell{value_label(record)}, Cell{result_label(record), result_tone(record)}});
  }
  std::array<std::size_t, 8> widths{};
  for (std::size_t column = 0; column < widths.size(); ++column) {
    widths[column] = display_width(headings[column]);
    for (const auto& row : rows) {
      widths[column] = std::max(widths[column], display_width(row[column].text));
    }
  }
  const auto pad = [](const std::string& text, std::size_t width) {
    return text + std::string(width - std::min(width, display_width(text)), ' ');
  };

  std::string out = fmt::format(
      "sessim: {} node(s) ({}), store={}{}, balancer={} at {}\n"
      "story: {}\n\n",
      result.cluster.nodes, result.cluster.mode, result.cluster.store,
      result.cluster.redis_url.empty()
          ? ""
          : fmt::format(" ({}{})", result.cluster.redis_url,
                        result.cluster.private_redis ? ", private" : ""),
      result.cluster.balancer, result.cluster.balancer_url, result.story);
  std::vector<std::string> padded_headings;
  for (std::size_t column = 0; column < headings.size(); ++column) {
    const bool last = column + 1 == headings.size();
    padded_headings.push_back(last ? headings[column] : pad(headings[column], widths[column]));
  }
  out += "  " + paint(fmt::format("{}", fmt::join(padded_headings, " ")), Tone::dim, style) + "\n";
  for (const auto& row : rows) {
    std::vector<std::string> cells;
    for (std::size_t column = 0; column < row.size(); ++column) {
      const bool last = column + 1 == row.size();
      cells.push_back(paint(last ? row[column].text : pad(row[column].text, widths[column]),
                            row[column].tone, style));
    }
    out += fmt::format("  {}\n", fmt::join(cells, " "));
  }
  out += "\n";
  const auto summary = summary_line(result);
  out += paint(summary, result.passed() ? Tone::good : Tone::bad, style) + "\n";
  if (!result.passed()) out += why_line(result) + "\n";
  return out;
}

}  // namespace sessim
