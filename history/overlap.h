#pragma once

#include <string>

#include "history/run_result.h"

// Whether the writes a story raced (a parallel step's requests, released
// together: play/release_gate.h) are shown to have overlapped at the app.
// Sending them together is not enough: a server may still run them one
// after the other, and then "no update was lost" says nothing about how the
// app saves sessions. An overlap is shown by:
//   - its effect: a lost update or a resurrected session among the race's
//     requests;
//   - a session kept in the cookie, where two writes sent the same cookie
//     and each answered with its own: each worked on the same session;
//   - the app refusing one raced write (a 4xx other than 404) while another
//     went through: it noticed the race;
//   - sessim's own node, which held each write for its `delay` after it had
//     read the session, with every write released together.
namespace sessim {

// "" when the run raced no writes, or one of its races is shown to have
// overlapped; otherwise why the run cannot tell (the verdict is then
// inconclusive where it would have passed, or failed only for want of a
// declared anomaly).
std::string unshown_overlap(const ScenarioRun& run);

}  // namespace sessim
