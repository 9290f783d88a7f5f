// The Redis URL of --redis-url and SESSIM_REDIS_URL: parsed or refused with a
// UsageError, and a password never survives redaction.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "common/errors.h"
#include "node/store/redis_url.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string url(reinterpret_cast<const char*>(data), size);
  const auto masked = sessim::redact_credentials(url);
  try {
    const auto parsed = sessim::parse_redis_url(url);
    if (parsed.port < 1 || parsed.port > 65535 || parsed.database < 0) std::abort();
    if (!parsed.password.empty()) {
      const auto shown = parsed.redacted();
      if (shown.find(":" + parsed.password + "@") != std::string::npos) std::abort();
      if (masked.find(":" + parsed.password + "@") != std::string::npos) std::abort();
    }
  } catch (const sessim::UsageError& refused) {
    // A refusal shows the URL as redact_credentials() masks it, and the
    // masked form never holds the unmasked "scheme://user:password@".
    // (what() ends at the first NUL byte, so the comparison does too.)
    const auto expected = ("invalid Redis URL '" + masked + "'").substr(0, url.find('\0'));
    if (std::string(refused.what()).rfind(expected.c_str(), 0) != 0) {
      std::abort();
    }
    const auto scheme_end = url.find("://");
    const auto authority_start = scheme_end == std::string::npos ? 0 : scheme_end + 3;
    const auto at = url.rfind('@', url.find('/', authority_start));
    if (at != std::string::npos && at > authority_start &&
        url.substr(authority_start, at - authority_start) != "***" &&
        masked.find(url.substr(0, at + 1)) != std::string::npos) {
      std::abort();
    }
  }
  return 0;
}
