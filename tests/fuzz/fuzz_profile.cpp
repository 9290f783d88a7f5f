// App profiles (`--app FILE`): any text is a profile or a UsageError with its
// position; a profile that loads reads any answer without crashing.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "app/app_profile.h"
#include "common/errors.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const auto profile = sessim::parse_profile(text, "fuzz.profile.yaml");
    for (const int status : {200, 204, 404, 500}) sessim::read_value(profile, status, text);
  } catch (const sessim::UsageError& refused) {
    if (std::string(refused.what()).find("fuzz.profile.yaml") == std::string::npos) std::abort();
  }
  return 0;
}
