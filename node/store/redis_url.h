#pragma once

#include <string>
#include <vector>

namespace sessim {

struct SentinelAddress {
  std::string host;
  int port = 26379;
};

// redis://[[user]:password@]host[:port][/db], or a master found through
// sentinels, in Lettuce's (Spring Data Redis's) notation:
// redis-sentinel://[[user]:password@]host[:port][,host[:port]...][/db]#master
// The credentials are the master's; the sentinels are asked without.
struct RedisUrl {
  std::string host = "127.0.0.1";  // with sentinels: the master as last found
  int port = 6379;
  int database = 0;
  std::string user;
  std::string password;
  std::vector<SentinelAddress> sentinels;  // empty: host and port are the server
  std::string master_name;                 // with sentinels: the name they monitor

  bool through_sentinels() const { return !sentinels.empty(); }
  // The URL without its password, for messages and reports.
  std::string redacted() const;
  // "host:port" of the server now in use.
  std::string server() const;
};

// Throws UsageError naming the URL (credentials masked) and what is wrong
// with it; rediss:// (TLS) is refused with what to do instead. A sentinel
// URL's host and port are those of its first sentinel until the master is
// asked for (node/store/redis_sentinel.h).
RedisUrl parse_redis_url(const std::string& url);

// `url` with whatever stands between "://" and the last '@' of the
// authority replaced by "***": safe to print even when it does not parse.
std::string redact_credentials(const std::string& url);

}  // namespace sessim
