#include "common/random.h"

#include <sys/random.h>

#include <cerrno>
#include <system_error>

namespace sessim {

std::string secure_random_bytes(std::size_t count) {
  std::string bytes(count, '\0');
  std::size_t filled = 0;
  while (filled < count) {
    const ssize_t got = getrandom(bytes.data() + filled, count - filled, 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      throw std::system_error(errno, std::generic_category(), "getrandom");
    }
    filled += static_cast<std::size_t>(got);
  }
  return bytes;
}

std::string secure_random_hex(std::size_t count) {
  static constexpr char kDigits[] = "0123456789abcdef";
  const std::string bytes = secure_random_bytes(count);
  std::string hex;
  hex.reserve(count * 2);
  for (const char byte : bytes) {
    const auto value = static_cast<unsigned char>(byte);
    hex += kDigits[value >> 4];
    hex += kDigits[value & 15];
  }
  return hex;
}

}  // namespace sessim
