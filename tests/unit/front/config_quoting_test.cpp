#include "front/config_quoting.h"

#include <gtest/gtest.h>

#include "common/errors.h"

namespace sessim {
namespace {

TEST(ConfigQuoting, NginxStringsAreOneWord) {
  EXPECT_EQ(nginx_string("/tmp/a b;c", "a folder"), R"("/tmp/a b;c")");
  EXPECT_EQ(nginx_string(R"(a"b\c)", "x"), R"("a\"b\\c")");
  EXPECT_EQ(nginx_string("x; } server {", "x"), R"("x; } server {")");
  EXPECT_THROW(nginx_string("a$b", "x"), UsageError);
  EXPECT_THROW(nginx_string("a\nb", "x"), UsageError);
}

TEST(ConfigQuoting, HaproxyWordsAreSingleQuoted) {
  EXPECT_EQ(haproxy_word("req.cook(a#b)", "x"), "'req.cook(a#b)'");
  EXPECT_EQ(haproxy_word("it's", "x"), R"('it'\''s')");
  EXPECT_EQ(haproxy_word("$HOME \\", "x"), "'$HOME \\'");
  EXPECT_THROW(haproxy_word("a\r\nb", "x"), UsageError);
}

}  // namespace
}  // namespace sessim
