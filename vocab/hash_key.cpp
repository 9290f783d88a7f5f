#include "vocab/hash_key.h"

#include <fmt/format.h>

#include <algorithm>

#include "common/grammar.h"
#include "common/name_table.h"
#include "common/text.h"

namespace sessim {
namespace {

constexpr NameTable<HashSource, 2> kHashSources{{{
    {HashSource::cookie, "cookie"},
    {HashSource::header, "header"},
}}};

}  // namespace

std::string HashKey::to_string() const {
  return fmt::format("{}:{}", kHashSources.name(source), name);
}

std::optional<HashKey> parse_hash_key(std::string_view text, std::string* problem) {
  const auto refuse = [&](std::string why) -> std::optional<HashKey> {
    if (problem) *problem = std::move(why);
    return std::nullopt;
  };
  const auto colon = text.find(':');
  const auto kind = text.substr(0, colon);
  const auto source = kHashSources.parse(kind);
  if (colon == std::string_view::npos || !source) {
    return refuse(fmt::format("'{}' is not a hash key (expected cookie:NAME or header:NAME)",
                              printable(text, 64)));
  }
  HashKey key;
  key.source = *source;
  key.name = std::string(text.substr(colon + 1));
  const auto why = key.source == HashSource::cookie ? cookie_name_problem(key.name)
                                                    : header_name_problem(key.name);
  if (!why.empty()) return refuse(fmt::format("hash key {}: {}", kind, why));
  return key;
}

std::string front_hash_key_problem(FrontKind front, const HashKey& key) {
  const bool cookie = key.source == HashSource::cookie;
  if (front == FrontKind::nginx) {
    // nginx reads a variable name up to the first character that is not a
    // letter, digit or underscore ($cookie_my-id would be $cookie_my); a
    // header's - becomes _ in $http_.
    const auto fits = [&](char c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
             c == '_' || (!cookie && c == '-');
    };
    if (!std::all_of(key.name.begin(), key.name.end(), fits)) {
      return cookie ? fmt::format(
                          "nginx cannot hash the cookie {}: its $cookie_ variables take "
                          "letters, digits and _ only",
                          key.name)
                    : fmt::format(
                          "nginx cannot hash the header {}: its $http_ variables take "
                          "letters, digits, - and _ only",
                          key.name);
    }
  }
  if (front == FrontKind::haproxy && key.name.find_first_of("'#$") != std::string::npos) {
    return fmt::format(
        "HAProxy cannot hash the {} {}: it reads # as a comment, $ as an "
        "environment variable and ' as a quote in its configuration and in a "
        "sample's arguments",
        kHashSources.name(key.source), key.name);
  }
  return "";
}

}  // namespace sessim
