#pragma once

#include <string>

#include "report/terminal_report.h"

namespace sessim {

enum class Tone { plain, good, bad, warn, dim, bold };

// ANSI colour when the style asks for it; the text unchanged otherwise.
std::string paint(const std::string& text, Tone tone, const TerminalStyle& style);

}  // namespace sessim
