#pragma once

#include <string>
#include <string_view>
#include <vector>

// The framing rules every server here applies to a request's head before it
// reads a body or hands the request on (RFC 9112 sections 3.2 and 6.3, as
// nginx and HAProxy apply them): a body is framed by Content-Length or by a
// final "chunked" alone, a request names exactly one host, and the target is
// one a server can route. What cannot be framed for certain is refused, since
// a proxy that guesses forwards a second, smuggled request.
namespace sessim {

struct RequestHead {
  std::string_view method;
  std::string_view target;
  unsigned version = 11;                             // 10 for HTTP/1.0, 11 for HTTP/1.1
  std::vector<std::string_view> hosts;               // every Host field's value
  std::vector<std::string_view> transfer_encodings;  // every Transfer-Encoding field's value
};

struct FramingVerdict {
  int status = 0;      // 0: accepted; otherwise the status to refuse with
  std::string reason;  // why, for the refusal's body
  // Set when an absolute-form target ("http://host/path") was accepted: the
  // origin-form target and the host it named, which replace the request's.
  std::string origin_target;
  std::string host;

  bool accepted() const { return status == 0; }
};

FramingVerdict check_request_framing(const RequestHead& head);

// Whether a Host value (or an absolute-form authority) is host[:port] made
// of the characters RFC 3986 allows there: no spaces, controls or slashes.
bool is_valid_authority(std::string_view authority);

}  // namespace sessim
