#include "node/store/redis_url.h"

#include <fmt/format.h>

#include "common/errors.h"
#include "common/text.h"
#include "net/host_port.h"
#include "net/request_target.h"

namespace sessim {

std::string RedisUrl::redacted() const {
  const std::string auth = password.empty() ? "" : (user.empty() ? ":***@" : user + ":***@");
  return fmt::format("redis://{}{}/{}", auth, join_host_port(host, port), database);
}

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
        "invalid Redis URL '{}': {} (expected redis://[[user]:password@]host:port[/db])",
        redact_credentials(url), why));
  };
  constexpr std::string_view kScheme = "redis://";
  if (url.rfind("rediss://", 0) == 0) {
    fail(
        "TLS (rediss://) is not built into sessim; reach Redis over loopback with redis://, or "
        "through a local TLS tunnel such as stunnel");
  }
  if (url.rfind(kScheme, 0) != 0) fail("it must start with redis://");
  std::string_view rest(url);
  rest.remove_prefix(kScheme.size());

  RedisUrl parsed;
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
  HostPort host_port;
  std::string error;
  if (!split_host_port(authority, &host_port, &error)) fail(error);
  parsed.host = std::move(host_port.host);
  if (host_port.port) parsed.port = *host_port.port;
  return parsed;
}

}  // namespace sessim
