#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>

namespace sessim {

// One HTTP session as Spring Session models it: creation and last access in
// epoch milliseconds, an idle timeout in seconds, string attributes.
// It records which attributes changed since it was loaded, so that stores
// write only the delta and two requests that change different attributes of
// one session at once do not overwrite each other.
class Session {
 public:
  static Session create(std::string id, std::int64_t now_ms, int max_inactive_interval_s);
  static Session restore(std::string id, std::int64_t creation_time_ms,
                         std::int64_t last_accessed_time_ms, int max_inactive_interval_s,
                         std::map<std::string, std::string> attributes);

  const std::string& id() const { return id_; }
  std::int64_t creation_time_ms() const { return creation_time_ms_; }
  std::int64_t last_accessed_time_ms() const { return last_accessed_time_ms_; }
  int max_inactive_interval_s() const { return max_inactive_interval_s_; }

  // A non-positive interval means the session never expires, as in Spring.
  bool is_expired(std::int64_t now_ms) const;
  std::optional<std::int64_t> expiry_time_ms() const;
  void touch(std::int64_t now_ms) { last_accessed_time_ms_ = now_ms; }

  std::optional<std::string> attribute(const std::string& name) const;
  const std::map<std::string, std::string>& attributes() const { return attributes_; }
  // Names and values together, the size a store holds for them.
  std::size_t attribute_bytes() const;
  void set_attribute(const std::string& name, std::string value);
  void remove_attribute(const std::string& name);

  // The same session under a new id, unsaved, as Spring's changeSessionId()
  // makes it on login (protection against session fixation).
  Session with_new_id(std::string id) const;

  // True until the session has been saved once.
  bool is_new() const { return is_new_; }
  // Attributes set or removed since the last save.
  const std::set<std::string>& changed_attributes() const { return changed_attributes_; }
  void mark_saved();
  // New, an attribute changed, or touched since the store last had it.
  bool has_unsaved_changes() const;

 private:
  Session() = default;

  std::string id_;
  std::int64_t creation_time_ms_ = 0;
  std::int64_t last_accessed_time_ms_ = 0;
  int max_inactive_interval_s_ = 0;
  std::map<std::string, std::string> attributes_;
  std::set<std::string> changed_attributes_;
  bool is_new_ = true;
  std::int64_t saved_access_time_ms_ = -1;
};

// Attribute names reach Redis field names and URLs, so they are limited to a
// conservative alphabet: 1-64 of [A-Za-z0-9_.-].
bool is_valid_attribute_name(const std::string& name);

}  // namespace sessim
