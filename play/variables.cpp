#include "play/variables.h"

#include <cstdlib>

namespace sessim {

Variables::Variables(std::map<std::string, std::string> bound) : bound_(std::move(bound)) {}

void Variables::capture(const std::string& browser, const std::string& name, std::string value,
                        bool secret) {
  const std::lock_guard lock(mutex_);
  if (secret) remember_secret(value);
  captured_[{browser, name}] = std::move(value);
}

std::optional<std::string> Variables::lookup(const std::string& browser,
                                             const TemplateReference& reference) {
  const std::lock_guard lock(mutex_);
  if (reference.environment) {
    const char* value = std::getenv(reference.name.c_str());
    if (!value) return std::nullopt;
    remember_secret(value);
    return std::string(value);
  }
  if (const auto found = captured_.find({browser, reference.name}); found != captured_.end()) {
    return found->second;
  }
  if (const auto found = bound_.find(reference.name); found != bound_.end()) return found->second;
  return std::nullopt;
}

TemplateLookup Variables::lookup_for(const std::string& browser) {
  return [this, browser](const TemplateReference& reference) { return lookup(browser, reference); };
}

void Variables::remember_secret(const std::string& value) {
  if (!value.empty()) secrets_.insert(value);
}

std::string Variables::mask(std::string text) const {
  const std::lock_guard lock(mutex_);
  for (const auto& secret : secrets_) {
    if (secret.size() < kMinMaskedBytes) {
      if (text == secret) text = "***";
      continue;
    }
    for (auto at = text.find(secret); at != std::string::npos; at = text.find(secret, at + 3)) {
      text.replace(at, secret.size(), "***");
    }
  }
  return text;
}

bool Variables::has_secrets() const {
  const std::lock_guard lock(mutex_);
  return !secrets_.empty();
}

}  // namespace sessim
