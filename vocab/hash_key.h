#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "vocab/front_kind.h"

// What a hash balancer hashes: `cookie:NAME` or `header:NAME`. The name is
// checked against the grammar of its place (RFC 6265 cookie-name, RFC 9110
// field name) when it is read, so that no generator downstream meets a name
// that could break out of its configuration.
namespace sessim {

enum class HashSource { cookie, header };

struct HashKey {
  HashSource source = HashSource::cookie;
  std::string name;
  std::string to_string() const;  // "cookie:NAME"
};

// nullopt with `problem` set when `text` is not a hash key.
std::optional<HashKey> parse_hash_key(std::string_view text, std::string* problem = nullptr);

// Why `front` cannot hash on `key` although it is legal HTTP ("" when it
// can): nginx's $cookie_ and $http_ variables take letters, digits and _
// only; HAProxy reads # $ and ' specially in its configuration.
std::string front_hash_key_problem(FrontKind front, const HashKey& key);

}  // namespace sessim
