#pragma once

#include <optional>
#include <string>

#include "common/capture.h"
#include "net/cookie_jar.h"
#include "net/http_exchange.h"

namespace sessim {

// The value `capture` takes from a response: a header's first value, the
// cookie as the browser's jar holds it once the response is in, a JSON
// value (a string as it is, anything else as JSON writes it), or the first
// group of a pattern's first match in the body. nullopt with `found` saying
// what came instead ("no header X-Token", "the body is not JSON").
std::optional<std::string> capture_value(const Capture& capture, const HttpExchange& exchange,
                                         const CookieJar& jar, std::string* found);

}  // namespace sessim
