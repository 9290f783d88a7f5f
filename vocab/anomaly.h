#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

// The checker's vocabulary: what kind of anomaly a history proves, and what
// is known to have caused it. Names appear only at the edges (reports, the
// scenario format's `anomalies:` lists, JSON).
namespace sessim {

enum class AnomalyKind {
  lost_session,         // a read found gone a value its session held
  read_your_writes,     // a client's read returned another value than its own completed write
  stale_read,           // a read returned a value older than a write completed before it began
  lost_update,          // of two concurrent writes to one session, one vanished
  resurrected_session,  // a value from before a completed logout was read after it
  early_expiry,         // the session was gone after an idle time shorter than its timeout
  late_expiry           // the session was still alive after its idle timeout and the tolerance
};
std::string to_string(AnomalyKind kind);  // "lost-session", ...
std::optional<AnomalyKind> parse_anomaly_kind(const std::string& name);
const std::vector<std::string>& anomaly_kind_names();

// Why, where the history and the session model tell; unknown otherwise.
enum class AnomalyCause {
  unknown,
  node_fault,      // the node that served the write crashed, stopped or restarted in between
  store_restart,   // Redis came back empty in between
  store_failover,  // Redis failed over to a replica in between (asynchronous replication)
  never_seen,      // another instance served the read, and instances are known not to share
  cookie_copy,     // the session lives in the cookie: a copy outlives the logout
  other_instance,  // the logout ran on an instance that does not share sessions with the reader's
  cookie_deleted,  // the browser had no cookie left: an earlier response (not a logout) deleted it
  concurrent_write,    // a write running at the same time saved the whole session over this one
  logout_cookie_only,  // the app's logout only deletes the browser's cookie
  replaced_earlier     // the browser's cookie named an empty session an earlier response made
};
std::string_view to_string(AnomalyCause cause);  // "", "node-fault", ...
std::optional<AnomalyCause> parse_anomaly_cause(std::string_view name);

}  // namespace sessim
