#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "common/template_text.h"

namespace sessim {

// Where ${NAME} finds its value for one run: what the browser making the
// request captured (each browser its own), else the run's bindings (the
// story's `vars:`, overridden by --var, and the profile's); ${env:NAME} reads
// the environment sessim runs in. The environment's values and captures
// marked secret are remembered, so that every report masks them.
// Thread-safe: parallel branches capture at once.
class Variables {
 public:
  explicit Variables(std::map<std::string, std::string> bound = {});

  void capture(const std::string& browser, const std::string& name, std::string value, bool secret);
  std::optional<std::string> lookup(const std::string& browser, const TemplateReference& reference);
  TemplateLookup lookup_for(const std::string& browser);

  // `text` with every secret value seen so far replaced by "***"; values
  // shorter than kMinMaskedBytes only where they are the whole text (a
  // short one would mask every word that holds it).
  std::string mask(std::string text) const;
  bool has_secrets() const;

  static constexpr std::size_t kMinMaskedBytes = 4;

 private:
  void remember_secret(const std::string& value);  // with mutex_ held

  mutable std::mutex mutex_;
  std::map<std::string, std::string> bound_;
  std::map<std::pair<std::string, std::string>, std::string> captured_;
  std::set<std::string> secrets_;
};

}  // namespace sessim
