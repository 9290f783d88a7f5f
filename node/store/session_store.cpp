#include "node/store/session_store.h"

namespace sessim {
namespace {

// Runs the plain call `work` with the call's deadline in force and hands
// its result (empty on failure) and failure to `answer`, outside the try: an
// exception of the callback's own is not the store's.
template <typename Work, typename Answer>
void answer_inline(const StoreCall& call, Work work, Answer answer) {
  std::optional<decltype(work())> result;
  std::exception_ptr error;
  {
    std::optional<RequestDeadline> deadline;
    if (call.deadline) deadline.emplace(*call.deadline);
    try {
      result.emplace(work());
    } catch (...) {
      error = std::current_exception();
    }
  }
  answer(std::move(result), error);
}

}  // namespace

void SessionStore::load_for_request_async(const std::string& id, std::int64_t access_time_ms,
                                          const StoreCall& call, StoreLoaded loaded) {
  answer_inline(
      call, [&] { return load_for_request(id, access_time_ms); },
      [&](std::optional<std::optional<Session>> session, std::exception_ptr error) {
        loaded(session ? std::move(*session) : std::nullopt, error);
      });
}

void SessionStore::save_async(Session& session, const StoreCall& call, StoreDone done) {
  answer_inline(
      call, [&] { return (save(session), true); },
      [&](std::optional<bool>, std::exception_ptr error) { done(error); });
}

void SessionStore::remove_async(const std::string& id, const StoreCall& call, StoreDone done) {
  answer_inline(
      call, [&] { return (remove(id), true); },
      [&](std::optional<bool>, std::exception_ptr error) { done(error); });
}

}  // namespace sessim
