#pragma once

#include <string>

namespace sessim {

// redis://[[user]:password@]host[:port][/db]
struct RedisUrl {
  std::string host = "127.0.0.1";
  int port = 6379;
  int database = 0;
  std::string user;
  std::string password;

  // The URL without its password, for messages and reports.
  std::string redacted() const;
};

// Throws UsageError naming the URL (credentials masked) and what is wrong
// with it; rediss:// (TLS) is refused with what to do instead.
RedisUrl parse_redis_url(const std::string& url);

// `url` with whatever stands between "://" and the last '@' of the
// authority replaced by "***": safe to print even when it does not parse.
std::string redact_credentials(const std::string& url);

}  // namespace sessim
