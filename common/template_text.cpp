#include "common/template_text.h"

#include <fmt/format.h>

#include <cctype>

namespace sessim {
namespace {

constexpr std::string_view kEnvironmentPrefix = "env:";

// Walks `text`, calling `literal` for plain runs and `reference` for each
// ${...}; false with `problem` set on a malformed reference.
template <typename Literal, typename Reference>
bool walk(std::string_view text, Literal&& literal, Reference&& reference, std::string* problem) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto dollar = text.find('$', i);
    if (dollar == std::string_view::npos) {
      literal(text.substr(i));
      break;
    }
    literal(text.substr(i, dollar - i));
    if (text.substr(dollar, 3) == "$${") {
      literal("${");
      i = dollar + 3;
      continue;
    }
    if (text.substr(dollar, 2) != "${") {
      literal("$");
      i = dollar + 1;
      continue;
    }
    const auto close = text.find('}', dollar + 2);
    if (close == std::string_view::npos) {
      if (problem) *problem = fmt::format("'${{' at byte {} has no closing '}}'", dollar + 1);
      return false;
    }
    auto inside = text.substr(dollar + 2, close - dollar - 2);
    TemplateReference found;
    found.offset = dollar;
    if (inside.substr(0, kEnvironmentPrefix.size()) == kEnvironmentPrefix) {
      found.environment = true;
      inside.remove_prefix(kEnvironmentPrefix.size());
    }
    if (!is_variable_name(inside)) {
      if (problem) {
        *problem = fmt::format(
            "'${{{}}}' at byte {} is not a variable: write ${{NAME}} or ${{env:NAME}} (a letter "
            "or _, then letters, digits and _), or $${{ for a literal ${{",
            text.substr(dollar + 2, std::min<std::size_t>(close - dollar - 2, 40)), dollar + 1);
      }
      return false;
    }
    found.name = std::string(inside);
    reference(found);
    i = close + 1;
  }
  return true;
}

}  // namespace

bool is_variable_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  if (!std::isalpha(static_cast<unsigned char>(name.front())) && name.front() != '_') return false;
  for (const char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

std::optional<std::vector<TemplateReference>> template_references(std::string_view text,
                                                                  std::string* problem) {
  std::vector<TemplateReference> found;
  if (!walk(
          text, [](std::string_view) {},
          [&found](const TemplateReference& reference) { found.push_back(reference); }, problem)) {
    return std::nullopt;
  }
  return found;
}

std::optional<std::string> render_template(std::string_view text, const TemplateLookup& lookup,
                                           std::string* missing) {
  std::string out;
  bool complete = true;
  std::string problem;
  const bool parsed = walk(
      text, [&out](std::string_view part) { out.append(part); },
      [&](const TemplateReference& reference) {
        if (!complete) return;
        if (auto value = lookup(reference)) {
          out += *value;
        } else {
          complete = false;
          if (missing) *missing = reference_text(reference);
        }
      },
      &problem);
  if (!parsed) {
    if (missing) *missing = problem;
    return std::nullopt;
  }
  if (!complete) return std::nullopt;
  return out;
}

std::string reference_text(const TemplateReference& reference) {
  return fmt::format("${{{}{}}}", reference.environment ? "env:" : "", reference.name);
}

std::string form_urlencode(const std::vector<std::pair<std::string, std::string>>& fields) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  const auto encode = [](std::string_view text, std::string& out) {
    for (const char c : text) {
      const auto byte = static_cast<unsigned char>(c);
      if (std::isalnum(byte) || c == '*' || c == '-' || c == '.' || c == '_') {
        out += c;
      } else if (c == ' ') {
        out += '+';
      } else {
        out += '%';
        out += kHex[byte >> 4];
        out += kHex[byte & 15];
      }
    }
  };
  std::string body;
  for (const auto& [name, value] : fields) {
    if (!body.empty()) body += '&';
    encode(name, body);
    body += '=';
    encode(value, body);
  }
  return body;
}

}  // namespace sessim
