#include "node/store/redis_url.h"

#include <fmt/format.h>

#include "common/errors.h"
#include "common/text.h"
#include "net/host_port.h"
#include "net/request_target.h"

namespace sessim {

std::string RedisUrl::redacted() const {
  const std::string auth = password.empty() ? "" : (user.empty() ? ":***@" : user + ":***@");
  if (!through_sentinels()) {
    return fmt::format("redis://{}{}/{}", auth, join_host_port(host, port), database);
  }
  std::string hosts;
  for (const auto& sentinel : sentinels) {
    if (!hosts.empty()) hosts += ',';
    hosts += join_host_port(sentinel.host, sentinel.port);
  }
  return fmt::format("redis-sentinel://{}{}/{}#{}", auth, hosts, database, master_name);
}

std::string RedisUrl::server() const { return join_host_port(host, port); }

std::string redact_credentials(const std::string& url) {
  const auto scheme_end = url.find("://");
  const auto authority_start = scheme_end == std::string::npos ? 0 : scheme_end + 3;
  const auto authority_end = url.find('/', authority_start);
  const auto at = url.rfind('@', authority_end);
  if (at == std::string::npos || at < authority_start) return url;
  return url.substr(0, authority_start) + "***" + url.substr(at);
}

RedisUrl parse_redis_url(const std::string& url) {
  // Errors never repeat a password: the URL is shown with its credentials
  // masked.
  const auto fail = [&](std::string_view why) {
    throw UsageError(fmt::format(
        "invalid Redis URL '{}': {} (expected redis://[[user]:password@]host:port[/db] or "
        "redis-sentinel://host:port[,host:port...][/db]#master)",
        redact_credentials(url), why));
  };
  constexpr std::string_view kScheme = "redis://";
  if (url.rfind("rediss://", 0) == 0) {
    fail(
        "TLS (rediss://) is not built into sessim; reach Redis over loopback with redis://, or "
        "through a local TLS tunnel such as stunnel");
  }
  constexpr std::string_view kSentinelScheme = "redis-sentinel://";
  const bool sentinel = url.rfind(kSentinelScheme, 0) == 0;
  if (!sentinel && url.rfind(kScheme, 0) != 0) {
    fail("it must start with redis:// or redis-sentinel://");
  }
  std::string_view rest(url);
  rest.remove_prefix(sentinel ? kSentinelScheme.size() : kScheme.size());

  RedisUrl parsed;
  if (sentinel) {
    const auto hash = rest.rfind('#');
    if (hash == std::string_view::npos || hash + 1 == rest.size()) {
      fail("a sentinel URL names its master after '#' (redis-sentinel://host:port#mymaster)");
    }
    parsed.master_name = std::string(rest.substr(hash + 1));
    for (const char c : parsed.master_name) {
      const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '_' || c == '.' || c == '-';
      if (!ok) fail("the master name may hold letters, digits, _ . - only");
    }
    rest = rest.substr(0, hash);
  }
  const auto slash = rest.find('/');
  auto authority = rest.substr(0, slash);
  if (slash != std::string_view::npos) {
    const auto db_text = rest.substr(slash + 1);
    if (!db_text.empty()) {
      const auto db = parse_integer(db_text, 0, 65535);
      if (!db) fail("the database must be a number");
      parsed.database = static_cast<int>(*db);
    }
  }
  const auto at = authority.rfind('@');
  if (at != std::string_view::npos) {
    const auto credentials = authority.substr(0, at);
    const auto colon = credentials.find(':');
    // Percent-escapes let a password hold '@', ':' or '/' (RFC 3986).
    const auto decoded = [&](std::string_view text) {
      auto value = percent_decode(text, false);
      if (!value) fail("broken percent-escape in the credentials");
      return *value;
    };
    if (colon == std::string_view::npos) {
      parsed.password = decoded(credentials);
    } else {
      parsed.user = decoded(credentials.substr(0, colon));
      parsed.password = decoded(credentials.substr(colon + 1));
    }
    authority.remove_prefix(at + 1);
  }
  if (sentinel) {
    // Lettuce's list: host[:port] separated by commas, 26379 by default.
    std::size_t start = 0;
    while (start <= authority.size()) {
      const auto comma = authority.find(',', start);
      const auto one = authority.substr(
          start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
      HostPort host_port;
      std::string error;
      if (!split_host_port(one, &host_port, &error))
        fail("sentinel '" + std::string(one) + "': " + error);
      parsed.sentinels.push_back({std::move(host_port.host), host_port.port.value_or(26379)});
      if (comma == std::string_view::npos) break;
      start = comma + 1;
    }
    parsed.host = parsed.sentinels.front().host;
    parsed.port = parsed.sentinels.front().port;
    return parsed;
  }
  HostPort host_port;
  std::string error;
  if (!split_host_port(authority, &host_port, &error)) fail(error);
  parsed.host = std::move(host_port.host);
  if (host_port.port) parsed.port = *host_port.port;
  return parsed;
}

}  // namespace sessim
