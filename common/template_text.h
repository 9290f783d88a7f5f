#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// Text that names variables: `${NAME}` (a capture, a story's `vars:`, a
// `--var`) and `${env:NAME}` (the environment sessim runs in). `$${` writes
// a literal `${`; any other `$` is itself, so a JSON path such as `$.total`
// needs no escape. Checked where a file is read; filled in as each request
// is made.
namespace sessim {

struct TemplateReference {
  std::string name;
  bool environment = false;  // ${env:NAME}
  std::size_t offset = 0;    // of the `$` in the text
};

// A variable's name: a letter or _, then letters, digits and _; at most 64.
bool is_variable_name(std::string_view name);

// The references in `text`, in order; nullopt with `problem` set for a `${`
// that does not close or holds no variable name.
std::optional<std::vector<TemplateReference>> template_references(std::string_view text,
                                                                  std::string* problem = nullptr);

// What fills a reference; nullopt when nothing does.
using TemplateLookup = std::function<std::optional<std::string>(const TemplateReference&)>;

// `text` with every reference filled in; nullopt with `missing` set to
// "${NAME}" for the first one the lookup cannot fill (and for a malformed
// text, which the loaders refuse before).
std::optional<std::string> render_template(std::string_view text, const TemplateLookup& lookup,
                                           std::string* missing = nullptr);

// "${NAME}" or "${env:NAME}", as the file writes it.
std::string reference_text(const TemplateReference& reference);

// A form's fields as browsers send them (application/x-www-form-urlencoded,
// the WHATWG URL standard's serializer): letters, digits and *-._ as they
// are, a space as +, every other byte as %XX.
std::string form_urlencode(const std::vector<std::pair<std::string, std::string>>& fields);

}  // namespace sessim
