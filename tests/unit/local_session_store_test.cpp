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
