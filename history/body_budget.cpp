#include "history/body_budget.h"

#include <algorithm>

namespace sessim {

std::size_t BodyBudget::cut(std::string& body) {
  const auto limit = kept_.load() < limits_.budget ? limits_.prefix : limits_.tail_prefix;
  const auto keep = std::min(body.size(), limit);
  kept_ += keep;
  const auto dropped = body.size() - keep;
  if (dropped == 0) return 0;
  body.resize(keep);
  body.shrink_to_fit();
  dropped_ += dropped;
  ++bodies_cut_;
  return dropped;
}

}  // namespace sessim
