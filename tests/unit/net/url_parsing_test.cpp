#include <gtest/gtest.h>

#include "balancer/balancer.h"
#include "balancer/upstream.h"
#include "common/errors.h"
#include "net/host_port.h"
#include "net/request_target.h"
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

// Lettuce's notation, as Spring Data Redis takes it.
TEST(RedisUrl, ParsesSentinelsAndTheMasterName) {
  const auto url =
      parse_redis_url("redis-sentinel://:pw@127.0.0.1:26380,[::1],127.0.0.2:26382/3#orders");
  ASSERT_TRUE(url.through_sentinels());
  ASSERT_EQ(url.sentinels.size(), 3u);
  EXPECT_EQ(url.sentinels[0].host, "127.0.0.1");
  EXPECT_EQ(url.sentinels[0].port, 26380);
  EXPECT_EQ(url.sentinels[1].host, "::1");
  EXPECT_EQ(url.sentinels[1].port, 26379);  // Sentinel's default
  EXPECT_EQ(url.sentinels[2].port, 26382);
  EXPECT_EQ(url.master_name, "orders");
  EXPECT_EQ(url.database, 3);
  EXPECT_EQ(url.password, "pw");
  EXPECT_EQ(url.redacted(),
            "redis-sentinel://:***@127.0.0.1:26380,[::1]:26379,127.0.0.2:26382/3#orders");
  EXPECT_FALSE(parse_redis_url("redis://127.0.0.1").through_sentinels());
}

TEST(RedisUrl, RejectsASentinelUrlWithoutMasterOrWithAnEmptyHost) {
  for (const char* bad : {"redis-sentinel://127.0.0.1:26379", "redis-sentinel://127.0.0.1#",
                          "redis-sentinel://127.0.0.1,,127.0.0.2#m",
                          "redis-sentinel://127.0.0.1#a b", "redis-sentinel://#m"}) {
    try {
      parse_redis_url(bad);
      ADD_FAILURE() << bad << " was accepted";
    } catch (const UsageError& error) {
      EXPECT_NE(std::string(error.what()).find("redis-sentinel://"), std::string::npos)
          << error.what();
    }
  }
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

namespace sessim {
namespace {

TEST(RequestTarget, DecodesPathAndQueryAsServersDo) {
  const auto target = parse_request_target("/session/attributes/a%2Eb?sessionVal=a+b%26c&x&y=1");
  ASSERT_TRUE(target);
  EXPECT_EQ(target->path, "/session/attributes/a.b");
  EXPECT_EQ(target->value("sessionVal"), "a b&c");
  EXPECT_TRUE(target->has("x"));
  EXPECT_EQ(target->value("x"), "");
  EXPECT_FALSE(target->has("z"));
}

TEST(RequestTarget, RefusesWhatAServerMustNotGuess) {
  EXPECT_FALSE(parse_request_target("http://example.com/"));  // not origin-form
  EXPECT_FALSE(parse_request_target("*"));
  EXPECT_FALSE(parse_request_target("/a%2"));      // broken escape
  EXPECT_FALSE(parse_request_target("/a?v=%zz"));  // not hex
  EXPECT_FALSE(parse_request_target("/a%00b"));    // decoded NUL
}

}  // namespace
}  // namespace sessim

namespace sessim {

// One authority parser under upstream, target and Redis URLs.
TEST(HostPort, SplitsNamesIpv4AndBracketedIpv6) {
  HostPort parsed;
  std::string error;
  ASSERT_TRUE(split_host_port("localhost", &parsed, &error)) << error;
  EXPECT_EQ(parsed.host, "localhost");
  EXPECT_FALSE(parsed.port);
  ASSERT_TRUE(split_host_port("127.0.0.1:6379", &parsed, &error)) << error;
  EXPECT_EQ(parsed.host, "127.0.0.1");
  EXPECT_EQ(parsed.port, 6379);
  ASSERT_TRUE(split_host_port("[::1]:8080", &parsed, &error)) << error;
  EXPECT_EQ(parsed.host, "::1");
  EXPECT_EQ(parsed.port, 8080);
  ASSERT_TRUE(split_host_port("[::1]", &parsed, &error)) << error;
  EXPECT_FALSE(parsed.port);
  EXPECT_EQ(join_host_port("::1", 80), "[::1]:80");
  EXPECT_EQ(join_host_port("127.0.0.1", 80), "127.0.0.1:80");
}

TEST(HostPort, RefusesWhatItDoesNotUnderstandWithTheReason) {
  HostPort parsed;
  for (const auto& [authority, reason] : std::vector<std::pair<std::string, std::string>>{
           {"", "the host is empty"},
           {":80", "the host is empty"},
           {"[::1", "unclosed '[' in the host"},
           {"[::1]80", "unexpected text after the host"},
           {"::1:80", "an IPv6 host goes in brackets: [addr]:port"},
           {"host:0", "the port must be a number from 1 to 65535"},
           {"host:65536", "the port must be a number from 1 to 65535"},
           {"host:8o", "the port must be a number from 1 to 65535"}}) {
    std::string error;
    EXPECT_FALSE(split_host_port(authority, &parsed, &error)) << authority;
    EXPECT_EQ(error, reason) << authority;
  }
}

TEST(HostPort, EveryUrlParserTakesIpv6) {
  const auto upstream = parse_upstream_url("http://[::1]:9001");
  EXPECT_EQ(upstream.host, "::1");
  EXPECT_EQ(upstream.port, 9001);
  const auto redis = parse_redis_url("redis://[::1]:6380/2");
  EXPECT_EQ(redis.host, "::1");
  EXPECT_EQ(redis.port, 6380);
  EXPECT_EQ(redis.redacted(), "redis://[::1]:6380/2");
}

}  // namespace sessim
