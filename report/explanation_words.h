#pragma once

#include <map>
#include <string>

#include "app/session_model.h"
#include "history/explain.h"
#include "history/finding.h"
#include "history/run_result.h"

// The words of every explanation, in one place: what the checker proved and
// why a read failed, as the terminal, HTML, JUnit, JSON and compare reports
// all print it. The engines return data (history/finding.h,
// history/explain.h); one fact has one wording here.
namespace sessim {

// One sentence with the requests' numbers, the nodes and the steps; ends
// with "cause unknown" where the finding names no cause.
std::string anomaly_sentence(const Finding& finding, const SessionModel& model);

// Why this one read failed.
std::string read_sentence(const ReadExplanation& explanation, const SessionModel& model);

// For every read of the run that failed, its sentence, keyed by request
// number.
std::map<int, std::string> failed_read_sentences(const ScenarioRun& run);

// One line that accounts for every failed read of the run, grouped by kind:
// "why: 4 reads failed: 1 reached a node that ...; 3 carried the cookie of
// an empty session ...". "" when no read failed.
std::string why_failed_reads(const ScenarioRun& run);

}  // namespace sessim
