#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sessim {

// An origin-form request target ("/path?name=value&..."), percent-decoded
// as servers decode it ('+' in the query is a space).
struct RequestTarget {
  std::string path;
  std::vector<std::pair<std::string, std::string>> query;  // in order, repeats kept

  bool has(std::string_view name) const;
  // The first value of `name`, "" if absent.
  std::string value(std::string_view name) const;
};

// nullopt for what a server must refuse: not origin-form, a broken
// percent-escape, or a decoded NUL.
std::optional<RequestTarget> parse_request_target(std::string_view target);

// Whether `path` may go into a request line that sessim sends: origin-form
// (starts with /), at most 8 KiB, no spaces and no control characters (a CR
// or LF would end the line and start a request of the path's own making).
// Every target sessim builds (set, get, remove, login, logout, health,
// ready path) passes this first.
bool is_sendable_target(std::string_view path);

// Percent-decoding; nullopt on a broken escape or a decoded NUL.
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space);

}  // namespace sessim
