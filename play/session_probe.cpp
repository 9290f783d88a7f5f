#include "play/session_probe.h"

#include <fmt/format.h>

#include <optional>
#include <string>

#include "play/probe_client.h"

namespace sessim {

SessionModel probe_session_model(const AppProfile& profile, const std::vector<Endpoint>& instances,
                                 bool instances_are_separate, Transport& transport) {
  SessionModel model;
  model.learned_by = "probed";
  // Where the data lives: write twice; a cookie that changed with the
  // content and still reads the first value on its own is the session.
  // An instance that does not answer at all (down) is passed over.
  ProbeClient writer(profile, transport, model.evidence);
  const auto v1 = fresh_probe_value("one");
  const auto v2 = fresh_probe_value("two");
  std::vector<const Endpoint*> answering;
  bool written = false;
  for (const auto& instance : instances) {
    if (!written) {
      const auto exchange = writer.call(instance, profile.set, v1, "write");
      if (exchange.status == 0) continue;
      if (exchange.status < 200 || exchange.status > 299) {
        model.evidence.push_back("the app refused the first write: nothing more is known");
        return model;
      }
      written = true;
    }
    answering.push_back(&instance);
  }
  if (!written) {
    model.evidence.push_back("no instance answered: nothing is known");
    return model;
  }
  const auto& first = *answering.front();
  const Endpoint* second = instances_are_separate && answering.size() > 1 ? answering[1] : nullptr;
  const auto c1 = writer.cookie();
  if (c1.empty()) {
    model.evidence.push_back(fmt::format(
        "the write set no cookie named {}: the profile's cookie is not the app's", profile.cookie));
    return model;
  }
  writer.set(first, v2, "write again");
  const auto c2 = writer.cookie();
  bool answered = false;
  if (writer.get(first, "read back", answered) != v2) {
    model.evidence.push_back("the app did not read back what it stored: nothing more is known");
    return model;
  }
  ProbeClient old_copy(profile, transport, model.evidence);
  old_copy.hold(c1);
  const auto through_old = old_copy.get(first, "read with the first cookie", answered);
  if (c1 != c2 && through_old == v1) {
    model.home = SessionHome::cookie;
  } else if (answered) {
    model.home = SessionHome::server;
  }

  // Sharing: the session read through another instance.
  if (second) {
    ProbeClient elsewhere(profile, transport, model.evidence);
    elsewhere.hold(c2);
    const auto there = elsewhere.get(*second, "read on another instance", answered);
    if (answered) {
      model.sharing = there == v2 ? SessionSharing::shared : SessionSharing::per_instance;
    }
  }

  // An id the app never issued.
  if (model.home == SessionHome::server) {
    ProbeClient forger(profile, transport, model.evidence);
    const auto forged = forged_cookie_like(c2);
    forger.hold(forged);
    const auto v3 = fresh_probe_value("forged");
    forger.set(first, v3, "write with a made-up cookie");
    const auto now_held = forger.cookie();
    if (now_held.empty()) {
      model.unknown_id = UnknownIdHandling::cleared;
    } else if (now_held != forged) {
      model.unknown_id = UnknownIdHandling::replaced;
    } else {
      const auto back = forger.get(first, "read with the made-up cookie", answered);
      if (answered) {
        model.unknown_id = back == v3 ? UnknownIdHandling::adopted : UnknownIdHandling::ignored;
      }
    }
  }

  // Login: does the id change, and does a copy of the old cookie still read?
  if (profile.login) {
    ProbeClient user(profile, transport, model.evidence);
    const auto before = fresh_probe_value("before-login");
    if (user.set(first, before, "write before login")) {
      const auto old_cookie = user.cookie();
      const auto login = user.call(first, *profile.login, "", "login");
      const auto new_cookie = user.cookie();
      if (login.status >= 200 && login.status <= 399 && !new_cookie.empty()) {
        if (new_cookie == old_cookie) {
          model.login = LoginEffect::keeps_id;
        } else {
          ProbeClient copy(profile, transport, model.evidence);
          copy.hold(old_cookie);
          const auto read = copy.get(first, "read with the cookie from before login", answered);
          if (answered) {
            model.login = read == before ? LoginEffect::rotates_old_live : LoginEffect::rotates;
          }
        }
      }
    }
  }

  // Logout: does a copy of the cookie taken before it still read the session?
  if (profile.logout) {
    ProbeClient user(profile, transport, model.evidence);
    const auto value = fresh_probe_value("before-logout");
    if (user.set(first, value, "write before logout")) {
      const auto copied = user.cookie();
      const auto logout = user.call(first, *profile.logout, "", "logout");
      if (logout.status >= 200 && logout.status <= 399) {
        ProbeClient copy(profile, transport, model.evidence);
        copy.hold(copied);
        const auto read =
            copy.get(first, "read with a copy of the cookie from before logout", answered);
        if (answered) {
          model.logout = read == value ? LogoutEffect::cookie_only : LogoutEffect::ends_session;
        }
      }
    }
  }
  return model;
}

}  // namespace sessim
