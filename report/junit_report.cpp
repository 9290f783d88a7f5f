#include "report/junit_report.h"

#include <fmt/format.h>

#include <chrono>
#include <ctime>
#include <map>

#include "common/text.h"
#include "report/explanation_words.h"
#include "report/check_text.h"

namespace sessim {
namespace {

struct TestCase {
  std::string name;
  std::string failure;  // one line; empty: passed
  bool skipped = false;
  double seconds = 0;
  std::string detail;  // the failure's whole account: where, which request, why
  bool error = false;  // the system under test broke: an <error>, not a <failure>
};

// A test case per check, named by its step's label and what it checks,
// never by a step number: inserting a step does not rename the others.
// Names that would repeat (the same step written twice) get " [2]", " [3]".
std::vector<TestCase> test_cases(const ScenarioRun& run, VerdictMode mode) {
  // A run that is an error did nothing it declared: no failure of it is
  // an expected one.
  const bool expected_failure = mode == VerdictMode::declared && run.declared &&
                                *run.declared == DeclaredOutcome::fail &&
                                run.verdict() != Verdict::error;
  const auto explanations = failed_read_sentences(run);
  std::vector<TestCase> cases;
  std::map<std::string, int> uses;
  for (const auto& step : run.steps) {
    for (const auto& request : step.requests) {
      for (const auto& check : request.checks) {
        TestCase test;
        test.seconds = request.exchange.duration_ms / 1000;
        const auto name =
            fmt::format("{}: {}", check.subject.empty() ? step.label : check.subject, check.what);
        const int use = ++uses[name];
        test.name = use == 1 ? name : fmt::format("{} [{}]", name, use);
        if (!check.passed) {
          test.failure = failed_check_text(check);
          test.detail =
              fmt::format("{}\nat {} (step {}, {})\nrequest #{} {} {} served by {}", test.failure,
                          check.position.to_string(), step.number, step.position.to_string(),
                          request.number, request.exchange.method, request.exchange.target,
                          request.node.empty() ? "an unknown node" : request.node);
          if (const auto why = explanations.find(request.number);
              why != explanations.end() && is_read_check(check)) {
            test.detail += "\nwhy: " + why->second;
          }
          test.skipped = expected_failure;
        }
        cases.push_back(std::move(test));
      }
    }
  }
  for (const auto& check : run.thresholds) {
    TestCase test;
    test.name = fmt::format("{}: {}", check.subject, check.what);
    if (!check.passed) {
      test.failure = failed_check_text(check);
      test.detail = fmt::format("{}\nat {}", test.failure, check.position.to_string());
      test.skipped = expected_failure;
    }
    cases.push_back(std::move(test));
  }
  if (run.declared_anomalies) {
    TestCase anomalies;
    anomalies.name = "anomalies";
    if (!run.anomalies_as_declared()) {
      anomalies.failure = anomaly_summary(run);
      anomalies.skipped = expected_failure;
    }
    cases.push_back(std::move(anomalies));
  }
  if (run.verdict() == Verdict::error) {
    TestCase broke;
    broke.name = "system under test";
    broke.failure = run.error;
    broke.error = true;
    cases.push_back(std::move(broke));
  } else if (run.verdict() == Verdict::inconclusive) {
    cases.push_back({"overlap", "inconclusive: " + run.inconclusive_reason, false, 0, ""});
  } else if (run.verdict() == Verdict::unknown) {
    cases.push_back({"checks", "the scenario checked nothing, so it cannot pass", false, 0, ""});
  } else if (run.verdict() == Verdict::not_applicable) {
    cases.push_back({"applicable", "not applicable: " + run.not_applicable_reason, false, 0, ""});
  } else if (expected_failure && run.verdict() == Verdict::pass) {
    cases.push_back(
        {"declared outcome",
         fmt::format("declared to fail with store={} but every check passed", to_string(run.store)),
         false, 0, ""});
  }
  return cases;
}

// One <property> per anomaly kind found: anomalies.lost-session = 4.
std::string anomaly_properties(const ScenarioRun& run) {
  std::map<std::string, int> counts;
  for (const auto& anomaly : run.anomalies) ++counts[to_string(anomaly.kind)];
  std::string out;
  for (const auto& [kind, count] : counts) {
    out += fmt::format("      <property name=\"anomalies.{}\" value=\"{}\"/>\n", kind, count);
  }
  return out;
}

// One suite for the files that could not be loaded, a case with an <error> each.
std::string invalid_suite(const std::vector<InvalidScenario>& invalid) {
  std::string body;
  for (const auto& source : invalid) {
    body += fmt::format(
        "    <testcase classname=\"sessim.invalid\" name=\"{0}\" time=\"0.000\">\n"
        "      <error message=\"{1}\" type=\"invalid scenario\">{2}</error>\n    </testcase>\n",
        escape_markup(source.source),
        escape_markup(source.message.substr(0, source.message.find('\n'))),
        escape_markup(source.message));
  }
  return fmt::format(
      "  <testsuite name=\"invalid scenario files\" tests=\"{0}\" failures=\"0\" "
      "errors=\"{0}\" skipped=\"0\" time=\"0.000\">\n{1}  </testsuite>\n",
      invalid.size(), body);
}

// What stopped the suite, and what it never played.
std::string stop_suite(const SuiteEnd& end, int& tests, int& errors) {
  if (end.stopped_by.empty() && end.not_run.empty()) return "";
  std::string body;
  int skipped = 0, stopped = 0;
  if (!end.stopped_by.empty()) {
    ++stopped;
    const auto first_line = end.stopped_by.substr(0, end.stopped_by.find('\n'));
    body += fmt::format(
        "    <testcase classname=\"sessim.suite\" name=\"run\" time=\"0.000\">\n"
        "      <error message=\"{}\" type=\"{}\">{}</error>\n    </testcase>\n",
        escape_markup(first_line), escape_markup(end.stop_kind), escape_markup(end.stopped_by));
  }
  for (const auto& name : end.not_run) {
    ++skipped;
    body += fmt::format(
        "    <testcase classname=\"sessim.suite\" name=\"{}\" time=\"0.000\">\n"
        "      <skipped message=\"{}\"/>\n    </testcase>\n",
        escape_markup(name), escape_markup("not run: " + end.not_run_why));
  }
  tests += stopped + skipped;
  errors += stopped;
  return fmt::format(
      "  <testsuite name=\"sessim\" tests=\"{}\" failures=\"0\" errors=\"{}\" skipped=\"{}\" "
      "time=\"0.000\">\n{}  </testsuite>\n",
      stopped + skipped, stopped, skipped, body);
}

}  // namespace

std::string render_junit_report(const std::vector<ScenarioRun>& runs, VerdictMode mode,
                                const SuiteEnd& end) {
  const auto& invalid = end.invalid;
  std::string suites = invalid.empty() ? "" : invalid_suite(invalid);
  int total_tests = static_cast<int>(invalid.size()), total_failures = 0,
      total_errors = static_cast<int>(invalid.size());
  double total_seconds = 0;
  for (const auto& run : runs) {
    const auto cases = test_cases(run, mode);
    int failures = 0, skipped = 0, errors = 0;
    std::string body;
    const std::string classname =
        escape_markup(fmt::format("sessim.{}.{}", run.scenario, to_string(run.store)));
    for (const auto& test : cases) {
      body += fmt::format("    <testcase classname=\"{}\" name=\"{}\" time=\"{:.6f}\"", classname,
                          escape_markup(test.name), test.seconds);
      if (test.failure.empty()) {
        body += "/>\n";
      } else if (test.error) {
        ++errors;
        body += fmt::format(
            ">\n      <error message=\"{}\" type=\"system-under-test\">{}</error>\n    "
            "</testcase>\n",
            escape_markup(test.failure), escape_markup(test.failure));
      } else if (test.skipped) {
        ++skipped;
        body += fmt::format(">\n      <skipped message=\"{}\"/>\n    </testcase>\n",
                            escape_markup("expected failure (declared fail): " + test.failure));
      } else {
        ++failures;
        body += fmt::format(
            ">\n      <failure message=\"{}\" type=\"expectation\">{}</failure>\n    "
            "</testcase>\n",
            escape_markup(test.failure),
            escape_markup(test.detail.empty() ? test.failure : test.detail));
      }
    }
    const double seconds = run.duration_ms / 1000;
    suites += fmt::format(
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" "
        "time=\"{:.6f}\">\n    <properties>\n"
        "      <property name=\"source\" value=\"{}\"/>\n"
        "      <property name=\"store\" value=\"{}\"/>\n"
        "      <property name=\"seed\" value=\"{}\"/>\n"
        "      <property name=\"session_model\" value=\"{}\"/>\n{}    </properties>\n{}"
        "  </testsuite>\n",
        escape_markup(fmt::format("{} [{}]", run.scenario, run.variant())), cases.size(), failures,
        errors, skipped, seconds, escape_markup(run.source), to_string(run.store), run.seed,
        escape_markup(describe(run.model)), anomaly_properties(run), body);
    total_tests += static_cast<int>(cases.size());
    total_failures += failures;
    total_errors += errors;
    total_seconds += seconds;
  }
  suites += stop_suite(end, total_tests, total_errors);
  return fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<testsuites name=\"sessim\" tests=\"{}\" failures=\"{}\" errors=\"{}\" "
      "time=\"{:.6f}\">\n{}</testsuites>\n",
      total_tests, total_failures, total_errors, total_seconds, suites);
}

}  // namespace sessim
