#include "play/probe_client.h"

#include <fmt/format.h>

#include <algorithm>

#include "common/random.h"
#include "common/text.h"
#include "history/run_result.h"
#include "net/cookie.h"
#include "play/browser_call.h"

namespace sessim {
namespace {

std::string shown_cookie(const std::string& value) {
  return value.empty() ? "(none)" : abbreviate(value, 12);
}

}  // namespace

ProbeClient::ProbeClient(const AppProfile& profile, Transport& transport,
                         std::vector<std::string>& evidence, std::shared_ptr<CookieJar> jar)
    : profile_(profile),
      transport_(transport),
      evidence_(evidence),
      jar_(std::move(jar)),
      variables_(std::make_shared<Variables>(profile.variables)) {}

HttpExchange ProbeClient::call(const Endpoint& at, const HttpCall& call, const std::string& value,
                               const std::string& what, const std::string& attribute,
                               const std::string& extra_query, LastByteHold last_byte) {
  BrowserSendOptions options;
  options.extra_query = extra_query;
  options.last_byte = std::move(last_byte);
  const auto cookie_before = jar_->cookie_header(call.path);
  auto sent = send_browser_call(transport_, at, *jar_, *variables_, "probe", call,
                                {attribute, value, "sessim-probe"}, std::move(options));
  auto& exchange = sent.exchange;
  std::string first;
  for (const auto& before : sent.before) {
    first +=
        fmt::format("{} {} -> {}, then ", before.method, variables_->mask(before.target),
                    before.status == 0 ? before.transport_error : std::to_string(before.status));
  }
  evidence_.push_back(variables_->mask(fmt::format(
      "{}: {}{} {} with cookie {} -> {}{}", what, first, exchange.method, exchange.target,
      shown_cookie(
          sent_cookie(exchange.cookie_sent.empty() ? cookie_before : exchange.cookie_sent)),
      exchange.status == 0 ? exchange.transport_error : std::to_string(exchange.status),
      set_cookie_note(exchange))));
  for (const auto& failure : sent.capture_failures) {
    evidence_.push_back(fmt::format("{}: {} found {}", what, failure.what, failure.actual));
  }
  return exchange;
}

bool ProbeClient::set(const Endpoint& at, const std::string& value, const std::string& what) {
  const auto exchange = call(at, profile_.set, value, what);
  return exchange.status >= 200 && exchange.status <= 299;
}

std::optional<std::string> ProbeClient::get(const Endpoint& at, const std::string& what,
                                            bool& answered) {
  const auto exchange = call(at, profile_.get, "", what);
  const auto read = read_value(profile_, exchange.status, exchange.body);
  answered = read.answered;
  if (!read.answered || read.absent) return std::nullopt;
  return read.value;
}

std::string ProbeClient::cookie() const {
  const auto cookies = jar_->cookies();
  const auto found = cookies.find(profile_.cookie);
  return found == cookies.end() ? "" : found->second;
}

void ProbeClient::hold(const std::string& value) {
  CookieJar fresh;
  if (!value.empty()) {
    HttpExchange planted;
    planted.headers.emplace_back("Set-Cookie",
                                 fmt::format("{}={}; Path=/", profile_.cookie, value));
    fresh.remember(planted);
  }
  jar_->replace_with(fresh);
}

std::string ProbeClient::sent_cookie(const std::string& header) const {
  const auto values = cookie_values(parse_cookie_header(header), profile_.cookie);
  return values.empty() ? "" : values.front();
}

std::string ProbeClient::set_cookie_note(const HttpExchange& exchange) const {
  const auto set = set_session_cookie(exchange, profile_);
  if (!set) return "";
  return set->empty() ? ", cookie deleted" : fmt::format(", cookie set to {}", shown_cookie(*set));
}

// A cookie value of the same length and alphabet as a real one, that no
// server can have issued.
std::string forged_cookie_like(const std::string& real) {
  const std::string alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  const auto bytes =
      secure_random_bytes(std::max<std::size_t>(22, std::min<std::size_t>(real.size(), 128)));
  std::string forged;
  for (const unsigned char byte : bytes) forged += alphabet[byte % alphabet.size()];
  return forged;
}

std::string fresh_probe_value(const char* label) {
  return fmt::format("{}-{}", label, secure_random_hex(4));
}

}  // namespace sessim
