// Each analyzer alone, on a hand-written history: the read it is given shows
// its kind of anomaly, with the evidence in its roles, or it does not and
// says nothing (another analyzer's case).
#include "history/analyzers.h"

#include <gtest/gtest.h>

#include "support/history_builder.h"

namespace sessim {
namespace {

using testing::HistoryBuilder;

constexpr auto kept = SessionEffect::kept;
constexpr auto created = SessionEffect::created;

using Find = std::optional<Finding> (*)(const ReadCase&, const Lineages&);

// The analyzer's answer for the history's last operation, a read the
// history does not allow.
std::optional<Finding> analyze(const HistoryBuilder& built, Find find) {
  const auto& history = built.history();
  const Lineages lineages(history);
  const auto read = read_case_of(history.operations.back(), lineages);
  EXPECT_TRUE(read);
  if (!read) return std::nullopt;
  EXPECT_FALSE(read->read_acceptable());
  return find(*read, lineages);
}

SessionModel per_instance() {
  SessionModel model;
  model.learned_by = "probed";
  model.home = SessionHome::server;
  model.sharing = SessionSharing::per_instance;
  model.in_node_memory = true;
  return model;
}

// A cart written while theme and language were written over the same
// session; the cart is gone.
HistoryBuilder overlapped_save() {
  HistoryBuilder history;
  history.op("a", "set", "theme", "light", 0, 10, "", "S", created)
      .op("a", "set", "cart", "book", 20, 120, "S", "S", kept)
      .op("a", "set", "theme", "dark", 21, 125, "S", "S", kept)
      .op("a", "get", "cart", std::nullopt, 130, 140, "S", "S", kept);
  return history;
}

// The cart written twice in a row; the first value comes back.
HistoryBuilder replaced_value_read() {
  HistoryBuilder history;
  history.op("a", "set", "cart", "1", 0, 10, "", "S", created)
      .op("a", "set", "cart", "2", 20, 30, "S", "S", kept)
      .op("a", "get", "cart", "1", 40, 50, "S", "S", kept);
  return history;
}

// The client's own write, then its read of a value it never wrote.
HistoryBuilder own_write_missed() {
  HistoryBuilder history;
  history.op("a", "set", "cart", "1", 0, 10, "", "S", created)
      .op("a", "set", "cart", "3", 40, 50, "S", "S", kept)
      .op("a", "get", "cart", "2", 60, 70, "S", "S", kept);
  return history;
}

TEST(Analyzers, LostUpdateNamesTheWritesSavedOverTheMissingOne) {
  const auto found = analyze(overlapped_save(), find_lost_update);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->kind, AnomalyKind::lost_update);
  EXPECT_EQ(found->cause, AnomalyCause::concurrent_write);
  EXPECT_EQ(found->write.request, 2);
  ASSERT_EQ(found->concurrent.size(), 1u);
  EXPECT_EQ(found->concurrent[0].attribute, "theme");
  EXPECT_EQ(found->requests, (std::vector<int>{2, 3, 4}));
  // Without an overlapping write the same miss is no lost update.
  EXPECT_FALSE(analyze(replaced_value_read(), find_lost_update));
}

TEST(Analyzers, StaleReadNamesTheReplacedWriteWhoseValueCameBack) {
  const auto found = analyze(replaced_value_read(), find_stale_read);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->kind, AnomalyKind::stale_read);
  ASSERT_TRUE(found->older);
  EXPECT_EQ(found->older->request, 1);
  EXPECT_EQ(found->write.request, 2);
  EXPECT_EQ(found->read.value, "1");
  // A save erased by a concurrent one is a lost update, not a stale read.
  EXPECT_FALSE(analyze(overlapped_save(), find_stale_read));
  // The client's own write read back wrong, with no older value of its own
  // in it, is read-your-writes.
  EXPECT_FALSE(analyze(own_write_missed(), find_stale_read));
}

TEST(Analyzers, ReadYourWritesIsTheClientsOwnWriteReadBackWrong) {
  const auto found = analyze(own_write_missed(), find_read_your_writes);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->kind, AnomalyKind::read_your_writes);
  EXPECT_EQ(found->write.request, 2);
  EXPECT_EQ(found->read.value, "2");
  EXPECT_FALSE(analyze(replaced_value_read(), find_read_your_writes));
}

TEST(Analyzers, EarlyExpiryIsALossWhoseOnlyExplanationIsAShortIdleTime) {
  HistoryBuilder idle("redis", 10);
  idle.op("a", "set", "cart", "1", 0, 10, "", "S", created)
      .op("a", "get", "cart", std::nullopt, 3010, 3020, "S", "S", SessionEffect::missed);
  const auto found = analyze(idle, find_early_expiry);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->kind, AnomalyKind::early_expiry);
  EXPECT_EQ(found->idle_us, 3'000'000);
  EXPECT_EQ(found->timeout_s, 10);
  // A crash in between explains the loss: no early expiry.
  HistoryBuilder crashed("redis", 10);
  crashed.op("a", "set", "cart", "1", 0, 10, "", "S", created)
      .event("crash", 1000)
      .op("a", "get", "cart", std::nullopt, 3010, 3020, "S", "S", SessionEffect::missed);
  EXPECT_FALSE(analyze(crashed, find_early_expiry));
}

