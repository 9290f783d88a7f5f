#include "node/session_id.h"

#include "common/base64.h"
#include "common/random.h"

namespace sessim {
namespace {
constexpr std::size_t kIdLength = 36;
constexpr bool is_dash_position(std::size_t i) { return i == 8 || i == 13 || i == 18 || i == 23; }
}  // namespace

std::string generate_session_id() {
  const std::string hex = secure_random_hex(16);
  std::string id;
  id.reserve(kIdLength);
  std::size_t next = 0;
  for (std::size_t i = 0; i < kIdLength; ++i) {
    id += is_dash_position(i) ? '-' : hex[next++];
  }
  return id;
}

bool is_valid_session_id(std::string_view id) {
  if (id.size() != kIdLength) return false;
  for (std::size_t i = 0; i < id.size(); ++i) {
    const char c = id[i];
    if (is_dash_position(i)) {
      if (c != '-') return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return false;
    }
  }
  return true;
}

std::string encode_session_cookie(std::string_view session_id) { return base64_encode(session_id); }

std::optional<std::string> decode_session_cookie(std::string_view cookie_value) {
  auto decoded = base64_decode(cookie_value);
  if (!decoded || !is_valid_session_id(*decoded)) return std::nullopt;
  return decoded;
}

}  // namespace sessim
