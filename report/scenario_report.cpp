#include "report/scenario_report.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "common/text.h"
#include "report/explanation_words.h"
#include "report/check_text.h"
#include "report/style.h"

namespace sessim {
namespace {

std::string declared_note(const ScenarioRun& run) {
  if (run.verdict() == Verdict::error) return "not judged: the system under test broke";
  if (run.verdict() == Verdict::inconclusive) return "not judged: the race did not show";
  if (!run.declared && !run.undeclared_why.empty()) {
    return "no outcome declared for this cell (" + run.undeclared_why + ")";
  }
  if (!run.declared) return "-";
  const auto declared = *run.declared == DeclaredOutcome::pass ? "pass" : "fail";
  return run.as_declared() ? fmt::format("as declared ({})", declared)
                           : fmt::format("unexpected: declared {}", declared);
}

std::string request_line(const RequestRecord& record) {
  const auto& exchange = record.exchange;
  std::string status = exchange.status == 0 ? "no response" : std::to_string(exchange.status);
  std::string body = exchange.body;
  if (!body.empty() && body.back() == '\n') body.pop_back();
  std::string cookie = record.session_id_sent.empty() ? "-" : abbreviate(record.session_id_sent, 8);
  if (!record.session_id_set.empty() && record.session_id_set != record.session_id_sent) {
    cookie += " -> " + abbreviate(record.session_id_set, 8);
  }
  return fmt::format(
      "#{:<3} {} {}  node={}  session={}  cookie={}  {} {}", record.number, exchange.method,
      exchange.target, record.node.empty() ? "unknown" : record.node,
      record.session == SessionEffect::unknown ? "?" : to_string(record.session), cookie, status,
      body.empty() ? "(empty)" : fmt::format("\"{}\"", printable(body, 32)));
}

// Session words the story expected: each one not judged, and with `all`
// every settled one (a failed one as a failed check) with what it rests on.
std::vector<std::string> session_judgements(const ScenarioRun& run, bool all) {
  std::vector<std::string> lines;
  for (const auto& step : run.steps) {
    for (const auto& request : step.requests) {
      if (!request.session_not_judged.empty()) {
        lines.push_back(fmt::format("#{} {}", request.number, request.session_not_judged));
        continue;
      }
      if (!all || !request.expected_session || request.session_reported) continue;
      for (const auto& check : request.checks) {
        if (check.what != "session") continue;
        lines.push_back(fmt::format(
            "{}#{} session {}{}: {}  {}", check.passed ? "" : "FAILED ", request.number,
            check.actual, check.passed ? "" : fmt::format(" (expected {})", check.expected),
            request.session_basis, check.position.to_string()));
      }
    }
  }
  return lines;
}

}  // namespace

std::string render_scenario_header(const ScenarioRun& run, const TerminalStyle& style) {
  std::string out = fmt::format(
      "{}\n",
      paint(fmt::format("scenario {} [{}]", run.scenario, run.variant()), Tone::bold, style));
  if (!run.lesson.empty()) out += fmt::format("  lesson: {}\n", run.lesson);
  out += fmt::format("  cluster: {}\n", run.cluster.describe());
  return out;
}

std::string render_scenario_step(const StepRecord& step, const TerminalStyle& style,
                                 const std::map<int, std::string>& explanations) {
  std::string out = fmt::format(
      "  {} {}", paint(fmt::format("step {:>2}", step.number), Tone::dim, style), step.label);
  if (!step.note.empty()) out += fmt::format(": {}", paint(step.note, Tone::warn, style));
  out += fmt::format("  {}\n", paint(step.position.to_string(), Tone::dim, style));
  for (const auto& request : step.requests) {
    const auto tone = request.result == RequestResult::ok ? Tone::plain : Tone::bad;
    out += fmt::format("      {}\n", paint(request_line(request), tone, style));
    for (const auto& before : request.before) {
      out +=
          fmt::format("        first: {} {} -> {}\n", before.method, before.target,
                      before.status == 0 ? before.transport_error : std::to_string(before.status));
    }
    if (request.result == RequestResult::retried) {
      out += fmt::format("        try {} of {} failed ({}): tried again\n", request.attempt,
                         request.attempts_allowed, request.retry_reason);
    } else if (request.attempt > 1) {
      out += fmt::format("        try {} of {}\n", request.attempt, request.attempts_allowed);
    }
    if (!request.captured.empty()) {
      out += fmt::format("        captured: {}\n", fmt::join(request.captured, ", "));
    }
    std::vector<std::string> passed;
    for (const auto& check : request.checks) {
      if (check.passed) passed.push_back(passed_check_text(check));
    }
    if (!passed.empty()) {
      out +=
          fmt::format("        {} {}\n", paint("ok:", Tone::good, style), fmt::join(passed, ", "));
    }
    for (const auto& check : request.checks) {
      if (check.passed) continue;
      out += fmt::format("        {}  {}\n",
                         paint("FAILED " + failed_check_text(check), Tone::bad, style),
                         paint(check.position.to_string(), Tone::dim, style));
    }
    if (const auto it = explanations.find(request.number); it != explanations.end()) {
      out += fmt::format("        why: {}\n", it->second);
    }
  }
  return out;
}

std::string render_scenario_footer(const ScenarioRun& run, const TerminalStyle& style,
                                   bool sentences_shown) {
  std::string out;
  if (style.explain && !sentences_shown) {
    // Streamed steps could not know yet; the sentences come with the verdict.
    for (const auto& [number, sentence] : failed_read_sentences(run)) {
      out += fmt::format("  why #{}: {}\n", number, sentence);
    }
  }
  if (sentences_shown) {
    for (const auto& line : session_judgements(run, false)) out += fmt::format("  {}\n", line);
  } else {
    // Streamed lines showed "?" for words the run's evidence settles at its end.
    for (const auto& line : session_judgements(run, true)) {
      out += fmt::format(
          "  {}\n", paint(line, line.rfind("FAILED", 0) == 0 ? Tone::bad : Tone::plain, style));
    }
  }
  if (run.stopped_early) out += "  (stopped after the first failed check: --fail-fast)\n";
  const auto verdict = run.verdict();
  const auto verdict_tone = verdict == Verdict::pass ? Tone::good : Tone::bad;
  if (const auto why = why_failed_reads(run); !why.empty() && !style.explain) {
    out += fmt::format("  {} (--explain: one sentence per read)\n", why);
  }
  for (const auto& check : run.thresholds) {
    out += fmt::format("  {}  {}\n",
                       check.passed ? paint(fmt::format("threshold ok: {} {} ({})", check.what,
                                                        check.expected, check.actual),
                                            Tone::good, style)
                                    : paint(fmt::format("threshold FAILED: {}: expected {}, got {}",
                                                        check.what, check.expected, check.actual),
                                            Tone::bad, style),
                       paint(check.position.to_string(), Tone::dim, style));
  }
  const auto declared = declared_note(run);
  out += fmt::format("  verdict: {} ({} of {} checks failed){}\n",
                     paint(to_string(verdict), verdict_tone, style), run.checks_failed(),
                     run.checks_total(), declared == "-" ? "" : ", " + declared);
  if (const auto idle = run.idle_nodes_note(); !idle.empty()) {
    out +=
        fmt::format("  {}\n", paint(idle, run.missed_a_down_node() ? Tone::bad : Tone::dim, style));
  }
  out += fmt::format("  session model: {}\n", describe(run.model));
  if (const auto writes = run.write_latency_note(); !writes.empty()) {
    out += fmt::format("  {}\n", writes);
  }
  if (const auto bodies = run.bodies_note(); !bodies.empty()) {
    out += fmt::format("  {}\n", paint(bodies, Tone::dim, style));
  }
  if (!run.anomalies.empty() || run.declared_anomalies) {
    out += fmt::format(
        "  {}\n",
        paint(anomaly_summary(run), run.anomalies_as_declared() ? Tone::plain : Tone::bad, style));
    for (const auto& anomaly : run.anomalies) {
      out += fmt::format("    {}: {}\n", to_string(anomaly.kind), anomaly_sentence(anomaly, run.model));
    }
  }
  if (verdict == Verdict::unknown)
    out += "  (a scenario that checks nothing never counts as a pass)\n";
  if (verdict == Verdict::not_applicable)
    out += fmt::format("  (not applicable: {})\n", run.not_applicable_reason);
  if (verdict == Verdict::inconclusive) {
    out +=
        fmt::format("  {}\n", paint("inconclusive: " + run.inconclusive_reason, Tone::warn, style));
  }
  if (verdict == Verdict::error) {
    out += fmt::format("  {}\n", paint("error: " + run.error, Tone::bad, style));
  }
  out += fmt::format("  rerun: sessim run {} --store {} --seed {}{}\n\n",
                     run.source.rfind("builtin:", 0) == 0 ? run.source.substr(8) : run.source,
                     to_string(run.store), run.seed, run.rerun_flags);
  return out;
}

std::string render_scenario_run(const ScenarioRun& run, const TerminalStyle& style) {
  const auto explanations =
      style.explain ? failed_read_sentences(run) : std::map<int, std::string>{};
  std::string out = render_scenario_header(run, style);
  for (const auto& step : run.steps) out += render_scenario_step(step, style, explanations);
  return out + render_scenario_footer(run, style, true);
}

std::string seed_line(std::uint64_t seed, bool seeded_session_ids, bool sessim_nodes) {
  if (!sessim_nodes) {
    // The app draws its own session ids, and its timing is its own.
    return fmt::format(
        "seed {}: --seed {} repeats the balancer's random choices and the order of parallel "
        "steps; the app's session ids and timing are its own\n",
        seed, seed);
  }
  if (seeded_session_ids)
    return fmt::format("seed {}: a rerun with --seed {} repeats it\n", seed, seed);
  return fmt::format(
      "seed {}: rerun with --seed {} (a seeded run also derives session ids from the seed, so "
      "that its reruns repeat it exactly)\n",
      seed, seed);
}

std::string render_verdict_line(const ScenarioRun& run, VerdictMode mode, std::size_t index,
                                std::size_t total, const TerminalStyle& style) {
  const auto declared = declared_note(run);
  const auto line =
      fmt::format("[{}/{}] {} [{}]: {}, {}/{} checks, {}{}", index, total, run.scenario,
                  run.variant(), to_string(run.verdict()), run.checks_total() - run.checks_failed(),
                  run.checks_total(), declared == "-" ? "" : declared + ", ",
                  run.duration_ms < 1000 ? fmt::format("{:.1f} ms", run.duration_ms)
                                         : fmt::format("{:.2f} s", run.duration_ms / 1000));
  return paint(line, counts_as_success(run, mode) ? Tone::good : Tone::bad, style) + "\n";
}

std::string render_suite_summary(const std::vector<ScenarioRun>& runs, VerdictMode mode,
                                 const TerminalStyle& style) {
  std::size_t width = 8;
  for (const auto& run : runs) width = std::max(width, display_width(run.scenario));
  std::string out = paint(fmt::format("{:<{}}  {:<6} {:<8} {:<7} {}\n", "scenario", width, "store",
                                      "verdict", "checks", "declared"),
                          Tone::dim, style);
  for (const auto& run : runs) {
    const bool success = counts_as_success(run, mode);
    const auto line = fmt::format(
        "{:<{}}  {:<6} {:<8} {:<7} {}", run.scenario, width, to_string(run.store),
        to_string(run.verdict()),
        fmt::format("{}/{}", run.checks_total() - run.checks_failed(), run.checks_total()),
        declared_note(run));
    out += paint(line, success ? Tone::good : Tone::bad, style) + "\n";
  }
  // Said once, not on every line that lacks a declaration.
  if (std::any_of(runs.begin(), runs.end(), [](const ScenarioRun& run) {
        return !run.declared && run.undeclared_why.empty() && run.verdict() != Verdict::error &&
               run.verdict() != Verdict::inconclusive;
      })) {
    out += paint("(declared -: the file declares no outcome for that store)\n", Tone::dim, style);
  }
  return out + render_suite_count(runs, mode);
}

std::string render_suite_count(const std::vector<ScenarioRun>& runs, VerdictMode mode) {
  const auto succeeded = std::count_if(
      runs.begin(), runs.end(), [mode](const auto& run) { return counts_as_success(run, mode); });
  return fmt::format("{} of {} runs succeeded (--verdict {})\n", succeeded, runs.size(),
                     mode == VerdictMode::actual    ? "actual"
                     : mode == VerdictMode::lenient ? "lenient"
                                                    : "declared");
}

}  // namespace sessim
