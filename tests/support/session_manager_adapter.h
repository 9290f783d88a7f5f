#pragma once

#include <exception>
#include <optional>
#include <string>
#include <vector>

#include "node/session_manager.h"

// The session manager's calls made inline and waited for, for tests: with
// no event loops (StoreCall{}) a store runs each call on the calling thread
// and answers before it returns. The nodes only ever make the asynchronous
// calls.
namespace sessim::testing {

inline ResolvedSession resolve_now(SessionManager& manager,
                                   const std::vector<std::string>& cookie_values) {
  std::optional<ResolvedSession> resolved;
  std::exception_ptr failure;
  manager.resolve_async(cookie_values, StoreCall{},
                        [&](std::optional<ResolvedSession> result, std::exception_ptr error) {
                          resolved = std::move(result);
                          failure = error;
                        });
  if (failure) std::rethrow_exception(failure);
  return std::move(*resolved);
}

// The id the browser's cookie carries from now on ("": unchanged or cleared).
inline std::string apply_now(SessionManager& manager, const SessionDecision& decision,
                             Session& session) {
  std::string cookie_id;
  std::exception_ptr failure;
  manager.apply_async(decision, session, StoreCall{},
                      [&](std::string id, std::exception_ptr error) {
                        cookie_id = std::move(id);
                        failure = error;
                      });
  if (failure) std::rethrow_exception(failure);
  return cookie_id;
}

}  // namespace sessim::testing
