// What a node and the cookie-sticky balancer read from a request's Cookie
// header and what the scenario browser reads from Set-Cookie: the parsers
// refuse what they do not understand, and whatever they accept survives a
// round trip unchanged. The first byte picks the parser.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "net/cookie.h"
#include "node/session_id.h"

namespace {

void cookie_header(std::string_view header) {
  for (const auto& pair : sessim::parse_cookie_header(header)) {
    if (!sessim::is_cookie_name(pair.name) || !sessim::is_cookie_value(pair.value)) std::abort();
  }
  const auto cookies = sessim::parse_cookie_header(header);
  for (const auto& value : sessim::cookie_values(cookies, "SESSION")) {
    // A session id reaches a store key only through decode_session_cookie.
    const auto id = sessim::decode_session_cookie(value);
    if (!id) continue;
    if (!sessim::is_valid_session_id(*id)) std::abort();
    if (sessim::encode_session_cookie(*id) != value) std::abort();  // one spelling per id
  }
}

void set_cookie_header(std::string_view header) {
  const auto parsed = sessim::parse_set_cookie(header);
  if (!parsed) return;
  const auto again = sessim::parse_set_cookie(sessim::format_set_cookie(*parsed));
  if (!again || again->name != parsed->name || again->value != parsed->value ||
      again->max_age != parsed->max_age || again->path != parsed->path ||
      again->http_only != parsed->http_only || again->same_site != parsed->same_site) {
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 4) {
    case 0:
      cookie_header(text);
      break;
    case 1:
      set_cookie_header(text);
      break;
    case 2:
      sessim::parse_cookie_date(text);
      break;
    default: {
      const auto id = sessim::decode_session_cookie(text);
      if (id && sessim::encode_session_cookie(*id) != text) std::abort();
      if (sessim::is_valid_session_id(text) &&
          sessim::decode_session_cookie(sessim::encode_session_cookie(text)) != std::string(text)) {
        std::abort();
      }
    }
  }
  return 0;
}
