// The Redis URL of --redis-url and SESSIM_REDIS_URL: parsed or refused with a
// UsageError, and a password never survives redaction.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>

#include "common/errors.h"
#include "node/store/redis_url.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string url(reinterpret_cast<const char*>(data), size);
  const auto masked = sessim::redact_credentials(url);
  try {
    const auto parsed = sessim::parse_redis_url(url);
    if (parsed.port < 1 || parsed.port > 65535 || parsed.database < 0) std::abort();
    if (!parsed.password.empty() && parsed.password != "***") {
      const auto shown = parsed.redacted();
      if (shown.find(":" + parsed.password + "@") != std::string::npos) std::abort();
      if (masked.find(":" + parsed.password + "@") != std::string::npos) std::abort();
    }
  } catch (const sessim::UsageError& refused) {
    // A refusal shows the URL as redact_credentials() masks it, and the
    // masked form never holds the unmasked "scheme://user:password@".
    // (what() ends at the first NUL byte, so the comparison does too.)
    auto expected = "invalid Redis URL '" + masked + "'";
    expected.resize(std::min(expected.size(), expected.find('\0')));
    if (std::string(refused.what()).rfind(expected, 0) != 0) {
      std::abort();
    }
    // Read as a URL again, the masked text holds "***" where the user and
    // password were: nothing of them before its authority's last '@'.
    const auto credentials_of = [](const std::string& text) -> std::optional<std::string> {
      const auto scheme_end = text.find("://");
      const auto start = scheme_end == std::string::npos ? 0 : scheme_end + 3;
      const auto at = text.rfind('@', text.find('/', start));
      if (at == std::string::npos || at < start) return std::nullopt;
      return text.substr(start, at - start);
    };
    if (credentials_of(url) && credentials_of(masked) != "***") std::abort();
  }
  return 0;
}
