#pragma once

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "node/session.h"

namespace sessim {

// The store could not be reached or answered with an error. Nodes turn this
// into 503, never into a missing session.
class StoreUnavailable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Where sessions live. Implementations are thread-safe; every method may
// throw StoreUnavailable.
class SessionStore {
 public:
  virtual ~SessionStore() = default;

  // The session with this id, or nullopt if it does not exist or has expired.
  // Callers pass only ids accepted by is_valid_session_id().
  virtual std::optional<Session> load(const std::string& id) = 0;

  // Writes a new session whole; for a loaded one, writes its changed
  // attributes, access time and timeout, leaving other attributes as they are
  // in the store. Marks the session saved.
  virtual void save(Session& session) = 0;

  virtual void remove(const std::string& id) = 0;

  // "local" or "redis"; shown in reports.
  virtual std::string kind() const = 0;
};

}  // namespace sessim
