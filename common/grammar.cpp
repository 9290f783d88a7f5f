#include "common/grammar.h"

#include <fmt/format.h>

#include <algorithm>

#include "common/text.h"

namespace sessim {
namespace {

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool is_tchar(char c) {
  return is_alnum(c) || std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

std::string token_problem(std::string_view name, std::string_view what) {
  if (name.empty()) return fmt::format("a {} cannot be empty", what);
  if (name.size() > 256) return fmt::format("a {} is at most 256 bytes", what);
  const auto bad = std::find_if_not(name.begin(), name.end(), is_tchar);
  if (bad == name.end()) return "";
  return fmt::format("'{}' is not a {}: {} is not allowed (letters, digits and !#$%&'*+-.^_`|~)",
                     printable(name, 64), what,
                     printable(std::string_view(&*bad, 1)) == " "
                         ? std::string("a space")
                         : fmt::format("'{}'", printable(std::string_view(&*bad, 1))));
}

}  // namespace

std::string header_name_problem(std::string_view name) {
  return token_problem(name, "header name");
}

std::string cookie_name_problem(std::string_view name) {
  return token_problem(name, "cookie name");
}

bool is_plain_name(std::string_view name) {
  return !name.empty() && name.size() <= 64 && is_alnum(name.front()) &&
         std::all_of(name.begin(), name.end(),
                     [](char c) { return is_alnum(c) || c == '.' || c == '_' || c == '-'; });
}

std::string plain_name_problem(std::string_view name) {
  if (is_plain_name(name)) return "";
  if (name.empty()) return "a name cannot be empty";
  if (name.size() > 64)
    return fmt::format("a name is at most 64 bytes; this one has {}", name.size());
  return fmt::format(
      "'{}' is not a plain name (a letter or digit, then letters, digits, '.', '_' "
      "or '-')",
      printable(name, 64));
}

std::string host_problem(std::string_view host) {
  if (host.empty()) return "the host is empty";
  if (host.size() > 253) return "a host name is at most 253 bytes";
  const bool ipv6 = host.find(':') != std::string_view::npos;
  const auto fits = [&](char c) {
    if (ipv6)
      return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') ||
             c == ':' || c == '.';
    return is_alnum(c) || c == '-' || c == '.';
  };
  const auto bad = std::find_if_not(host.begin(), host.end(), fits);
  if (bad != host.end()) {
    return fmt::format("'{}' is not a host: '{}' is not allowed ({})", printable(host, 64),
                       printable(std::string_view(&*bad, 1)),
                       ipv6 ? "an IPv6 address has hex digits, ':' and '.'"
                            : "a host name has letters, digits, '-' and '.'");
  }
  if (!ipv6 && (host.front() == '-' || host.front() == '.')) {
    return fmt::format("'{}' is not a host: it starts with '{}'", printable(host, 64),
                       host.front());
  }
  return "";
}

std::string control_character_problem(std::string_view text) {
  for (std::size_t at = 0; at < text.size(); ++at) {
    const auto byte = static_cast<unsigned char>(text[at]);
    if (byte >= 0x20 && byte != 0x7f) continue;
    const char* name = byte == '\n'   ? "a line feed"
                       : byte == '\r' ? "a carriage return"
                       : byte == '\t' ? "a tab"
                       : byte == 0    ? "a NUL byte"
                                      : nullptr;
    return name ? fmt::format("{} at byte {}", name, at + 1)
                : fmt::format("the control character \\x{:02x} at byte {}", byte, at + 1);
  }
  return "";
}

}  // namespace sessim
