#include "common/capture.h"

#include <fmt/format.h>

#include "common/name_table.h"

namespace sessim {
namespace {

constexpr NameTable<CaptureSource, 4> kSources{{{
    {CaptureSource::header, "header"},
    {CaptureSource::cookie, "cookie"},
    {CaptureSource::json, "json"},
    {CaptureSource::body, "body"},
}}};

}  // namespace

std::string_view to_string(CaptureSource source) { return kSources.name(source); }
std::optional<CaptureSource> parse_capture_source(std::string_view name) {
  return kSources.parse(name);
}
const std::vector<std::string>& capture_source_names() {
  static const auto names = kSources.names();
  return names;
}

std::string Capture::describe() const {
  if (source == CaptureSource::body) return fmt::format("body matching '{}'", operand);
  return fmt::format("{} {}", to_string(source), operand);
}

}  // namespace sessim
