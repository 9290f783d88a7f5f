#include "node/session_json.h"

#include <nlohmann/json.hpp>

namespace sessim {

std::string session_json(const Session& session) {
  nlohmann::json attributes = nlohmann::json::object();
  for (const auto& [name, value] : session.attributes()) attributes[name] = value;
  const nlohmann::json document{{"id", session.id()},
                                {"creationTime", session.creation_time_ms()},
                                {"lastAccessedTime", session.last_accessed_time_ms()},
                                {"maxInactiveInterval", session.max_inactive_interval_s()},
                                {"attributes", attributes}};
  return document.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace sessim
