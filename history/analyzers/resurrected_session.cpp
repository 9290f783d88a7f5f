#include "history/analyzers.h"

namespace sessim {

std::optional<Finding> find_resurrected_session(const ReadCase& c, const Lineages& lineages) {
  if (c.expected || !c.from_before_epoch || c.epoch.kind != Epoch::Kind::logout) {
    return std::nullopt;
  }
  const auto& read = *c.read;
  const auto& logout = *c.epoch.boundary;
  const auto& source = *c.from_before_epoch;
  const auto& model = lineages.history().model;
  auto finding =
      finding_of(AnomalyKind::resurrected_session, read, source, {&source, &logout, &read});
  finding.logout = ref_of(logout);
  if (model.home == SessionHome::cookie) {
    finding.cause = AnomalyCause::cookie_copy;
  } else if (model.other_instances_see_sessions() == false && !logout.node.empty() &&
             !read.node.empty() && logout.node != read.node) {
    finding.cause = AnomalyCause::other_instance;
  } else if (overlaps(source, logout)) {
    finding.cause = AnomalyCause::concurrent_write;
  } else if (model.logout == LogoutEffect::cookie_only) {
    finding.cause = AnomalyCause::logout_cookie_only;
  }
  return finding;
}

}  // namespace sessim
