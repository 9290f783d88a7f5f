#pragma once

#include <string>

#include "node/session.h"

namespace sessim {

// GET /session's body: the session as Spring Session's repository holds it
// (id, creationTime, lastAccessedTime, maxInactiveInterval, attributes).
// Invalid UTF-8 in a value is replaced, never passed on.
std::string session_json(const Session& session);

}  // namespace sessim
