#pragma once

#include <string>
#include <vector>

#include "app/app_profile.h"
#include "app/session_model.h"
#include "cluster/topology.h"
#include "play/transport.h"

// `sessim audit`: what an app does with its sessions across instances,
// found by asking it, each finding with the requests that show it. The
// checks are those a reviewer of session handling makes (OWASP's session
// management list), done against every instance sessim can address.
namespace sessim {

enum class Severity { high, medium, low, info };
std::string_view to_string(Severity severity);
std::optional<Severity> parse_severity(std::string_view name);

struct AuditFinding {
  std::string id;  // "session-fixation", "logout-one-instance", ...
  Severity severity = Severity::info;
  std::string title;                  // one line
  std::string detail;                 // why it matters, what was seen
  std::vector<std::string> evidence;  // the requests, one line each
};

struct AuditReport {
  std::string app;     // the profile's name
  std::string target;  // the entry point or the instances, as the user named them
  SessionModel model;
  std::vector<AuditFinding> findings;  // by severity, then in the order checked
  int requests = 0;
  // Checks that could not be made here, with the reason ("one instance:
  // sharing and logout across instances need two").
  std::vector<std::string> skipped;
  // Why the audit is incomplete ("" when every request was answered).
  std::string incomplete;
};

struct AuditOptions {
  int id_samples = 20;   // fresh session ids for the length and entropy estimate
  int write_rounds = 10;  // rounds of concurrent writes to one session, each with new values
  bool https = false;    // the entry point is https: the Secure flag is expected
};

// Audits the app behind `topology` (already up) through `profile`. Throws
// EnvironmentError when no instance answers at all.
AuditReport audit_app(const AppProfile& profile, Topology& topology, Transport& transport,
                      const AuditOptions& options);

// Bits of entropy in a set of session ids, estimated per character position
// (log2 of the distinct characters seen there, at most log2 of the sample
// count) and summed: an upper bound a short sample cannot overstate much,
// and 0 for positions that never change.
double estimate_id_entropy_bits(const std::vector<std::string>& ids);

}  // namespace sessim
