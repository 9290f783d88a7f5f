#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vocab/store_kind.h"

// What is known about how the system under test keeps sessions: learned by
// probing the app before a run (scenario/session_probe.h), declared by its
// profile, or known because the nodes are sessim's own. The checker's causes
// and every explanation use only what the model established; every field
// starts unknown, and "unknown" is an honest answer the reports print.
namespace sessim {

// Where the session's data lives.
enum class SessionHome {
  unknown,
  server,  // the cookie names the session; the data is on the server side
  cookie   // the cookie is the session (signed data): any instance reads it
};

// For server-side sessions: does one instance see a session made on another?
enum class SessionSharing { unknown, shared, per_instance };

// What a request whose cookie names a session the app does not know gets.
enum class UnknownIdHandling {
  unknown,
  replaced,  // a new session under a new id (Spring, Tomcat, Django, Express)
  adopted,   // the client's id is taken as it is (PHP without use_strict_mode)
  cleared,   // the cookie is deleted
  ignored    // the cookie is left alone and no session is made
};

// What a login does to the id the browser held before.
enum class LoginEffect {
  unknown,
  rotates,           // a new id, and the old one no longer reads the session
  rotates_old_live,  // a new id, but the old one still reads the session
  keeps_id           // the same id goes on (session fixation stays possible)
};

// What a logout does to a copy of the cookie taken before it.
enum class LogoutEffect {
  unknown,
  ends_session,  // the copy no longer reads the session (invalidated server-side)
  cookie_only    // only the browser's cookie is deleted; a copy still works
};

struct SessionModel {
  // How the model was learned: "sessim node", "probed", "profile", "not probed".
  std::string learned_by = "not probed";
  SessionHome home = SessionHome::unknown;
  SessionSharing sharing = SessionSharing::unknown;
  // true: sessions live in the node process's memory, so a crash or restart
  // takes them along; nullopt: not known.
  std::optional<bool> in_node_memory;
  UnknownIdHandling unknown_id = UnknownIdHandling::unknown;
  LoginEffect login = LoginEffect::unknown;
  LogoutEffect logout = LogoutEffect::unknown;
  // One line per probe: what was sent and what came back.
  std::vector<std::string> evidence;

  // Can a node that did not make a session have its data? true, false, or
  // nullopt when not known.
  std::optional<bool> other_instances_see_sessions() const;
};

// The model of sessim's own node with the given store (local | redis).
SessionModel sessim_node_model(StoreKind store, bool login_rotates = true);

// "sessions on the server, one store per instance; unknown ids replaced;
// login rotates the id; logout ends the session (probed)".
std::string describe(const SessionModel& model);

// Sets one field by its name (home, sharing, unknown-id or unknown_id,
// login, logout) from one of its words; "" when done, else what is wrong
// ("sharing 'sometimes' is not one of unknown, shared, per-instance"). The
// profile's `session-model:` and the history's `model` both read through it.
std::string set_session_model_field(SessionModel& model, std::string_view field,
                                    std::string_view text);

std::string_view to_string(SessionHome value);
std::string_view to_string(SessionSharing value);
std::string_view to_string(UnknownIdHandling value);
std::string_view to_string(LoginEffect value);
std::string_view to_string(LogoutEffect value);
std::optional<SessionHome> parse_session_home(std::string_view name);
std::optional<SessionSharing> parse_session_sharing(std::string_view name);
std::optional<UnknownIdHandling> parse_unknown_id_handling(std::string_view name);
std::optional<LoginEffect> parse_login_effect(std::string_view name);
std::optional<LogoutEffect> parse_logout_effect(std::string_view name);

}  // namespace sessim
