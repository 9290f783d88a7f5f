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

// Percent-decoding; nullopt on a broken escape or a decoded NUL.
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space);

}  // namespace sessim
