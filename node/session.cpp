#include "node/session.h"

namespace sessim {

Session Session::create(std::string id, std::int64_t now_ms, int max_inactive_interval_s) {
  Session session;
  session.id_ = std::move(id);
  session.creation_time_ms_ = now_ms;
  session.last_accessed_time_ms_ = now_ms;
  session.max_inactive_interval_s_ = max_inactive_interval_s;
  return session;
}

Session Session::restore(std::string id, std::int64_t creation_time_ms,
                         std::int64_t last_accessed_time_ms, int max_inactive_interval_s,
                         std::map<std::string, std::string> attributes) {
  Session session = create(std::move(id), creation_time_ms, max_inactive_interval_s);
  session.last_accessed_time_ms_ = last_accessed_time_ms;
  session.attributes_ = std::move(attributes);
  session.is_new_ = false;
  session.saved_access_time_ms_ = last_accessed_time_ms;
  return session;
}

std::optional<std::int64_t> Session::expiry_time_ms() const {
  if (max_inactive_interval_s_ <= 0) return std::nullopt;
  return last_accessed_time_ms_ + static_cast<std::int64_t>(max_inactive_interval_s_) * 1000;
}

bool Session::is_expired(std::int64_t now_ms) const {
  const auto expiry = expiry_time_ms();
  return expiry && now_ms >= *expiry;
}

std::size_t Session::attribute_bytes() const {
  std::size_t bytes = 0;
  for (const auto& [name, value] : attributes_) bytes += name.size() + value.size();
  return bytes;
}

std::optional<std::string> Session::attribute(const std::string& name) const {
  const auto it = attributes_.find(name);
  if (it == attributes_.end()) return std::nullopt;
  return it->second;
}

void Session::set_attribute(const std::string& name, std::string value) {
  attributes_[name] = std::move(value);
  changed_attributes_.insert(name);
}

void Session::remove_attribute(const std::string& name) {
  if (attributes_.erase(name) > 0) changed_attributes_.insert(name);
}

Session Session::with_new_id(std::string id) const {
  Session copy = *this;
  copy.id_ = std::move(id);
  copy.is_new_ = true;
  copy.changed_attributes_.clear();
  return copy;
}

void Session::mark_saved() {
  changed_attributes_.clear();
  is_new_ = false;
  saved_access_time_ms_ = last_accessed_time_ms_;
}

bool Session::has_unsaved_changes() const {
  return is_new_ || !changed_attributes_.empty() || last_accessed_time_ms_ != saved_access_time_ms_;
}

bool is_valid_attribute_name(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  for (const char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace sessim
