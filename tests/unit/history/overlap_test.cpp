// When raced writes are shown to have overlapped at the app, and the reason
// a run is inconclusive when they are not.
#include "history/overlap.h"

#include <gtest/gtest.h>

namespace sessim {
namespace {

RequestRecord raced(int number, StepKind action, int status, std::string sent = "s1",
                    std::string set = "") {
  RequestRecord record;
  record.number = number;
  record.action = action;
  record.exchange.status = status;
  record.race = 1;
  record.released_together = true;
  record.session_id_sent = std::move(sent);
  record.session_id_set = std::move(set);
  return record;
}

ScenarioRun run_of(std::vector<RequestRecord> requests) {
  ScenarioRun run;
  for (auto& request : requests) {
    StepRecord step;
    step.requests.push_back(std::move(request));
    run.steps.push_back(std::move(step));
  }
  return run;
}

TEST(Overlap, WritesReleasedTogetherWithNothingToShowForItAreInconclusive) {
  auto run = run_of({raced(1, StepKind::set, 200), raced(2, StepKind::set, 200)});
  const auto why = unshown_overlap(run);
  EXPECT_NE(why.find("1 parallel step released its 2 writes together"), std::string::npos) << why;
  run.inconclusive_reason = why;
  run.steps[0].requests[0].checks.push_back({"value", "a", "a", true, {}});
  EXPECT_EQ(run.verdict(), Verdict::inconclusive);
  EXPECT_FALSE(counts_as_success(run, VerdictMode::declared));
}

TEST(Overlap, ALostUpdateAmongThemShowsIt) {
  auto run = run_of({raced(1, StepKind::set, 200), raced(2, StepKind::set, 200)});
  Finding lost;
  lost.kind = AnomalyKind::lost_update;
  lost.requests = {1, 3};
  run.anomalies.push_back(lost);
  EXPECT_EQ(unshown_overlap(run), "");
}

TEST(Overlap, TwoWritesOfACookieSessionFromOneCookieShowIt) {
  auto run = run_of({raced(1, StepKind::set, 200, "c0", "c1"), raced(2, StepKind::set, 200, "c0", "c2")});
  EXPECT_NE(unshown_overlap(run), "");
  run.model.home = SessionHome::cookie;
  EXPECT_EQ(unshown_overlap(run), "");
}

TEST(Overlap, AWriteTheAppRefusedWhileTheOtherWentThroughShowsIt) {
  auto run = run_of({raced(1, StepKind::set, 400), raced(2, StepKind::logout, 200)});
  EXPECT_EQ(unshown_overlap(run), "");
  auto both_failed = run_of({raced(1, StepKind::set, 400), raced(2, StepKind::logout, 400)});
  EXPECT_NE(unshown_overlap(both_failed), "");
}

TEST(Overlap, SessimsNodeHoldingEveryWriteShowsIt) {
  auto first = raced(1, StepKind::set, 200);
  auto second = raced(2, StepKind::set, 200);
  first.held_by_node = second.held_by_node = true;
  EXPECT_EQ(unshown_overlap(run_of({first, second})), "");
  second.released_together = false;
  EXPECT_NE(unshown_overlap(run_of({first, second})), "");
}

TEST(Overlap, ARunThatRacedNoWritesNeedsNoOverlap) {
  auto reads = run_of({raced(1, StepKind::get, 200), raced(2, StepKind::get, 200)});
  EXPECT_EQ(unshown_overlap(reads), "");
}

}  // namespace
}  // namespace sessim
