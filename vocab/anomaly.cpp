#include "vocab/anomaly.h"

#include "common/name_table.h"

namespace sessim {
namespace {

constexpr NameTable<AnomalyKind, 7> kKinds{{{
    {AnomalyKind::lost_session, "lost-session"},
    {AnomalyKind::read_your_writes, "read-your-writes"},
    {AnomalyKind::stale_read, "stale-read"},
    {AnomalyKind::lost_update, "lost-update"},
    {AnomalyKind::resurrected_session, "resurrected-session"},
    {AnomalyKind::early_expiry, "early-expiry"},
    {AnomalyKind::late_expiry, "late-expiry"},
}}};

constexpr NameTable<AnomalyCause, 11> kCauses{{{
    {AnomalyCause::unknown, ""},
    {AnomalyCause::node_fault, "node-fault"},
    {AnomalyCause::store_restart, "store-restart"},
    {AnomalyCause::store_failover, "store-failover"},
    {AnomalyCause::never_seen, "never-seen"},
    {AnomalyCause::cookie_copy, "cookie-copy"},
    {AnomalyCause::other_instance, "other-instance"},
    {AnomalyCause::cookie_deleted, "cookie-deleted"},
    {AnomalyCause::concurrent_write, "concurrent-write"},
    {AnomalyCause::logout_cookie_only, "logout-cookie-only"},
    {AnomalyCause::replaced_earlier, "replaced-earlier"},
}}};

}  // namespace

std::string to_string(AnomalyKind kind) { return std::string(kKinds.name(kind)); }

std::optional<AnomalyKind> parse_anomaly_kind(const std::string& name) {
  return kKinds.parse(name);
}

const std::vector<std::string>& anomaly_kind_names() {
  static const std::vector<std::string> names = kKinds.names();
  return names;
}

std::string_view to_string(AnomalyCause cause) { return kCauses.name(cause); }

std::optional<AnomalyCause> parse_anomaly_cause(std::string_view name) {
  return kCauses.parse(name);
}

}  // namespace sessim
