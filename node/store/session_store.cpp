#include "node/store/session_store.h"

namespace sessim {
namespace {

// Runs `work` with the call's deadline in force; its failure goes to `failed`.
template <typename Work, typename Failed>
void run_inline(const StoreCall& call, Work work, Failed failed) {
  std::exception_ptr error;
  {
    std::optional<RequestDeadline> deadline;
    if (call.deadline) deadline.emplace(*call.deadline);
    try {
      work();
      return;
    } catch (...) {
      error = std::current_exception();
    }
  }
  failed(error);
}

}  // namespace

void SessionStore::load_for_request_async(const std::string& id, std::int64_t access_time_ms,
                                          const StoreCall& call, StoreLoaded loaded) {
  std::optional<Session> session;
  bool ok = false;
  run_inline(
      call,
      [&] {
        session = load_for_request(id, access_time_ms);
        ok = true;
      },
      [&](std::exception_ptr error) { loaded(std::nullopt, error); });
  if (ok) loaded(std::move(session), nullptr);
}

void SessionStore::save_async(Session& session, const StoreCall& call, StoreDone done) {
  bool ok = false;
  run_inline(
      call,
      [&] {
        save(session);
        ok = true;
      },
      [&](std::exception_ptr error) { done(error); });
  if (ok) done(nullptr);
}

void SessionStore::remove_async(const std::string& id, const StoreCall& call, StoreDone done) {
  bool ok = false;
  run_inline(
      call,
      [&] {
        remove(id);
        ok = true;
      },
      [&](std::exception_ptr error) { done(error); });
  if (ok) done(nullptr);
}

}  // namespace sessim
