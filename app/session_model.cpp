#include "app/session_model.h"

#include <fmt/format.h>
#include <fmt/ranges.h>


#include "common/name_table.h"

namespace sessim {

namespace {

constexpr NameTable<SessionHome, 3> kHomes{{{
    {SessionHome::unknown, "unknown"},
    {SessionHome::server, "server"},
    {SessionHome::cookie, "cookie"},
}}};

constexpr NameTable<SessionSharing, 3> kSharings{{{
    {SessionSharing::unknown, "unknown"},
    {SessionSharing::shared, "shared"},
    {SessionSharing::per_instance, "per-instance"},
}}};

constexpr NameTable<UnknownIdHandling, 5> kUnknownIds{{{
    {UnknownIdHandling::unknown, "unknown"},
    {UnknownIdHandling::replaced, "replaced"},
    {UnknownIdHandling::adopted, "adopted"},
    {UnknownIdHandling::cleared, "cleared"},
    {UnknownIdHandling::ignored, "ignored"},
}}};

constexpr NameTable<LoginEffect, 4> kLogins{{{
    {LoginEffect::unknown, "unknown"},
    {LoginEffect::rotates, "rotates"},
    {LoginEffect::rotates_old_live, "rotates-old-id-live"},
    {LoginEffect::keeps_id, "keeps-id"},
}}};

constexpr NameTable<LogoutEffect, 3> kLogouts{{{
    {LogoutEffect::unknown, "unknown"},
    {LogoutEffect::ends_session, "ends-session"},
    {LogoutEffect::cookie_only, "cookie-only"},
}}};

std::string where_phrase(const SessionModel& model) {
  switch (model.home) {
    case SessionHome::cookie:
      return "sessions in the cookie itself (any instance reads them)";
    case SessionHome::server: {
      std::string phrase = "sessions on the server";
      if (model.in_node_memory == true) phrase = "sessions in each node's memory";
      if (model.sharing == SessionSharing::shared) {
        phrase = model.in_node_memory == false ? "sessions in a shared store"
                                               : phrase + ", shared by every instance";
      } else if (model.sharing == SessionSharing::per_instance) {
        phrase += model.in_node_memory == true ? ", one per node" : ", one store per instance";
      } else {
        phrase += ", sharing between instances unknown";
      }
      return phrase;
    }
    case SessionHome::unknown:
      break;
  }
  return "where sessions live is unknown";
}


// Sets `target` from `text` by `table`, or says what the field accepts.
template <typename Enum, std::size_t Size>
std::string set_from(const NameTable<Enum, Size>& table, std::string_view field,
                     std::string_view text, Enum& target) {
  if (const auto value = table.parse(text)) {
    target = *value;
    return "";
  }
  return fmt::format("{} '{}' is not one of {}", field, text, fmt::join(table.names(), ", "));
}

}  // namespace

std::optional<bool> SessionModel::other_instances_see_sessions() const {
  if (home == SessionHome::cookie) return true;
  if (sharing == SessionSharing::shared) return true;
  if (sharing == SessionSharing::per_instance) return false;
  return std::nullopt;
}

SessionModel sessim_node_model(StoreKind store, bool login_rotates) {
  SessionModel model;
  model.learned_by = "sessim node";
  model.home = SessionHome::server;
  const bool shared = store != StoreKind::local;
  model.sharing = shared ? SessionSharing::shared : SessionSharing::per_instance;
  model.in_node_memory = !shared;
  model.unknown_id = UnknownIdHandling::replaced;
  model.login = login_rotates ? LoginEffect::rotates : LoginEffect::keeps_id;
  model.logout = LogoutEffect::ends_session;
  return model;
}

std::string describe(const SessionModel& model) {
  std::string line = where_phrase(model);
  if (model.unknown_id != UnknownIdHandling::unknown) {
    line += fmt::format("; unknown ids {}", to_string(model.unknown_id));
  }
  switch (model.login) {
    case LoginEffect::rotates:
      line += "; login rotates the id";
      break;
    case LoginEffect::rotates_old_live:
      line += "; login changes the id but the old one still works";
      break;
    case LoginEffect::keeps_id:
      line += "; login keeps the id";
      break;
    case LoginEffect::unknown:
      break;
  }
  switch (model.logout) {
    case LogoutEffect::ends_session:
      line += "; logout ends the session";
      break;
    case LogoutEffect::cookie_only:
      line += "; logout only deletes the browser's cookie (a copy still works)";
      break;
    case LogoutEffect::unknown:
      break;
  }
  return fmt::format("{} ({})", line, model.learned_by);
}

std::string set_session_model_field(SessionModel& model, std::string_view field,
                                    std::string_view text) {
  if (field == "home") return set_from(kHomes, field, text, model.home);
  if (field == "sharing") return set_from(kSharings, field, text, model.sharing);
  if (field == "unknown-id" || field == "unknown_id") {
    return set_from(kUnknownIds, field, text, model.unknown_id);
  }
  if (field == "login") return set_from(kLogins, field, text, model.login);
  if (field == "logout") return set_from(kLogouts, field, text, model.logout);
  return fmt::format("unknown field '{}' (fields: home, sharing, unknown-id, login, logout)",
                     field);
}

std::string_view to_string(SessionHome value) { return kHomes.name(value); }
std::string_view to_string(SessionSharing value) { return kSharings.name(value); }
std::string_view to_string(UnknownIdHandling value) { return kUnknownIds.name(value); }
std::string_view to_string(LoginEffect value) { return kLogins.name(value); }
std::string_view to_string(LogoutEffect value) { return kLogouts.name(value); }
std::optional<SessionHome> parse_session_home(std::string_view name) { return kHomes.parse(name); }
std::optional<SessionSharing> parse_session_sharing(std::string_view name) {
  return kSharings.parse(name);
}
std::optional<UnknownIdHandling> parse_unknown_id_handling(std::string_view name) {
  return kUnknownIds.parse(name);
}
std::optional<LoginEffect> parse_login_effect(std::string_view name) { return kLogins.parse(name); }
std::optional<LogoutEffect> parse_logout_effect(std::string_view name) {
  return kLogouts.parse(name);
}

}  // namespace sessim
