#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sessim {

// Standard Base64 (RFC 4648 section 4) with padding, as java.util.Base64's
// basic encoder produces it; Spring Session encodes its cookie this way.
std::string base64_encode(std::string_view bytes);

// Strict decoding: rejects wrong lengths, characters outside the alphabet,
// misplaced padding and non-zero trailing bits. nullopt when rejected.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace sessim
