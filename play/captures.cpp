#include "play/captures.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "common/json_path.h"
#include "common/text.h"

namespace sessim {
namespace {

// A captured value travels in later requests' paths and headers: it is
// bounded like a header's value.
constexpr std::size_t kMaxCapturedBytes = 8 * 1024;

std::optional<std::string> json_value(const std::string& path, const std::string& body,
                                      std::string* found) {
  const auto document = nlohmann::json::parse(body, nullptr, false);
  if (document.is_discarded()) {
    if (found) *found = body.empty() ? "an empty body" : "a body that is not JSON";
    return std::nullopt;
  }
  const nlohmann::json* at = &document;
  for (const auto& step : parse_json_path(path).value_or(std::vector<JsonPathStep>{})) {
    if (step.key.empty()) {
      if (!at->is_array() || step.index >= at->size()) {
        if (found) *found = fmt::format("no element [{}] there", step.index);
        return std::nullopt;
      }
      at = &(*at)[step.index];
    } else {
      if (!at->is_object() || !at->contains(step.key)) {
        if (found) *found = fmt::format("no key \"{}\" there", printable(step.key, 40));
        return std::nullopt;
      }
      at = &(*at)[step.key];
    }
  }
  if (at->is_null()) {
    if (found) *found = "null";
    return std::nullopt;
  }
  if (at->is_string()) return at->get<std::string>();
  if (at->is_object() || at->is_array()) {
    if (found) *found = at->is_object() ? "an object" : "an array";
    return std::nullopt;
  }
  return at->dump();
}

}  // namespace

std::optional<std::string> capture_value(const Capture& capture, const HttpExchange& exchange,
                                         const CookieJar& jar, std::string* found) {
  if (exchange.status == 0) {
    if (found) *found = fmt::format("no response ({})", exchange.transport_error);
    return std::nullopt;
  }
  std::optional<std::string> value;
  switch (capture.source) {
    case CaptureSource::header: {
      const auto values = exchange.header_values(capture.operand);
      if (values.empty()) {
        if (found)
          *found = fmt::format("no header {} (status {})", capture.operand, exchange.status);
      } else {
        value = values.front();
      }
      break;
    }
    case CaptureSource::cookie: {
      const auto cookies = jar.cookies();
      if (const auto it = cookies.find(capture.operand); it != cookies.end()) {
        value = it->second;
      } else if (found) {
        *found = fmt::format("no cookie {} in the browser (status {})", capture.operand,
                             exchange.status);
      }
      break;
    }
    case CaptureSource::json:
      value = json_value(capture.operand, exchange.body, found);
      break;
    case CaptureSource::body:
      if (capture.pattern) value = capture.pattern->first_group(exchange.body);
      if (!value && found) {
        *found = exchange.body.empty() ? fmt::format("an empty body (status {})", exchange.status)
                                       : fmt::format("no match in the body (status {}, {} bytes)",
                                                     exchange.status, exchange.body.size());
      }
      break;
  }
  if (value && value->size() > kMaxCapturedBytes) {
    if (found)
      *found = fmt::format("a value of {} bytes (at most {})", value->size(), kMaxCapturedBytes);
    return std::nullopt;
  }
  return value;
}

}  // namespace sessim
