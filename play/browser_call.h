#pragma once

#include <string>
#include <vector>

#include "app/app_profile.h"
#include "history/run_result.h"
#include "net/cookie_jar.h"
#include "play/transport.h"
#include "play/variables.h"

namespace sessim {

// How the browser sends the call itself (not the calls before it).
struct BrowserSendOptions {
  std::string source_address;  // "" : the system's choice
  bool keep_alive = true;
  std::string extra_query;  // appended to the target ("delay=100" for sessim's node)
  LastByteHold last_byte;   // held until a release gate lets it go
};

// What one call of a browser came to.
struct BrowserCall {
  // The call's own exchange; when it could not be sent, status 0 and
  // `not_sent` say why (a ${NAME} with no value).
  HttpExchange exchange;
  std::string not_sent;
  std::vector<PreparatoryCall> before;
  std::vector<std::string> captured;  // the variables filled, in order
  // One failed check per capture that found nothing: what was looked for
  // and what came instead.
  std::vector<Check> capture_failures;
};

// Sends `call` as browser `browser`: first the calls listed before it
// (each one's captures filling the next one's ${...}), then the call, with
// the jar's cookies, and takes its captures. The one way a profile's or a
// step's call becomes requests, for the player and the probes alike.
BrowserCall send_browser_call(Transport& transport, const Endpoint& at, CookieJar& jar,
                              Variables& variables, const std::string& browser,
                              const HttpCall& call, const CallValues& values,
                              BrowserSendOptions options = {});

}  // namespace sessim
