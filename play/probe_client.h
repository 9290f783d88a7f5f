#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/app_profile.h"
#include "cluster/topology.h"
#include "net/cookie_jar.h"
#include "play/transport.h"
#include "play/variables.h"

namespace sessim {

// The attribute the probes write (never one a story uses).
inline constexpr const char* kProbeAttribute = "sessim_probe";

// One probing browser of the session probe and of `sessim audit`: a cookie
// jar of its own and the profile's calls, each request written down as one
// line of evidence ("write: GET /session/set?... with cookie (none) -> 200,
// cookie set to 85t4vgzh…").
class ProbeClient {
 public:
  // `jar`: a fresh one, or one shared with other clients (tabs of one
  // browser; CookieJar is thread-safe, `evidence` is not).
  ProbeClient(const AppProfile& profile, Transport& transport, std::vector<std::string>& evidence,
              std::shared_ptr<CookieJar> jar = std::make_shared<CookieJar>());

  // Sends `call` for `attribute` with `value` (and a user for login) to one
  // instance; `extra_query` ("delay=100") is appended to the target;
  // `last_byte` as in OutgoingRequest.
  HttpExchange call(const Endpoint& at, const HttpCall& call, const std::string& value,
                    const std::string& what, const std::string& attribute = kProbeAttribute,
                    const std::string& extra_query = "", LastByteHold last_byte = {});
  // A write that the app answered with 2xx.
  bool set(const Endpoint& at, const std::string& value, const std::string& what);
  // The value read back; nullopt for "not set" or no usable answer, which
  // `answered` tells apart.
  std::optional<std::string> get(const Endpoint& at, const std::string& what, bool& answered);

  // The session cookie held now, "" for none.
  std::string cookie() const;
  // From now on the browser holds only this session cookie ("" : none).
  void hold(const std::string& value);

 private:
  std::string sent_cookie(const std::string& header) const;
  std::string set_cookie_note(const HttpExchange& exchange) const;

  const AppProfile& profile_;
  Transport& transport_;
  std::vector<std::string>& evidence_;
  std::shared_ptr<CookieJar> jar_;
  std::shared_ptr<Variables> variables_;  // its captures (a login form's token), and --var
};

// A cookie value of the same length and alphabet as a real one, that no
// server can have issued.
std::string forged_cookie_like(const std::string& real);

// A fresh value for a probe write: "label-1a2b3c4d".
std::string fresh_probe_value(const char* label);

}  // namespace sessim
