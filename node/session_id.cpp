#include "node/session_id.h"

#include <fmt/format.h>

#include "common/base64.h"
#include "common/random.h"

namespace sessim {
namespace {

constexpr std::size_t kIdLength = 36;
constexpr bool is_dash_position(std::size_t i) { return i == 8 || i == 13 || i == 18 || i == 23; }

// 32 hex digits in the 8-4-4-4-12 spelling.
std::string spell_session_id(const std::string& hex) {
  std::string id;
  id.reserve(kIdLength);
  std::size_t next = 0;
  for (std::size_t i = 0; i < kIdLength; ++i) {
    id += is_dash_position(i) ? '-' : hex[next++];
  }
  return id;
}

// SplitMix64 (Steele, Lea, Flood 2014): a well-mixed 64-bit stream from a
// counter; enough for reproducible, distinct ids, not for secrecy.
std::uint64_t split_mix(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace

std::string generate_session_id() { return spell_session_id(secure_random_hex(16)); }

SecureSessionIds& SecureSessionIds::instance() {
  static SecureSessionIds ids;
  return ids;
}

SeededSessionIds::SeededSessionIds(std::uint64_t seed, std::string_view node_name) : state_(seed) {
  // FNV-1a of the name, so that nodes sharing a seed draw different ids.
  std::uint64_t name_hash = 0xcbf29ce484222325ULL;
  for (const char c : node_name) {
    name_hash = (name_hash ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
  }
  state_ ^= name_hash;
  split_mix(state_);
}

std::string SeededSessionIds::next() {
  const std::lock_guard lock(mutex_);
  const auto high = split_mix(state_);
  const auto low = split_mix(state_);
  return spell_session_id(fmt::format("{:016x}{:016x}", high, low));
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
