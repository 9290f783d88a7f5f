#pragma once

#include <string>
#include <string_view>

// One quoting layer per configuration format: every value sessim writes
// into nginx.conf or haproxy.cfg goes through one of these, so that a value
// is always one word of the directive it was meant for, never a new
// directive. A value the format cannot carry (a control character; '$',
// which nginx expands in strings and has no escape for) is refused with a
// UsageError naming `what` it is, before any file is written.
namespace sessim {

// A double-quoted nginx string: '"' and '\' escaped.
std::string nginx_string(std::string_view value, std::string_view what);

// A single-quoted HAProxy word (nothing is interpreted inside single
// quotes, not '#', not '$', not '\'); a single quote itself is written as
// '\'' as in a shell.
std::string haproxy_word(std::string_view value, std::string_view what);

}  // namespace sessim
