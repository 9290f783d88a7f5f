#pragma once

#include <string>
#include <vector>

#include "history/run_result.h"

namespace sessim {

// JUnit XML as CI systems read it: one <testsuite> per scenario and store,
// one <testcase> per checked expectation, a <failure> saying what was
// expected and what came back. Under VerdictMode::declared, the failures of
// a run that was declared to fail are reported as <skipped>, and a run that
// passed against its declaration gets one failing "declared outcome" case.
// Each case's time is its request's duration; each suite's, its run's. A
// scenario file that could not be loaded is one <testcase> with an <error>,
// so that CI shows which file broke; what stopped the suite (exit 2 or 3) is
// a case with an <error>, and what it never played a <skipped> case each.
std::string render_junit_report(const std::vector<ScenarioRun>& runs, VerdictMode mode,
                                const SuiteEnd& end = {});

}  // namespace sessim
