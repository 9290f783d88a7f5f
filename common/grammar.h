#pragma once

#include <string>
#include <string_view>

// The grammars of the places where outside values go: an HTTP header, a
// cookie, a server's name in a generated configuration, a host. Each check
// returns "" when the value fits and otherwise says why in words a user can
// act on; callers add where the value came from (file:line:col, the flag).
namespace sessim {

// An HTTP field name (RFC 9110 token), 1 to 256 bytes.
std::string header_name_problem(std::string_view name);
// A cookie name (RFC 6265 cookie-name, which is a token), 1 to 256 bytes.
std::string cookie_name_problem(std::string_view name);
// A plain name: a node or server name as generated configurations, file
// names, commands and reports take it: a letter or digit, then letters,
// digits, '.', '_' or '-', at most 64 bytes.
std::string plain_name_problem(std::string_view name);
bool is_plain_name(std::string_view name);
// A host as a URL names it: a DNS name (letters, digits, '-' and '.'), an
// IPv4 address or an IPv6 address (given without its brackets).
std::string host_problem(std::string_view host);
// The first control character (C0 or DEL) in `text`, in words ("a line feed
// at byte 4"); "" when there is none.
std::string control_character_problem(std::string_view text);

}  // namespace sessim
