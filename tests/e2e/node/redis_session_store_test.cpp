#include "node/store/redis_session_store.h"

#include <gtest/gtest.h>
#include <hiredis/hiredis.h>

#include <map>

#include "common/errors.h"
#include "node/session_id.h"
#include "support/test_support.h"

namespace sessim {
namespace {

// Reads Redis directly, as a person with redis-cli would.
class RedisInspector {
 public:
  explicit RedisInspector(int port) : context_(redisConnect("127.0.0.1", port)) {}
  ~RedisInspector() { redisFree(context_); }
  std::map<std::string, std::string> hgetall(const std::string& key) {
    std::map<std::string, std::string> fields;
    auto* reply = static_cast<redisReply*>(redisCommand(context_, "HGETALL %s", key.c_str()));
    for (std::size_t i = 0; reply && i + 1 < reply->elements; i += 2) {
      fields[reply->element[i]->str] = reply->element[i + 1]->str;
    }
    freeReplyObject(reply);
    return fields;
  }
  // How often each command ran since start, from INFO commandstats (calls
  // from inside scripts included).
  std::map<std::string, long long> command_calls() {
    auto* reply = static_cast<redisReply*>(redisCommand(context_, "INFO commandstats"));
    const std::string text = reply && reply->str ? reply->str : "";
    freeReplyObject(reply);
    std::map<std::string, long long> calls;
    std::size_t at = 0;
    while ((at = text.find("cmdstat_", at)) != std::string::npos) {
      const auto colon = text.find(':', at);
      const auto count = text.find("calls=", colon);
      calls[text.substr(at + 8, colon - at - 8)] = std::stoll(text.substr(count + 6));
      at = colon;
    }
    return calls;
  }
  long long ttl(const std::string& key) {
    auto* reply = static_cast<redisReply*>(redisCommand(context_, "TTL %s", key.c_str()));
    const long long value = reply ? reply->integer : -3;
    freeReplyObject(reply);
    return value;
  }

 private:
  redisContext* context_;
};

class RedisSessionStoreTest : public ::testing::Test {
 protected:
  RedisSessionStore make_store(int command_timeout_ms = 2000) {
    RedisStoreOptions options;
    options.url = parse_redis_url(redis.url());
    options.command_timeout_ms = command_timeout_ms;
    return RedisSessionStore(options);
  }
  testing::TestRedis redis;
};

// A request that only reads its session costs one command: the load records
// the access, so the save has nothing left to write.
TEST_F(RedisSessionStoreTest, AReadOnlyRequestIsOneCommand) {
  auto store = make_store();
  const auto start = SystemClock::instance().now_ms();
  auto session = Session::create(generate_session_id(), start, 1800);
  session.set_attribute("sessionVal", "hello");
  store.save(session);
  RedisInspector inspector(redis.server->port());
  store.load_for_request(session.id(), start);  // connection set-up and scripts loaded

  // Top-level commands the store sends; the script's own calls (HGETALL,
  // HSET...) run inside Redis and cost no round trip.
  const auto sent = [&inspector] {
    auto calls = inspector.command_calls();
    return calls["evalsha"] + calls["eval"] + calls["multi"] + calls["exec"] + calls["del"];
  };
  const auto before = sent();
  auto loaded = store.load_for_request(session.id(), start + 5000);
  ASSERT_TRUE(loaded);
  store.save(*loaded);
  const auto after = sent();
  EXPECT_EQ(after - before, 1);
  EXPECT_EQ(loaded->attribute("sessionVal"), "hello");
  EXPECT_EQ(inspector.hgetall(store.key_for(session.id()))["lastAccessedTime"],
            std::to_string(start + 5000));

  loaded->set_attribute("sessionVal", "changed");
  store.save(*loaded);
  EXPECT_EQ(sent() - after, 1);
  EXPECT_EQ(store.load(session.id())->attribute("sessionVal"), "changed");
}

TEST_F(RedisSessionStoreTest, LaysOutSessionsLikeSpringSession) {
  auto store = make_store();
  auto session = Session::create(generate_session_id(), SystemClock::instance().now_ms(), 1800);
  session.set_attribute("sessionVal", "hello");
  store.save(session);

  const auto key = "sessim:session:sessions:" + session.id();
  EXPECT_EQ(store.key_for(session.id()), key);
  RedisInspector inspector(redis.server->port());
  const auto fields = inspector.hgetall(key);
  EXPECT_EQ(fields.at("sessionAttr:sessionVal"), "hello");
  EXPECT_EQ(fields.at("maxInactiveInterval"), "1800");
  EXPECT_EQ(fields.at("creationTime"), std::to_string(session.creation_time_ms()));
  EXPECT_EQ(fields.at("lastAccessedTime"), std::to_string(session.last_accessed_time_ms()));
  const auto ttl = inspector.ttl(key);
  EXPECT_GT(ttl, 1790);
  EXPECT_LE(ttl, 1801);
}

TEST_F(RedisSessionStoreTest, DownRedisIsUnavailableNotMissing) {
  auto store = make_store();
  redis.server->stop();
  EXPECT_THROW(store.load(generate_session_id()), StoreUnavailable);
}

TEST_F(RedisSessionStoreTest, PausedRedisTimesOutAsUnavailable) {
  auto store = make_store(300);
  store.ping();  // the store's connection now exists
  redis.server->pause();
  EXPECT_THROW(store.load(generate_session_id()), StoreUnavailable);
  redis.server->resume();
  EXPECT_NO_THROW(store.load(generate_session_id()));
}

TEST_F(RedisSessionStoreTest, ReconnectsAfterRedisRestarts) {
  auto store = make_store();
  auto session = Session::create(generate_session_id(), SystemClock::instance().now_ms(), 60);
  store.save(session);  // leaves a connection to the old server
  redis.server->restart();
  // Without persistence the session is gone, and the store says so instead of failing.
  EXPECT_FALSE(store.load(session.id()));
  auto again = Session::create(generate_session_id(), SystemClock::instance().now_ms(), 60);
  store.save(again);
  EXPECT_TRUE(store.load(again.id()));
}

TEST(RedisSessionStoreOptions, RejectsUnsafeNamespace) {
  RedisStoreOptions options;
  options.key_namespace = "bad namespace*";
  EXPECT_THROW(RedisSessionStore store(options), UsageError);
}

}  // namespace
}  // namespace sessim
