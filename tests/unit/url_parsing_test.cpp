#include <gtest/gtest.h>

#include "balancer/balancer.h"
#include "balancer/upstream.h"
#include "common/errors.h"
#include "node/store/redis_url.h"

namespace sessim {

TEST(RedisUrl, ParsesHostPortDatabaseAndPassword) {
  const auto url = parse_redis_url("redis://:s3cret@127.0.0.1:6380/2");
  EXPECT_EQ(url.host, "127.0.0.1");
  EXPECT_EQ(url.port, 6380);
  EXPECT_EQ(url.database, 2);
  EXPECT_EQ(url.password, "s3cret");
  EXPECT_EQ(url.redacted(), "redis://:***@127.0.0.1:6380/2");
}

TEST(RedisUrl, DefaultsPortAndDatabase) {
  const auto url = parse_redis_url("redis://localhost");
  EXPECT_EQ(url.port, 6379);
  EXPECT_EQ(url.database, 0);
}

TEST(RedisUrl, RejectsWhatItCannotUse) {
  EXPECT_THROW(parse_redis_url("http://127.0.0.1:6379"), UsageError);
  EXPECT_THROW(parse_redis_url("redis://127.0.0.1:99999"), UsageError);
  EXPECT_THROW(parse_redis_url("redis://:6379"), UsageError);
  EXPECT_THROW(parse_redis_url("redis://127.0.0.1:6379/x"), UsageError);
}

TEST(UpstreamUrl, ParsesPlainAndNamedForms) {
  const auto plain = parse_named_upstream("http://127.0.0.1:9001/");
  EXPECT_EQ(plain.host, "127.0.0.1");
  EXPECT_EQ(plain.port, 9001);
  EXPECT_EQ(plain.name, "127.0.0.1:9001");
  const auto named = parse_named_upstream("app-1=http://[::1]:8080");
  EXPECT_EQ(named.name, "app-1");
  EXPECT_EQ(named.host, "::1");
  EXPECT_EQ(named.address(), "[::1]:8080");
}

TEST(UpstreamUrl, RejectsMissingPortPathAndScheme) {
  EXPECT_THROW(parse_upstream_url("http://127.0.0.1"), UsageError);
  EXPECT_THROW(parse_upstream_url("http://127.0.0.1:9001/app"), UsageError);
  EXPECT_THROW(parse_upstream_url("https://127.0.0.1:9001"), UsageError);
  EXPECT_THROW(parse_named_upstream("=http://127.0.0.1:9001"), UsageError);
}

}  // namespace sessim
