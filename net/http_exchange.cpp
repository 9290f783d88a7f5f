#include "net/http_exchange.h"

#include "common/text.h"

namespace sessim {

std::string HttpExchange::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (iequals(key, name)) return value;
  }
  return "";
}

std::vector<std::string> HttpExchange::header_values(std::string_view name) const {
  std::vector<std::string> values;
  for (const auto& [key, value] : headers) {
    if (iequals(key, name)) values.push_back(value);
  }
  return values;
}

}  // namespace sessim
