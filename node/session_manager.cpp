#include "node/session_manager.h"

#include "node/session_id.h"

namespace sessim {

std::string to_string(MissReason reason) {
  switch (reason) {
    case MissReason::none:
      return "";
    case MissReason::unknown:
      return "unknown";
    case MissReason::malformed:
      return "malformed";
  }
  return "";
}

SessionManager::SessionManager(SessionStore& store, const Clock& clock, int max_inactive_interval_s,
                               SessionIdSource& ids)
    : store_(store), clock_(clock), max_inactive_interval_s_(max_inactive_interval_s), ids_(ids) {}

// A resolution in progress: the cookie values still to try.
struct SessionManager::Lookup {
  std::vector<std::string> values;
  std::size_t next = 0;
  MissReason reason = MissReason::none;
  std::int64_t now = 0;
  StoreCall call;
  Resolved done;
};

void SessionManager::resolve_async(std::vector<std::string> cookie_values, const StoreCall& call,
                                   Resolved done) {
  auto lookup = std::make_shared<Lookup>();
  lookup->values = std::move(cookie_values);
  lookup->now = clock_.now_ms();
  lookup->call = call;
  lookup->done = std::move(done);
  look_up_next(lookup);
}

void SessionManager::look_up_next(const std::shared_ptr<Lookup>& lookup) {
  while (lookup->next < lookup->values.size()) {
    const auto id = decode_session_cookie(lookup->values[lookup->next++]);
    if (!id) {
      if (lookup->reason == MissReason::none) lookup->reason = MissReason::malformed;
      continue;
    }
    store_.load_for_request_async(
        *id, lookup->now, lookup->call,
        [this, lookup](std::optional<Session> session, std::exception_ptr error) {
          if (error) return lookup->done(std::nullopt, error);
          if (session) {
            return lookup->done(ResolvedSession{std::move(*session), SessionLookup::found},
                                nullptr);
          }
          lookup->reason = MissReason::unknown;
          look_up_next(lookup);
        });
    return;
  }
  auto session = Session::create(ids_.next(), lookup->now, max_inactive_interval_s_);
  const auto found = lookup->values.empty() ? SessionLookup::no_cookie : SessionLookup::missed;
  lookup->done(ResolvedSession{std::move(session), found, lookup->reason}, nullptr);
}

void SessionManager::apply_async(const SessionDecision& decision, Session& session,
                                 const StoreCall& call, Applied done) {
  using Store = SessionDecision::Store;
  const bool new_cookie = decision.cookie == SessionDecision::Cookie::new_id;
  switch (decision.store) {
    case Store::nothing:
      return done("", nullptr);
    case Store::save:
      return store_.save_async(
          session, call, [&session, new_cookie, done = std::move(done)](std::exception_ptr error) {
            done(new_cookie && !error ? session.id() : "", error);
          });
    case Store::remove:
      return store_.remove_async(
          session.id(), call,
          [done = std::move(done)](std::exception_ptr error) { done("", error); });
    case Store::move_to_new_id: {
      const bool was_saved = !session.is_new();
      auto rotated = std::make_shared<Session>(session.with_new_id(ids_.next()));
      return store_.save_async(*rotated, call,
                               [this, rotated, was_saved, old_id = session.id(), call, new_cookie,
                                done = std::move(done)](std::exception_ptr error) {
                                 const auto cookie_id = new_cookie ? rotated->id() : "";
                                 if (error || !was_saved)
                                   return done(error ? "" : cookie_id, error);
                                 store_.remove_async(old_id, call,
                                                     [cookie_id, done](std::exception_ptr removed) {
                                                       done(removed ? "" : cookie_id, removed);
                                                     });
                               });
    }
  }
  done("", nullptr);
}

}  // namespace sessim
