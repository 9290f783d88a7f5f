#include "node/store/local_session_store.h"

#include <gtest/gtest.h>

#include "support/test_support.h"

namespace sessim {

TEST(LocalSessionStore, ForgetsExpiredSessionsOnLoad) {
  testing::ManualClock clock;
  LocalSessionStore store(clock);
  auto session = Session::create("a", clock.now_ms(), 1);
  store.save(session);
  clock.advance_ms(1000);
  EXPECT_FALSE(store.load("a"));
  EXPECT_EQ(store.size(), 0u);
}

TEST(LocalSessionStore, SweepsAbandonedSessionsAFewAtATimeOnSave) {
  testing::ManualClock clock;
  LocalSessionStore store(clock);
  for (int i = 0; i < 100; ++i) {
    auto session = Session::create("old-" + std::to_string(i), clock.now_ms(), 1);
    store.save(session);
  }
  clock.advance_ms(60'000);
  const auto examined_before = store.entries_examined();
  auto fresh = Session::create("fresh-0", clock.now_ms(), 60);
  store.save(fresh);
  EXPECT_EQ(store.size(), 100u - LocalSessionStore::kSweepPerSave + 1);
  EXPECT_LE(store.entries_examined() - examined_before, LocalSessionStore::kSweepPerSave);
  for (int i = 1; i < 25; ++i) {
    auto session = Session::create("fresh-" + std::to_string(i), clock.now_ms(), 60);
    store.save(session);
  }
  EXPECT_EQ(store.size(), 25u);  // every abandoned one gone, every fresh one kept
}

TEST(LocalSessionStore, TenTimesItsCapOfNewSessionsCostsABoundedWorkPerSave) {
  testing::ManualClock clock;
  constexpr std::size_t kCap = 1000;
  LocalSessionStore store(clock, SaveMode::delta, kCap);
  for (std::size_t i = 0; i < 10 * kCap; ++i) {
    auto session = Session::create("s-" + std::to_string(i), clock.now_ms(), 1800);
    store.save(session);
    clock.advance_ms(1);
  }
  EXPECT_EQ(store.size(), kCap);
  EXPECT_EQ(store.evicted(), 9 * kCap);
  // One sweep step that finds nothing expired and one eviction per save.
  EXPECT_LE(store.entries_examined(), 10 * kCap * 2);
  EXPECT_FALSE(store.load("s-" + std::to_string(9 * kCap - 1)));  // the longest idle went
  EXPECT_TRUE(store.load("s-" + std::to_string(9 * kCap)));
}

}  // namespace sessim

namespace sessim {

TEST(LocalSessionStore, AtItsCapacityDropsTheSessionIdleTheLongest) {
  testing::ManualClock clock;
  LocalSessionStore store(clock, SaveMode::delta, 3);
  for (const auto* id : {"a", "b", "c"}) {
    auto session = Session::create(id, clock.now_ms(), 3600);
    store.save(session);
    clock.advance_ms(10);
  }
  auto used = store.load_for_request("a", clock.now_ms());  // "a" is the freshest now
  store.save(*used);
  auto fourth = Session::create("d", clock.now_ms(), 3600);
  store.save(fourth);
  EXPECT_EQ(store.size(), 3u);
  EXPECT_EQ(store.evicted(), 1u);
  EXPECT_FALSE(store.load("b"));  // idle the longest
  EXPECT_TRUE(store.load("a"));
  EXPECT_TRUE(store.load("c"));
  EXPECT_TRUE(store.load("d"));
}

}  // namespace sessim
