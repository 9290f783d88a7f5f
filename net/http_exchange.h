#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sessim {

// One HTTP exchange as a client saw it.
struct HttpExchange {
  std::string method;
  std::string target;
  std::string cookie_sent;  // the Cookie header sent, "" if none
  int status = 0;           // 0 when no response came
  std::string transport_error;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  double duration_ms = 0;

  // The first response header with this name (case-insensitive), or "".
  std::string header(std::string_view name) const;
  std::vector<std::string> header_values(std::string_view name) const;
};

}  // namespace sessim