TEST(Analyzers, LostSessionNamesTheCauseTheHistoryEstablishes) {
  HistoryBuilder crashed;
  crashed.model(per_instance())
      .op("a", "set", "cart", "1", 0, 10, "", "S", created)
      .event("crash", 15)
      .op("a", "get", "cart", std::nullopt, 20, 30, "S", "T", SessionEffect::replaced);
  auto found = analyze(crashed, find_lost_session);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->cause, AnomalyCause::node_fault);
  ASSERT_TRUE(found->fault);
  EXPECT_EQ(found->fault->what, EventKind::crash);
  EXPECT_EQ(found->observed, SessionEffect::replaced);

  HistoryBuilder emptied;
  emptied.op("a", "set", "cart", "1", 0, 10, "", "S", created)
      .redis(15, 2, true, false)
      .op("a", "get", "cart", std::nullopt, 20, 30, "S", "S", SessionEffect::missed);
  found = analyze(emptied, find_lost_session);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->cause, AnomalyCause::store_restart);
  EXPECT_EQ(found->fault->step, 2);

  HistoryBuilder elsewhere;
  elsewhere.model(per_instance())
      .op("a", "set", "cart", "1", 0, 10, "", "S", created, "node-1")
      .op("a", "get", "cart", std::nullopt, 20, 30, "S", "T", SessionEffect::replaced, "node-2");
  found = analyze(elsewhere, find_lost_session);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->cause, AnomalyCause::never_seen);

  HistoryBuilder deleted;
  deleted.op("a", "set", "cart", "1", 0, 10, "", "S", created)
      .op("a", "set", "theme", "x", 20, 30, "S", "", SessionEffect::cleared)
      .op("a", "get", "cart", std::nullopt, 40, 50, "", "", SessionEffect::none);
  found = analyze(deleted, find_lost_session);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->cause, AnomalyCause::cookie_deleted);
  ASSERT_TRUE(found->earlier);
  EXPECT_EQ(found->earlier->request, 2);

  // Nothing in the history explains it, and the model says nothing: unknown.
  HistoryBuilder unexplained;
  unexplained.op("a", "set", "cart", "1", 0, 10, "", "S", created)
      .op("a", "get", "cart", std::nullopt, 20, 30, "S", "S", kept);
  found = analyze(unexplained, find_lost_session);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->cause, AnomalyCause::unknown);
  EXPECT_FALSE(found->fault);
  // A value that came back is no lost session.
  EXPECT_FALSE(analyze(replaced_value_read(), find_lost_session));
}

TEST(Analyzers, ResurrectedSessionIsAValueFromBeforeACompletedLogout) {
  HistoryBuilder logout;
  logout.model(per_instance())
      .op("a", "set", "cart", "1", 0, 10, "", "S", created, "node-1")
      .copy("a", "eve", 50)
      .op("a", "logout", "", std::nullopt, 100, 110, "S", "", SessionEffect::ended, "node-2")
      .op("eve", "get", "cart", "1", 200, 210, "S", "S", kept, "node-1");
  const auto found = analyze(logout, find_resurrected_session);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->cause, AnomalyCause::other_instance);
  ASSERT_TRUE(found->logout);
  EXPECT_EQ(found->logout->request, 2);
  EXPECT_EQ(found->write.request, 1);
  // Outliving an idle timeout is no resurrection.
  HistoryBuilder idle("redis", 1);
  idle.op("a", "set", "cart", "1", 0, 10, "", "S", created)
      .op("a", "get", "cart", "1", 2000, 2010, "S", "S", kept);
  EXPECT_FALSE(analyze(idle, find_resurrected_session));
}

TEST(Analyzers, LateExpiryIsAValuePastTheTimeoutAndItsTolerance) {
  HistoryBuilder late("redis", 1);
  late.op("a", "set", "cart", "1", 0, 10, "", "S", created)
      .op("a", "get", "cart", "1", 2000, 2010, "S", "S", kept);
  const auto found = analyze(late, find_late_expiry);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->kind, AnomalyKind::late_expiry);
  EXPECT_EQ(found->idle_us, 1'990'000);
  // Within the tolerance (500 ms past the timeout) the read may still find it.
  HistoryBuilder within("redis", 1);
  within.op("a", "set", "cart", "1", 0, 10, "", "S", created)
      .op("a", "get", "cart", "1", 1200, 1210, "S", "S", kept);
  const Lineages lineages(within.history());
  const auto read = read_case_of(within.history().operations.back(), lineages);
  ASSERT_TRUE(read);
  EXPECT_FALSE(find_late_expiry(*read, lineages));
}

}  // namespace
}  // namespace sessim
