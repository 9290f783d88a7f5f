#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace sessim {

// The whole content of a regular file of at most `max_bytes`, read without
// trusting what the file claims to be: a FIFO, a device (/dev/zero) or a
// directory is refused rather than read or waited on, and at most one byte
// past the cap is read. Throws UsageError naming the path and `what` ("a
// scenario", "an app profile") otherwise.
std::string read_bounded_file(const std::string& path, std::size_t max_bytes,
                              std::string_view what);

}  // namespace sessim
