#include "play/transport.h"

#include <algorithm>
#include <chrono>

#include "common/text.h"
#include "net/request_target.h"

namespace sessim {

void exchange_over(HttpClient& client, HttpExchange& exchange, const std::string& body,
                   const std::vector<std::pair<std::string, std::string>>& headers,
                   LastByteHold last_byte) {
  HttpClientRequest request;
  request.last_byte = std::move(last_byte);
  request.method = exchange.method;
  request.target = exchange.target;
  request.body = body;
  if (!exchange.cookie_sent.empty()) request.headers.emplace_back("Cookie", exchange.cookie_sent);
  const bool typed = std::any_of(headers.begin(), headers.end(), [](const auto& header) {
    return iequals(header.first, "Content-Type");
  });
  if (!body.empty() && !typed) {
    request.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
  }
  request.headers.insert(request.headers.end(), headers.begin(), headers.end());
  const auto started = std::chrono::steady_clock::now();
  auto response =
      is_sendable_target(request.target)
          ? client.send(request)
          : HttpClientResponse{0, "the target holds spaces or control characters", {}, {}};
  exchange.duration_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  exchange.status = response.status;
  exchange.transport_error = std::move(response.error);
  exchange.body = std::move(response.body);
  exchange.headers = std::move(response.headers);
}

HttpExchange HttpTransport::send(const Endpoint& origin, const OutgoingRequest& request) {
  HttpClient client(origin.scheme, origin.host, origin.port, origin.verify_tls, limits_,
                    request.keep_alive);
  if (!request.source_address.empty()) client.send_from(request.source_address);
  HttpExchange exchange;
  exchange.method = request.method;
  exchange.target = request.target;
  exchange.cookie_sent = request.cookie_header;
  exchange_over(client, exchange, request.body, request.headers, request.last_byte);
  return exchange;
}

}  // namespace sessim
