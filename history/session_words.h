#pragma once

#include <vector>

#include "app/session_model.h"
#include "history/run_result.h"

// What each request did to the browser's session, decided once the run is
// over from every piece of evidence it left: the cookies, the session model
// (where sessions live; what the app does with unknown ids, login and
// logout), the request's own read, and what later requests with the same
// cookie observed. A cookie alone never decides: a re-signed cookie may
// carry the same session, a cookie left in place may name a session that is
// gone. Where no evidence came, the word is `unknown`, and an expectation on
// it is not judged. Apps that say the effect themselves (sessim's node, a
// profile's effect header) keep their word.
namespace sessim {

// Settles `session` and `session_basis` on every request of the run, then
// checks each request's `expect: {session: ...}` against the settled word
// (adding the check, or noting why it was not judged) and settles its
// result again.
void settle_session_words(std::vector<StepRecord>& steps, const SessionModel& model);

}  // namespace sessim
