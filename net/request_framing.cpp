#include "net/request_framing.h"

#include <fmt/format.h>

#include "common/text.h"

namespace sessim {
namespace {

bool is_authority_char(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  static constexpr std::string_view kAllowed = "-._~:[]%!$&'()*+,;=@";
  return kAllowed.find(c) != std::string_view::npos;
}

// The transfer codings of all fields, in order, lower-cased.
std::vector<std::string> transfer_codings(const std::vector<std::string_view>& fields) {
  std::vector<std::string> codings;
  for (auto field : fields) {
    while (true) {
      const auto comma = field.find(',');
      auto coding = std::string(trim(field.substr(0, comma)));
      for (auto& c : coding) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      codings.push_back(std::move(coding));
      if (comma == std::string_view::npos) break;
      field.remove_prefix(comma + 1);
    }
  }
  return codings;
}

FramingVerdict refused(int status, std::string reason) {
  FramingVerdict verdict;
  verdict.status = status;
  verdict.reason = std::move(reason);
  return verdict;
}

}  // namespace

bool is_valid_authority(std::string_view authority) {
  if (authority.empty() || authority.size() > 255) return false;
  for (const char c : authority) {
    if (!is_authority_char(c)) return false;
  }
  return true;
}

FramingVerdict check_request_framing(const RequestHead& head) {
  if (head.method == "CONNECT") return refused(405, "CONNECT is not supported here");
  if (!head.transfer_encodings.empty()) {
    // RFC 9112 section 6.1: Transfer-Encoding in an HTTP/1.0 request is a
    // sign of a faulty framing. Other codings than chunked alone (gzip,
    // "xchunked", "chunked, chunked") would leave the body's end to guess.
    if (head.version < 11) return refused(400, "Transfer-Encoding in an HTTP/1.0 request");
    const auto codings = transfer_codings(head.transfer_encodings);
    if (codings.size() != 1 || codings.front() != "chunked") {
      return refused(400, fmt::format("Transfer-Encoding '{}' is not supported (only chunked)",
                                      printable(join(codings, ", "))));
    }
  }
  if (head.hosts.size() > 1) return refused(400, "more than one Host header");
  if (head.hosts.empty() && head.version >= 11) return refused(400, "no Host header");
  if (!head.hosts.empty() && !head.hosts.front().empty() &&
      !is_valid_authority(head.hosts.front())) {
    return refused(400, "the Host header is not a valid host[:port]");
  }

  const auto target = head.target;
  if (!target.empty() && target.front() == '/') return {};
  if (target == "*") {
    if (head.method == "OPTIONS") return {};
    return refused(400, "the target '*' is only for OPTIONS");
  }
  // Absolute form: RFC 9112 section 3.2.2 says the target's authority
  // replaces the Host header; upstreams get the origin form, as from nginx.
  for (const std::string_view scheme : {"http://", "https://"}) {
    if (target.size() < scheme.size() || !iequals(target.substr(0, scheme.size()), scheme)) {
      continue;
    }
    const auto rest = target.substr(scheme.size());
    const auto path_start = rest.find_first_of("/?");
    const auto authority = rest.substr(0, path_start);
    if (!is_valid_authority(authority) || authority.find('@') != std::string_view::npos) {
      return refused(400, "the absolute-form target has no valid host");
    }
    FramingVerdict verdict;
    verdict.host = std::string(authority);
    if (path_start == std::string_view::npos) {
      verdict.origin_target = "/";
    } else if (rest[path_start] == '?') {
      verdict.origin_target = "/" + std::string(rest.substr(path_start));
    } else {
      verdict.origin_target = std::string(rest.substr(path_start));
    }
    return verdict;
  }
  return refused(400, "the request target is not origin-form (/path) or absolute-form");
}

}  // namespace sessim
