// The SessionStore contract, run against both stores: whatever a node can
// observe through the interface must be the same for local memory and Redis.
#include <gtest/gtest.h>

#include "node/session_id.h"
#include "node/store/local_session_store.h"
#include "node/store/redis_session_store.h"
#include "support/test_support.h"

namespace sessim {
namespace {

class StoreContract : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "local") {
      store = std::make_unique<LocalSessionStore>(clock);
    } else {
      redis = std::make_unique<testing::TestRedis>();
      RedisStoreOptions options;
      options.url = parse_redis_url(redis->url());
      store = std::make_unique<RedisSessionStore>(options, clock);
    }
  }

  Session load_existing(const std::string& id) {
    auto session = store->load(id);
    if (!session) throw std::runtime_error("session " + id + " is missing");
    return *session;
  }

  Session saved_session(std::map<std::string, std::string> attributes, int timeout_s = 60) {
    auto session = Session::create(generate_session_id(), clock.now_ms(), timeout_s);
    for (auto& [name, value] : attributes) session.set_attribute(name, value);
    store->save(session);
    return session;
  }

  // Starts at the real time: Redis applies EXPIREAT against its own clock.
  testing::ManualClock clock{SystemClock::instance().now_ms()};
  std::unique_ptr<testing::TestRedis> redis;
  std::unique_ptr<SessionStore> store;
};

TEST_P(StoreContract, SavedSessionLoadsWithItsAttributesAndTimes) {
  const auto session = saved_session({{"sessionVal", "hello"}, {"user", "ada ✓"}});
  const auto loaded = store->load(session.id());
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->attributes(), session.attributes());
  EXPECT_EQ(loaded->creation_time_ms(), session.creation_time_ms());
  EXPECT_EQ(loaded->max_inactive_interval_s(), 60);
  EXPECT_FALSE(loaded->is_new());
}

TEST_P(StoreContract, UnknownSessionIsAbsent) { EXPECT_FALSE(store->load(generate_session_id())); }

TEST_P(StoreContract, RemovedSessionIsGone) {
  const auto session = saved_session({{"k", "v"}});
  store->remove(session.id());
  EXPECT_FALSE(store->load(session.id()));
}

TEST_P(StoreContract, ExpiredSessionIsGone) {
  const auto session = saved_session({{"k", "v"}}, 5);
  clock.advance_ms(4999);
  EXPECT_TRUE(store->load(session.id()));
  clock.advance_ms(1);
  EXPECT_FALSE(store->load(session.id()));
}

TEST_P(StoreContract, SavingRefreshesAccessTimeAndKeepsCreationTime) {
  const auto session = saved_session({{"k", "v"}}, 5);
  clock.advance_ms(4000);
  auto loaded = load_existing(session.id());
  loaded.touch(clock.now_ms());
  store->save(loaded);
  clock.advance_ms(4000);  // 8 s after creation, 4 s after the last access
  const auto again = store->load(session.id());
  ASSERT_TRUE(again);
  EXPECT_EQ(again->creation_time_ms(), session.creation_time_ms());
  EXPECT_EQ(again->last_accessed_time_ms(), session.creation_time_ms() + 4000);
}

TEST_P(StoreContract, ConcurrentCopiesChangingDifferentAttributesBothSurvive) {
  const auto session = saved_session({{"a", "0"}, {"b", "0"}});
  auto first_tab = load_existing(session.id());
  auto second_tab = load_existing(session.id());
  first_tab.set_attribute("a", "1");
  second_tab.set_attribute("b", "2");
  store->save(first_tab);
  store->save(second_tab);
  const auto loaded = store->load(session.id());
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->attribute("a"), "1");
  EXPECT_EQ(loaded->attribute("b"), "2");
}

TEST_P(StoreContract, RemovedAttributeStaysRemoved) {
  const auto session = saved_session({{"a", "1"}, {"b", "2"}});
  auto loaded = load_existing(session.id());
  loaded.remove_attribute("a");
  store->save(loaded);
  const auto again = store->load(session.id());
  ASSERT_TRUE(again);
  EXPECT_FALSE(again->attribute("a"));
  EXPECT_EQ(again->attribute("b"), "2");
}

INSTANTIATE_TEST_SUITE_P(BothStores, StoreContract, ::testing::Values("local", "redis"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace sessim
