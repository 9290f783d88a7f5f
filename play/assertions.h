#pragma once

#include <vector>

#include "app/app_profile.h"
#include "history/run_result.h"
#include "scenario/scenario.h"

// Judges what a step expects against what its response was: each key of
// `expect:` becomes one Check or more, with what was expected, what came,
// and where in the file it was asked, in the order the file wrote them.
namespace sessim {

std::vector<Check> evaluate(const Expectation& expectation, const RequestRecord& record,
                            const AppProfile& profile);

// A repeat's `latency:` limits over the durations of every request it made.
std::vector<Check> evaluate_latency(const std::vector<LatencyLimit>& limits,
                                    std::vector<double> durations_ms);

// A story's thresholds over the requests of a finished run (each try of a
// retried step counts once, its last), as checks with their positions.
// Error rate: requests with no response, not sent, or 5xx.
std::vector<Check> judge_thresholds(const std::vector<Threshold>& thresholds,
                                    const std::vector<StepRecord>& steps);

// The duration below which `percentile` percent of `sorted_ms` fall (nearest
// rank); the largest for 100. 0 for none.
double percentile_ms(const std::vector<double>& sorted_ms, int percentile);

}  // namespace sessim
