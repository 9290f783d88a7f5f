#include "history/history.h"

#include "common/name_table.h"

namespace sessim {
namespace {

// Each outcome's word in reports, and its line type in the file (Jepsen's
// ok / fail / info).
constexpr NameTable<OpOutcome, 3> kOutcomeWords{{{
    {OpOutcome::ok, "ok"},
    {OpOutcome::fail, "fail"},
    {OpOutcome::indeterminate, "indeterminate"},
}}};
constexpr NameTable<OpOutcome, 3> kOutcomeLineTypes{{{
    {OpOutcome::ok, "ok"},
    {OpOutcome::fail, "fail"},
    {OpOutcome::indeterminate, "info"},
}}};

constexpr NameTable<OpKind, 6> kOpKinds{{{
    {OpKind::set, "set"},
    {OpKind::get, "get"},
    {OpKind::remove, "remove"},
    {OpKind::login, "login"},
    {OpKind::logout, "logout"},
    {OpKind::request, "request"},
}}};

constexpr NameTable<EventKind, 13> kEventKinds{{{
    {EventKind::copy_cookies, "copy-cookies"},
    {EventKind::crash, "crash"},
    {EventKind::stop, "stop"},
    {EventKind::restart, "restart"},
    {EventKind::add_node, "add-node"},
    {EventKind::redis, "redis"},
    {EventKind::partition, "partition"},
    {EventKind::delay, "delay"},
    {EventKind::reset, "reset"},
    {EventKind::heal, "heal"},
    {EventKind::wait, "wait"},
    {EventKind::repeat, "repeat"},
    {EventKind::parallel, "parallel"},
}}};

}  // namespace

std::string to_string(OpOutcome outcome) { return std::string(kOutcomeWords.name(outcome)); }
std::string_view completion_type(OpOutcome outcome) { return kOutcomeLineTypes.name(outcome); }
std::optional<OpOutcome> outcome_of_completion(std::string_view type) {
  return kOutcomeLineTypes.parse(type);
}

std::string_view to_string(OpKind kind) { return kOpKinds.name(kind); }
std::optional<OpKind> parse_op_kind(std::string_view name) { return kOpKinds.parse(name); }
bool writes_value(OpKind kind) { return kind == OpKind::set || kind == OpKind::remove; }

std::string_view to_string(EventKind kind) { return kEventKinds.name(kind); }
std::optional<EventKind> parse_event_kind(std::string_view name) { return kEventKinds.parse(name); }
bool is_node_fault(EventKind kind) {
  return kind == EventKind::crash || kind == EventKind::stop || kind == EventKind::restart;
}

}  // namespace sessim
