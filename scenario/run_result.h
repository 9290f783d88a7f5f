#pragma once

#include <optional>
#include <string>
#include <vector>

#include "scenario/browser.h"

namespace sessim {

// What a request's response means for the story.
enum class RequestResult {
  ok,    // a write that answered 200, or a read that returned the expected value
  miss,  // a read that answered 200 with something other than the expected value
  error  // no response, or a status other than 200
};
std::string to_string(RequestResult result);

// One expectation checked against one response.
struct Check {
  std::string what;  // value | absent | status | node | session
  std::string expected;
  std::string actual;
  bool passed = false;
};

// A check of what a read returned (value or absence), as opposed to status,
// node or session checks.
bool is_read_check(const Check& check);

// One request of a run, with what the cluster's headers said about it.
struct RequestRecord {
  int number = 0;
  std::string client;
  std::string action;  // "set-session", "get-session"
  bool is_read = false;
  std::optional<std::string> expected;  // reads: the value that should come back
  HttpExchange exchange;
  std::string node;             // X-Sessim-Node, else X-Sessim-Upstream, else ""
  std::string session_outcome;  // found | created | replaced | "" (not a sessim node)
  std::string miss_reason;      // unknown | malformed | ""
  std::string session_id_sent;  // decoded from the SESSION cookie sent, "" if none
  std::string session_id_set;   // decoded from a SESSION Set-Cookie, "" if none
  // What happened to the browser's session, from the client's point of view:
  // kept | created | replaced | rotated (same session, new id) | ended
  // (cookie cleared) | missed (no live session and no replacement: the
  // browser keeps its cookie) | none (no cookie, none given) | "" (the server
  // is not a sessim node).
  std::string session_effect;
  RequestResult result = RequestResult::ok;
  std::vector<Check> checks;  // scenario expectations, in the order written
};

// The cluster a run used, as reports show it.
struct ClusterSummary {
  int nodes = 0;
  std::string mode;
  std::string store;
  std::string balancer;
  std::string balancer_url;
  std::string redis_url;  // "" unless the store is Redis
  bool private_redis = false;
};

struct RunResult {
  std::string story;
  ClusterSummary cluster;
  std::vector<RequestRecord> requests;
  double duration_ms = 0;

  int reads_total() const;
  int reads_ok() const;
  // Every request answered as expected: writes OK and every read found its value.
  bool passed() const;
};

// Fills the header-derived fields of a record from its exchange and decides
// its result. Shared by every story so that all reports read requests alike.
RequestRecord make_record(int number, std::string client, std::string action,
                          std::optional<std::string> expected, HttpExchange exchange);

}  // namespace sessim
