#pragma once

#include <optional>
#include <vector>

#include "history/finding.h"
#include "history/read_case.h"

// One analyzer per anomaly kind. Each takes a read the history does not
// allow (ReadCase::read_acceptable() is false) and says whether it shows
// its kind of anomaly, with the cause only where the history and the
// session model establish one. Each is tested alone
// (tests/unit/history/analyzers_test.cpp); the checker asks them in
// kAnalyzers' order and the first that finds something names the read's
// anomaly.
namespace sessim {

// A completed write of the session was erased by a concurrent save of
// another attribute: owed a write, and writes of other attributes overlapped it.
std::optional<Finding> find_lost_update(const ReadCase& c, const Lineages& lineages);
// A value older than a completed write came back: a replaced write's
// value, or another tab's read of a value its session no longer held.
std::optional<Finding> find_stale_read(const ReadCase& c, const Lineages& lineages);
// A client read another value than its own completed write.
std::optional<Finding> find_read_your_writes(const ReadCase& c, const Lineages& lineages);
// The session was gone after an idle time shorter than its timeout, with
// nothing else in between that ends it.
std::optional<Finding> find_early_expiry(const ReadCase& c, const Lineages& lineages);
// A read found not set what its session had been written.
std::optional<Finding> find_lost_session(const ReadCase& c, const Lineages& lineages);
// A value from before a completed logout was read after it.
std::optional<Finding> find_resurrected_session(const ReadCase& c, const Lineages& lineages);
// A value outlived the session's idle timeout and its tolerance.
std::optional<Finding> find_late_expiry(const ReadCase& c, const Lineages& lineages);

struct Analyzer {
  AnomalyKind kind;
  std::optional<Finding> (*find)(const ReadCase&, const Lineages&);
};

// Most specific first: a lost update also misses a write, and an early
// expiry is a loss whose only explanation is the idle time.
inline constexpr Analyzer kAnalyzers[] = {
    {AnomalyKind::lost_update, find_lost_update},
    {AnomalyKind::stale_read, find_stale_read},
    {AnomalyKind::read_your_writes, find_read_your_writes},
    {AnomalyKind::early_expiry, find_early_expiry},
    {AnomalyKind::lost_session, find_lost_session},
    {AnomalyKind::resurrected_session, find_resurrected_session},
    {AnomalyKind::late_expiry, find_late_expiry},
};

}  // namespace sessim
