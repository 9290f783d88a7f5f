#include "net/request_framing.h"

#include <gtest/gtest.h>

#include "common/text.h"

namespace sessim {
namespace {

RequestHead head(std::string_view method, std::string_view target,
                 std::vector<std::string_view> hosts = {"app"},
                 std::vector<std::string_view> transfer_encodings = {}, unsigned version = 11) {
  return RequestHead{method, target, version, std::move(hosts), std::move(transfer_encodings)};
}

TEST(RequestFraming, AcceptsWhatEveryServerAccepts) {
  EXPECT_TRUE(check_request_framing(head("GET", "/a?b=c")).accepted());
  EXPECT_TRUE(check_request_framing(head("POST", "/a", {"app:8080"}, {"chunked"})).accepted());
  EXPECT_TRUE(check_request_framing(head("POST", "/a", {"app"}, {" Chunked "})).accepted());
  EXPECT_TRUE(check_request_framing(head("OPTIONS", "*")).accepted());
  EXPECT_TRUE(check_request_framing(head("GET", "/", {}, {}, 10)).accepted());  // HTTP/1.0
  EXPECT_TRUE(check_request_framing(head("GET", "/", {"[::1]:80"})).accepted());
}

// RFC 9112 section 6.3: only a final "chunked", alone here, frames a body
// for certain; anything else leaves its end to guess.
TEST(RequestFraming, RefusesEveryTransferEncodingButChunkedAlone) {
  for (const std::vector<std::string_view>& codings :
       std::vector<std::vector<std::string_view>>{{"xchunked"},
                                                  {"gzip"},
                                                  {"gzip, chunked"},
                                                  {"chunked, chunked"},
                                                  {"chunked", "chunked"},
                                                  {""},
                                                  {"chunked;q=1"}}) {
    const auto verdict = check_request_framing(head("POST", "/a", {"app"}, codings));
    EXPECT_EQ(verdict.status, 400) << codings.front();
  }
  EXPECT_EQ(check_request_framing(head("POST", "/a", {"app"}, {"chunked"}, 10)).status, 400);
}

TEST(RequestFraming, ExactlyOneValidHost) {
  EXPECT_EQ(check_request_framing(head("GET", "/", {})).status, 400);
  EXPECT_EQ(check_request_framing(head("GET", "/", {"a", "b"})).status, 400);
  EXPECT_EQ(check_request_framing(head("GET", "/", {"a/b"})).status, 400);
  EXPECT_EQ(check_request_framing(head("GET", "/", {"a b"})).status, 400);
  EXPECT_EQ(check_request_framing(head("GET", "/", {"a\r\nX: y"})).status, 400);
}

TEST(RequestFraming, TargetsAServerCanRoute) {
  EXPECT_EQ(check_request_framing(head("CONNECT", "app:443")).status, 405);
  EXPECT_EQ(check_request_framing(head("GET", "*")).status, 400);
  EXPECT_EQ(check_request_framing(head("GET", "app/x")).status, 400);
  EXPECT_EQ(check_request_framing(head("GET", "ftp://app/x")).status, 400);
  EXPECT_EQ(check_request_framing(head("GET", "http://user@app/x")).status, 400);
}

// RFC 9112 section 3.2.2: the absolute form's authority replaces Host.
TEST(RequestFraming, AbsoluteFormBecomesOriginFormWithItsHost) {
  const auto verdict = check_request_framing(head("GET", "HTTP://app:8080/a/b?c=d", {"other"}));
  ASSERT_TRUE(verdict.accepted());
  EXPECT_EQ(verdict.origin_target, "/a/b?c=d");
  EXPECT_EQ(verdict.host, "app:8080");
  EXPECT_EQ(check_request_framing(head("GET", "http://app")).origin_target, "/");
  EXPECT_EQ(check_request_framing(head("GET", "https://app?x=1")).origin_target, "/?x=1");
}

TEST(Text, PrintableEscapesControlsAndCuts) {
  EXPECT_EQ(printable("a\r\nb\x1b[31m\\"), "a\\x0d\\x0ab\\x1b[31m\\x5c");
  EXPECT_EQ(printable(std::string(10, 'x'), 4), "xxxx…");
}

}  // namespace
}  // namespace sessim
