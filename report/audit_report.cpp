#include "report/audit_report.h"

#include <fmt/format.h>

#include <map>
#include <nlohmann/json.hpp>

#include "common/text.h"
#include "history/history_jsonl.h"

namespace sessim {
namespace {

using nlohmann::json;

constexpr std::size_t kEvidenceShown = 4;  // on the terminal; reports carry all

Tone tone_of(Severity severity) {
  switch (severity) {
    case Severity::high:
      return Tone::bad;
    case Severity::medium:
      return Tone::warn;
    case Severity::low:
    case Severity::info:
      return Tone::dim;
  }
  return Tone::plain;
}

bool at_least(Severity severity, Severity fail_at) { return severity <= fail_at; }

std::string counts_line(const AuditReport& report) {
  std::map<Severity, int> counts;
  for (const auto& finding : report.findings) ++counts[finding.severity];
  std::string line;
  for (const auto severity : {Severity::high, Severity::medium, Severity::low, Severity::info}) {
    line += fmt::format("{}{} {}", line.empty() ? "" : ", ", counts[severity], to_string(severity));
  }
  return line;
}

}  // namespace

bool audit_fails(const AuditReport& report, Severity fail_at) {
  for (const auto& finding : report.findings) {
    if (at_least(finding.severity, fail_at)) return true;
  }
  return false;
}

std::string render_audit_terminal(const AuditReport& report, const TerminalStyle& style) {
  std::string out = fmt::format("sessim audit: {} at {}, {} requests\n", report.app, report.target,
                                report.requests);
  out += fmt::format("session model: {}\n\n", describe(report.model));
  for (const auto& finding : report.findings) {
    std::string severity(to_string(finding.severity));
    for (auto& c : severity) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    out += fmt::format("  {} {}: {}\n", paint(fmt::format("{:<6}", severity),
                                                tone_of(finding.severity), style),
                       finding.id, finding.title);
    out += fmt::format("         {}\n", finding.detail);
    for (std::size_t i = 0; i < finding.evidence.size() && i < kEvidenceShown; ++i) {
      out += paint(fmt::format("         | {}\n", finding.evidence[i]), Tone::dim, style);
    }
    if (finding.evidence.size() > kEvidenceShown) {
      out += paint(fmt::format("         | ... {} more in --json\n",
                               finding.evidence.size() - kEvidenceShown),
                   Tone::dim, style);
    }
  }
  if (report.findings.empty()) out += "  no findings\n";
  for (const auto& skipped : report.skipped) out += fmt::format("\n  not checked: {}", skipped);
  if (!report.skipped.empty()) out += "\n";
  out += fmt::format("\nfindings: {}\n", counts_line(report));
  return out;
}

std::string render_audit_json(const AuditReport& report, Severity fail_at) {
  json findings = json::array();
  json counts = json::object();
  for (const auto& finding : report.findings) {
    const std::string severity(to_string(finding.severity));
    findings.push_back({{"id", finding.id},
                        {"severity", severity},
                        {"title", finding.title},
                        {"detail", finding.detail},
                        {"evidence", finding.evidence}});
    counts[severity] = counts.value(severity, 0) + 1;
  }
  const json out{{"schema_version", 1},
                 {"app", report.app},
                 {"target", report.target},
                 {"requests", report.requests},
                 {"session_model", session_model_json(report.model)},
                 {"findings", std::move(findings)},
                 {"counts", std::move(counts)},
                 {"skipped", report.skipped},
                 {"fail_at", std::string(to_string(fail_at))},
                 {"failed", audit_fails(report, fail_at)}};
  return out.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

std::string render_audit_junit(const AuditReport& report, Severity fail_at) {
  int failures = 0;
  std::string cases;
  for (const auto& finding : report.findings) {
    cases += fmt::format("    <testcase classname=\"sessim.audit\" name=\"{}\">\n",
                         escape_markup(finding.id));
    const auto body = escape_markup(finding.detail + "\n" + join(finding.evidence, "\n"));
    if (at_least(finding.severity, fail_at)) {
      ++failures;
      cases += fmt::format("      <failure message=\"{}: {}\" type=\"{}\">{}</failure>\n",
                           to_string(finding.severity), escape_markup(finding.title),
                           to_string(finding.severity), body);
    } else {
      cases += fmt::format("      <system-out>{}: {}\n{}</system-out>\n",
                           to_string(finding.severity), escape_markup(finding.title), body);
    }
    cases += "    </testcase>\n";
  }
  if (report.findings.empty()) {
    cases += "    <testcase classname=\"sessim.audit\" name=\"no-findings\"/>\n";
  }
  return fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<testsuites name=\"sessim audit\" tests=\"{0}\" failures=\"{1}\">\n"
      "  <testsuite name=\"audit {2}\" tests=\"{0}\" failures=\"{1}\" errors=\"0\">\n{3}"
      "  </testsuite>\n</testsuites>\n",
      std::max<std::size_t>(1, report.findings.size()), failures, escape_markup(report.app),
      cases);
}

std::string render_audit_html(const AuditReport& report) {
  std::string rows;
  for (const auto& finding : report.findings) {
    std::string evidence;
    for (const auto& line : finding.evidence) evidence += escape_markup(line) + "\n";
    rows += fmt::format(
        "<tr class=\"{0}\"><td>{0}</td><td><b>{1}</b><br>{2}<p>{3}</p><pre>{4}</pre></td></tr>\n",
        to_string(finding.severity), escape_markup(finding.id), escape_markup(finding.title),
        escape_markup(finding.detail), evidence);
  }
  return fmt::format(
      "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<title>sessim audit: {0}</title>\n<style>\n"
      "body {{ font-family: system-ui, sans-serif; margin: 2em; max-width: 70em; }}\n"
      "td {{ vertical-align: top; padding: .5em; border-bottom: 1px solid #ddd; }}\n"
      "tr.high td:first-child {{ color: #b00020; font-weight: bold; }}\n"
      "tr.medium td:first-child {{ color: #a15c00; font-weight: bold; }}\n"
      "pre {{ background: #f6f6f6; padding: .5em; white-space: pre-wrap; }}\n"
      "</style></head><body>\n<h1>sessim audit: {0}</h1>\n<p>{1}, {2} requests</p>\n"
      "<p>Session model: {3}</p>\n<p>Findings: {4}</p>\n<table>\n{5}</table>\n</body></html>\n",
      escape_markup(report.app), escape_markup(report.target), report.requests,
      escape_markup(describe(report.model)), escape_markup(counts_line(report)), rows);
}

}  // namespace sessim
