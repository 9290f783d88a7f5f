#pragma once

#include <string_view>

// The HTTP contract between sessim's nodes, its balancer and its clients.
// Kept in one place because reports are built from these headers, and an app
// under test only needs to know this file to be reported on as precisely.
namespace sessim::protocol {

inline constexpr std::string_view kSessionCookie = "SESSION";

// Response headers a sessim node adds to every answer.
inline constexpr std::string_view kNodeHeader = "X-Sessim-Node";
// What the request did to the session: kept, created, replaced, rotated,
// ended, missed or none (SessionEffect, vocab/session_effect.h).
inline constexpr std::string_view kSessionHeader = "X-Sessim-Session";
// unknown | malformed, only when the session was replaced.
inline constexpr std::string_view kMissReasonHeader = "X-Sessim-Miss-Reason";

// The reference app's endpoints (a Spring Boot controller with two methods).
inline constexpr std::string_view kSetSessionPath = "/set-session";
inline constexpr std::string_view kGetSessionPath = "/get-session";
inline constexpr std::string_view kSessionValueParam = "sessionVal";
inline constexpr std::string_view kSessionValueAttribute = "sessionVal";
inline constexpr std::string_view kHealthPath = "/healthz";

// Endpoints for scripted scenarios (docs/node.md).
inline constexpr std::string_view kAttributePrefix = "/session/attributes/";
inline constexpr std::string_view kSessionPath = "/session";
inline constexpr std::string_view kLoginPath = "/login";
inline constexpr std::string_view kLogoutPath = "/logout";
inline constexpr std::string_view kUserParam = "user";
inline constexpr std::string_view kUserAttribute = "user";

}  // namespace sessim::protocol
