#include "play/browser_call.h"

#include <fmt/format.h>

#include "play/captures.h"

namespace sessim {
namespace {

// Fills and sends one call; false with `not_sent` set when it cannot be.
bool send_one(Transport& transport, const Endpoint& at, CookieJar& jar, Variables& variables,
              const std::string& browser, const HttpCall& call, const CallValues& values,
              BrowserSendOptions options, HttpExchange& exchange, std::string& not_sent) {
  std::string problem;
  const auto prepared = prepare_call(call, values, variables.lookup_for(browser), &problem);
  exchange.method = call.method;
  exchange.target = call.path;
  if (!prepared) {
    not_sent = problem;
    exchange.transport_error = "not sent: " + problem;
    return false;
  }
  auto target = prepared->target;
  if (!options.extra_query.empty()) {
    target += (target.find('?') == std::string::npos ? "?" : "&") + options.extra_query;
  }
  OutgoingRequest request;
  request.method = prepared->method;
  request.target = target;
  request.body = prepared->body;
  request.headers = prepared->headers;
  request.cookie_header = jar.cookie_header(target);
  request.source_address = options.source_address;
  request.keep_alive = options.keep_alive;
  request.last_byte = std::move(options.last_byte);
  exchange = transport.send(at, request);
  jar.remember(exchange);
  return true;
}

void take_captures(const HttpCall& call, const HttpExchange& exchange, const CookieJar& jar,
                   Variables& variables, const std::string& browser, BrowserCall& outcome) {
  for (const auto& capture : call.captures) {
    std::string found;
    if (auto value = capture_value(capture, exchange, jar, &found)) {
      variables.capture(browser, capture.name, std::move(*value), capture.secret);
      outcome.captured.push_back(capture.name);
      continue;
    }
    Check check;
    check.what = "capture " + capture.name;
    check.expected = capture.describe();
    check.actual = found;
    check.position = capture.position;
    if (exchange.method != outcome.exchange.method || exchange.target != outcome.exchange.target) {
      check.actual += fmt::format(" (in {} {})", exchange.method, exchange.target);
    }
    outcome.capture_failures.push_back(std::move(check));
  }
}

}  // namespace

BrowserCall send_browser_call(Transport& transport, const Endpoint& at, CookieJar& jar,
                              Variables& variables, const std::string& browser,
                              const HttpCall& call, const CallValues& values,
                              BrowserSendOptions options) {
  BrowserCall outcome;
  for (const auto& first : call.before) {
    HttpExchange exchange;
    std::string not_sent;
    BrowserSendOptions plain;
    plain.source_address = options.source_address;
    plain.keep_alive = options.keep_alive;
    const bool sent =
        send_one(transport, at, jar, variables, browser, first, values, plain, exchange, not_sent);
    outcome.before.push_back({exchange.method, exchange.target, exchange.status,
                              exchange.transport_error, exchange.duration_ms});
    if (!sent) {
      outcome.not_sent = fmt::format("{} {} before it: {}", first.method, first.path, not_sent);
      outcome.exchange.method = call.method;
      outcome.exchange.target = call.path;
      outcome.exchange.transport_error = "not sent: " + outcome.not_sent;
      return outcome;
    }
    outcome.exchange.method = call.method;  // so capture failures name the earlier call
    outcome.exchange.target = call.path;
    take_captures(first, exchange, jar, variables, browser, outcome);
  }
  if (!send_one(transport, at, jar, variables, browser, call, values, std::move(options),
                outcome.exchange, outcome.not_sent)) {
    return outcome;
  }
  take_captures(call, outcome.exchange, jar, variables, browser, outcome);
  return outcome;
}

}  // namespace sessim
