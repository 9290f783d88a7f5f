#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/pattern.h"
#include "common/source_position.h"

// What a request takes from its response for later requests of the same
// browser (`capture:` on a step or a profile's call): a CSRF token from a
// cookie or a form, a bearer token from a JSON body, a header's value.
namespace sessim {

enum class CaptureSource { header, cookie, json, body };
std::string_view to_string(CaptureSource source);
std::optional<CaptureSource> parse_capture_source(std::string_view name);
const std::vector<std::string>& capture_source_names();

struct Capture {
  std::string name;  // the variable it fills: ${name}
  CaptureSource source = CaptureSource::header;
  // header: its name; cookie: its name; json: a path (user.token);
  // body: the pattern, whose first group is the value.
  std::string operand;
  std::optional<Pattern> pattern;  // body
  bool secret = false;             // masked in every report
  SourcePosition position;
  std::string describe() const;  // "cookie csrftoken", "json data.token", "body matching '...'"
};

// Form fields (`form:`), names and values as templates, in written order.
using FormFields = std::vector<std::pair<std::string, std::string>>;

}  // namespace sessim
