#pragma once

#include <cstddef>
#include <string>

namespace sessim {

// Bytes from the kernel's CSPRNG (getrandom(2)); throws std::system_error if
// the kernel cannot supply them. Never falls back to a weaker generator.
std::string secure_random_bytes(std::size_t count);

// Lowercase hex of `count` random bytes.
std::string secure_random_hex(std::size_t count);

}  // namespace sessim
