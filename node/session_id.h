#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sessim {

// Session ids carry 128 bits from the kernel CSPRNG, spelled like Spring
// Session's UUIDs (8-4-4-4-12 lowercase hex) so that Redis keys look familiar.
// Unlike a v4 UUID, no bits are spent on version markers.
std::string generate_session_id();

// True only for the exact spelling generate_session_id() produces. Anything
// that reaches a Redis key must pass this check first.
bool is_valid_session_id(std::string_view id);

// The SESSION cookie's value is the Base64 of the id, as Spring Session's
// DefaultCookieSerializer writes it.
std::string encode_session_cookie(std::string_view session_id);

// nullopt unless `cookie_value` is canonical Base64 of a valid session id.
std::optional<std::string> decode_session_cookie(std::string_view cookie_value);

}  // namespace sessim
