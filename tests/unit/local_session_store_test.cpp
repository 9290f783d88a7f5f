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

TEST(LocalSessionStore, SweepsAbandonedSessionsOnSave) {
  testing::ManualClock clock;
  LocalSessionStore store(clock);
  for (int i = 0; i < 100; ++i) {
    auto session = Session::create("old-" + std::to_string(i), clock.now_ms(), 1);
    store.save(session);
  }
  clock.advance_ms(60'000);
  auto fresh = Session::create("fresh", clock.now_ms(), 60);
  store.save(fresh);
  EXPECT_EQ(store.size(), 1u);
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
