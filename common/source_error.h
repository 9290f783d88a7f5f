#pragma once

#include <string>

namespace sessim {

// An error in a file a user wrote, as compilers print it, for editors to jump
// to:
//   file:line:column: what is wrong
//     the offending line
//     ^ under the column
// (without the last two lines when the line is unknown).
std::string format_source_error(const std::string& file, int line, int column,
                                const std::string& message, const std::string& source_line);

// Line `line` (1-based) of `text`, without its newline; "" past the end.
std::string source_line(const std::string& text, int line);

}  // namespace sessim
