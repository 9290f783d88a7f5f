#include "common/template_text.h"

#include <gtest/gtest.h>

#include <map>

namespace sessim {
namespace {

TemplateLookup from(std::map<std::string, std::string> values) {
  return [values](const TemplateReference& reference) -> std::optional<std::string> {
    const auto found = values.find((reference.environment ? "env:" : "") + reference.name);
    if (found == values.end()) return std::nullopt;
    return found->second;
  };
}

TEST(TemplateText, FillsVariablesAndLeavesOtherDollarsAlone) {
  const auto lookup = from({{"token", "abc"}, {"env:HOME", "/root"}});
  EXPECT_EQ(render_template("Bearer ${token}", lookup), "Bearer abc");
  EXPECT_EQ(render_template("${env:HOME}/x", lookup), "/root/x");
  EXPECT_EQ(render_template("$.total costs $5", lookup), "$.total costs $5");
  EXPECT_EQ(render_template("$${token} is literal", lookup), "${token} is literal");
  EXPECT_EQ(render_template("$$${token}", lookup), "$${token}");
}

TEST(TemplateText, SaysWhichVariableHasNoValue) {
  std::string missing;
  EXPECT_FALSE(render_template("a ${gone} b", from({}), &missing));
  EXPECT_EQ(missing, "${gone}");
  EXPECT_FALSE(render_template("${env:NOPE}", from({}), &missing));
  EXPECT_EQ(missing, "${env:NOPE}");
}

TEST(TemplateText, RefusesMalformedReferences) {
  std::string problem;
  EXPECT_FALSE(template_references("${", &problem));
  EXPECT_NE(problem.find("has no closing"), std::string::npos) << problem;
  EXPECT_FALSE(template_references("${1abc}", &problem));
  EXPECT_NE(problem.find("'${1abc}' at byte 1 is not a variable"), std::string::npos) << problem;
  EXPECT_FALSE(template_references("${a b}", &problem));
  EXPECT_FALSE(template_references("${env:}", &problem));
  const auto found = template_references("x ${a} ${env:B_2} $${c}");
  ASSERT_TRUE(found);
  ASSERT_EQ(found->size(), 2u);
  EXPECT_EQ((*found)[0].name, "a");
  EXPECT_TRUE((*found)[1].environment);
  EXPECT_EQ((*found)[1].name, "B_2");
}

TEST(TemplateText, FormsAreEncodedAsBrowsersEncodeThem) {
  EXPECT_EQ(form_urlencode({{"user name", "Ann Lee"}, {"q", "a&b=c/é*-._~"}}),
            "user+name=Ann+Lee&q=a%26b%3Dc%2F%C3%A9*-._%7E");
  EXPECT_EQ(form_urlencode({{"empty", ""}}), "empty=");
}

}  // namespace
}  // namespace sessim
