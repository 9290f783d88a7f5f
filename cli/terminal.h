#pragma once

#include <cstdio>

namespace sessim::cli {

// Colour only on a terminal, and never when NO_COLOR is set (no-color.org)
// or TERM is "dumb".
bool should_use_color(std::FILE* stream);

}  // namespace sessim::cli
