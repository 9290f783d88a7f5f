#pragma once

#include <string>
#include <vector>

// How sessim's nodes treat sessions, as the flags, the scenario's cluster:
// keys, the nodes and the reports name it.
namespace sessim {

// How a store writes a session it loaded earlier.
enum class SaveMode {
  // Only the attributes this request changed, and only into a session that
  // still exists: Spring Session's default. Two requests that change
  // different attributes both survive; a session deleted meanwhile (logout)
  // stays deleted.
  delta,
  // The whole session as this request saw it, unconditionally, like
  // express-session with connect-redis: the last writer wins, a concurrent
  // change to another attribute vanishes, a deleted session comes back.
  full
};
std::string to_string(SaveMode mode);
SaveMode parse_save_mode(const std::string& name);  // throws UsageError
const std::vector<std::string>& save_mode_names();  // {"delta", "full"}

// What a node does when a request's cookie names no session it knows.
enum class MissPolicy {
  create,  // Spring's getSession(true): a new session and a replacement cookie
  keep     // express-session's saveUninitialized:false: nothing is saved or
           // sent unless the request writes to the session
};
MissPolicy parse_miss_policy(const std::string& name);  // throws UsageError
std::string to_string(MissPolicy policy);
const std::vector<std::string>& miss_policy_names();  // {"create", "keep"}

// When a request's session changes reach the store (Spring Session's
// FlushMode): at the end of the request, or as soon as the handler made them,
// before anything slow that follows.
enum class FlushMode { on_request_end, immediate };
std::string to_string(FlushMode mode);
FlushMode parse_flush_mode(const std::string& name);  // throws UsageError
const std::vector<std::string>& flush_mode_names();   // {"on-request-end", "immediate"}

}  // namespace sessim
