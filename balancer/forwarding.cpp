#include "balancer/forwarding.h"

#include "common/text.h"

namespace sessim {

bool is_dropped_header(std::string_view name, std::string_view connection_tokens) {
  static constexpr std::string_view kDropped[] = {"Connection",
                                                  "Keep-Alive",
                                                  "Proxy-Authenticate",
                                                  "Proxy-Authorization",
                                                  "Proxy-Connection",
                                                  "TE",
                                                  "Trailer",
                                                  "Transfer-Encoding",
                                                  "Upgrade",
                                                  "Content-Length",
                                                  "REMOTE_ADDR",
                                                  "REMOTE_PORT",
                                                  "LOCAL_ADDR",
                                                  "LOCAL_PORT",
                                                  "Accept-Encoding"};
  for (const auto dropped : kDropped) {
    if (iequals(name, dropped)) return true;
  }
  while (!connection_tokens.empty()) {
    const auto comma = connection_tokens.find(',');
    if (iequals(trim(connection_tokens.substr(0, comma)), name)) return true;
    if (comma == std::string_view::npos) break;
    connection_tokens.remove_prefix(comma + 1);
  }
  return false;
}

bool is_idempotent(std::string_view method) {
  return method == "GET" || method == "HEAD" || method == "OPTIONS" || method == "PUT" ||
         method == "DELETE" || method == "TRACE";
}

std::vector<bool> eligible_upstreams(const std::vector<bool>& available,
                                     const std::vector<bool>& tried) {
  std::vector<bool> eligible(tried.size(), false);
  bool any = false;
  for (std::size_t i = 0; i < tried.size(); ++i) {
    eligible[i] = !tried[i] && available[i];
    any = any || eligible[i];
  }
  if (!any) {
    for (std::size_t i = 0; i < tried.size(); ++i) eligible[i] = !tried[i];
  }
  return eligible;
}

std::string cookie_header_without(std::string_view header, std::string_view name) {
  if (name.empty()) return std::string(header);
  std::string kept;
  while (!header.empty()) {
    const auto semicolon = header.find(';');
    const auto piece = trim(header.substr(0, semicolon));
    const auto equals = piece.find('=');
    if (!piece.empty() && trim(piece.substr(0, equals)) != name) {
      if (!kept.empty()) kept += "; ";
      kept += std::string(piece);
    }
    if (semicolon == std::string_view::npos) break;
    header.remove_prefix(semicolon + 1);
  }
  return kept;
}

std::string append_forwarded_for(std::string_view existing, std::string_view client_address) {
  if (existing.empty()) return std::string(client_address);
  return std::string(existing) + ", " + std::string(client_address);
}

}  // namespace sessim
