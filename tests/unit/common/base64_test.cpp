#include "common/base64.h"

#include <gtest/gtest.h>

namespace sessim {

TEST(Base64, EncodesRfc4648TestVectors) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
}

TEST(Base64, DecodesWhatItEncodes) {
  const std::string bytes("\x00\xff\x10 binary\x7f", 12);
  EXPECT_EQ(base64_decode(base64_encode(bytes)), bytes);
}

TEST(Base64, RejectsWrongLengthAlphabetAndPadding) {
  EXPECT_FALSE(base64_decode("Zm9"));         // not a multiple of 4
  EXPECT_FALSE(base64_decode("Zm9v!A=="));    // outside the alphabet
  EXPECT_FALSE(base64_decode("Z==="));        // too much padding
  EXPECT_FALSE(base64_decode("Zg==Zm9v"));    // padding before the end
  EXPECT_FALSE(base64_decode("Zh=="));        // non-canonical trailing bits
  EXPECT_FALSE(base64_decode("Zm9vYmFy\n"));  // whitespace
}

}  // namespace sessim
