#pragma once

#include <string_view>

// The attempt loop of one forwarded request, as a pure state machine: what
// the proxy does after an attempt at an upstream ended without an answer.
// The proxy (event_proxy.cpp) moves the bytes; this decides, in the manner of
// nginx's proxy_next_upstream.
namespace sessim {

// How an attempt ended without an answer.
enum class AttemptEnd {
  not_connected,  // refused, unreachable, no connection in time: nothing was sent
  broken,         // the connection closed while the request was sent or answered
  timed_out       // no complete answer within the upstream timeout
};

// What the proxy does next.
enum class NextAttempt {
  same_upstream_fresh_connection,  // a stale pooled connection: once more, newly connected
  next_upstream,                   // another upstream, chosen by the strategy
  bad_gateway                      // no other attempt: 502 to the client
};

struct AttemptDecision {
  NextAttempt next = NextAttempt::bad_gateway;
  // Whether the failure counts against the upstream's health (nginx's
  // max_fails): a stale pooled connection does not.
  bool upstream_failed = false;

  friend bool operator==(const AttemptDecision&, const AttemptDecision&) = default;
};

class UpstreamAttempts {
 public:
  explicit UpstreamAttempts(std::string_view method);

  // An attempt begins at an upstream, on a connection from the idle pool or
  // a fresh one.
  void begin(bool pooled_connection);

  // The attempt ended without an answer.
  //  - On a pooled connection the upstream had closed, a break most likely
  //    carried nothing: the same upstream again on a fresh connection. But
  //    the request may have reached it (a node that crashed mid-request
  //    closes the same way), so from then on nothing counts as unsent.
  //  - A request that was never sent may go to any other upstream; one that
  //    may have been sent only when its method is idempotent.
  //  - A timeout never goes to the same upstream again: the client would
  //    wait twice the upstream timeout.
  AttemptDecision ended(AttemptEnd end);

 private:
  bool idempotent_;
  bool pooled_ = false;
  bool may_have_been_sent_ = false;
};

}  // namespace sessim
