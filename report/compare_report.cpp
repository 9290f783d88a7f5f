#include "report/compare_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "common/text.h"
#include "report/explanation_words.h"
#include "report/json_report.h"
#include "report/style.h"

namespace sessim {
namespace {

std::string cell_text(const CompareCell& cell) {
  if (cell.verdict == Verdict::not_applicable) return "n/a";
  return fmt::format("{}/{} {}", cell.reads_ok, cell.reads_total, to_string(cell.verdict));
}

Tone cell_tone(const CompareCell* cell) {
  if (!cell || cell->verdict == Verdict::not_applicable) return Tone::dim;
  return cell->verdict == Verdict::pass ? Tone::good : Tone::bad;
}

std::string cell_mark(const CompareCell& cell) {
  if (cell.verdict == Verdict::not_applicable) return "";
  return cell.verdict == Verdict::pass ? " ✅" : " ❌";
}

std::string trim_end(std::string text) {
  while (!text.empty() && text.back() == ' ') text.pop_back();
  return text;
}

std::string pad(const std::string& text, std::size_t width) {
  return text + std::string(width - std::min(width, display_width(text)), ' ');
}

// "2 node(s), inproc, on-miss create": the on-miss policy is sessim's
// nodes' own; another app does what it does, whatever the flag says.
std::string cluster_words(const CompareSummary& summary) {
  auto words = fmt::format("{} node(s), {}", summary.nodes, summary.mode);
  if (summary.sessim_nodes) words += fmt::format(", on-miss {}", summary.on_miss);
  return words;
}

// The cell's first failed read's explanation, or why it was not
// applicable; "" if neither.
std::string why_of(const CompareCell& cell) {
  if (!cell.not_applicable_reason.empty()) return cell.not_applicable_reason;
  if (cell.first_failed_read) return read_sentence(*cell.first_failed_read, cell.model);
  return "";
}

}  // namespace

std::vector<CompareSummary::Row> CompareSummary::rows() const {
  std::vector<Row> all;
  for (const auto store : stores) {
    for (const auto balancer : balancers) {
      for (const auto front : fronts) all.push_back({store, balancer, front});
    }
  }
  return all;
}

std::string CompareSummary::row_label(const Row& row) const {
  if (fronts.size() < 2) return to_string(row.balancer);
  return fmt::format("{} in {}", to_string(row.balancer), to_string(row.front));
}

const CompareCell* CompareSummary::find_cell(const Row& row, CompareFault fault) const {
  for (const auto& cell : cells) {
    if (cell.store == row.store && cell.balancer == row.balancer && cell.front == row.front &&
        cell.fault == fault) {
      return &cell;
    }
  }
  return nullptr;
}

std::string render_compare_matrix(const CompareSummary& summary, const TerminalStyle& style) {
  std::string out = fmt::format("compare {}: reads that returned what was written ({})\n",
                                summary.scenario, cluster_words(summary));
  if (!summary.lesson.empty()) out += fmt::format("lesson: {}\n", summary.lesson);
  out += "\n";
  std::size_t balancer_width = 8, cell_width = 12;
  for (const auto& row : summary.rows())
    balancer_width = std::max(balancer_width, summary.row_label(row).size());
  for (const auto fault : summary.faults)
    cell_width = std::max(cell_width, to_string(fault).size() + 2);
  std::string heading = pad("store", 6) + " " + pad("balancer", balancer_width);
  for (const auto fault : summary.faults) heading += "  " + pad(to_string(fault), cell_width);
  out += paint(trim_end(heading), Tone::dim, style) + "\n";
  for (const auto& row : summary.rows()) {
    std::string line =
        pad(to_string(row.store), 6) + " " + pad(summary.row_label(row), balancer_width);
    for (const auto& fault : summary.faults) {
      const auto* cell = summary.find_cell(row, fault);
      const auto text = cell ? cell_text(*cell) : "-";
      const bool last = &fault == &summary.faults.back();
      line += "  " + paint(last ? text : pad(text, cell_width), cell_tone(cell), style);
    }
    out += line + "\n";
  }
  std::vector<const CompareCell*> not_applicable;
  for (const auto& cell : summary.cells) {
    if (cell.verdict == Verdict::not_applicable) not_applicable.push_back(&cell);
  }
  if (!not_applicable.empty()) {
    out += fmt::format("\nn/a: {}\n", not_applicable.front()->not_applicable_reason);
  }
  if (style.explain) {
    out += "\n";
    for (const auto& cell : summary.cells) {
      const auto why = why_of(cell);
      if (why.empty() || cell.verdict == Verdict::not_applicable) continue;
      out += fmt::format("{} + {} + {}: {}\n", to_string(cell.store),
                         summary.row_label({cell.store, cell.balancer, cell.front}),
                         to_string(cell.fault), why);
    }
  }
  return out;
}

std::string render_compare_json(const CompareSummary& summary) {
  nlohmann::json cells = nlohmann::json::array();
  for (const auto& cell : summary.cells) {
    nlohmann::json entry{{"store", to_string(cell.store)},
                         {"balancer", to_string(cell.balancer)},
                         {"front", to_string(cell.front)},
                         {"fault", to_string(cell.fault)},
                         {"reads_ok", cell.reads_ok},
                         {"reads_total", cell.reads_total},
                         {"read_success_rate", cell.read_success_rate()},
                         {"verdict", to_string(cell.verdict)}};
    if (const auto why = why_of(cell); !why.empty()) entry["why"] = why;
    cells.push_back(std::move(entry));
  }
  const nlohmann::json document{{"schema_version", kReportSchemaVersion},
                                {"command", "compare"},
                                {"scenario", summary.scenario},
                                {"seed", summary.seed},
                                {"seeded_session_ids", summary.seeded_session_ids},
                                {"nodes", summary.nodes},
                                {"mode", summary.mode},
                                {"on_miss", summary.on_miss},
                                {"cells", std::move(cells)}};
  return document.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::string render_compare_markdown(const CompareSummary& summary) {
  std::string out =
      fmt::format("### {}: reads that returned what was written\n\n", summary.scenario);
  if (!summary.lesson.empty()) out += fmt::format("{}\n\n", summary.lesson);
  out += "| store | balancer |";
  std::string rule = "|---|---|";
  for (const auto& fault : summary.faults) {
    out += fmt::format(" {} |", to_string(fault));
    rule += "---|";
  }
  out += "\n" + rule + "\n";
  for (const auto& row : summary.rows()) {
    out += fmt::format("| {} | {} |", to_string(row.store), summary.row_label(row));
    for (const auto& fault : summary.faults) {
      const auto* cell = summary.find_cell(row, fault);
      out += fmt::format(" {} |", cell ? cell_text(*cell) + cell_mark(*cell) : "-");
    }
    out += "\n";
  }
  out += fmt::format("\n{}. Generated by `sessim compare`.\n", cluster_words(summary));
  return out;
}

}  // namespace sessim
