#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sessim {

bool iequals(std::string_view a, std::string_view b);
std::string_view trim(std::string_view text);

// Parses a whole decimal integer in [min, max]; nullopt on anything else.
std::optional<long long> parse_integer(std::string_view text, long long min, long long max);

// A short, human-friendly prefix of an identifier or cookie ("3f2a9c1e…").
std::string abbreviate(std::string_view text, std::size_t keep = 8);

}  // namespace sessim

namespace sessim {

// The pieces of "a,b,c" (empty pieces kept, so that "a,,b" can be rejected).
std::vector<std::string> split_list(std::string_view text, char separator = ',');

// Percent-encodes everything but RFC 3986 unreserved characters.
std::string url_encode_component(std::string_view text);

// "1 time", "4 times": a count with its noun, plural with an s.
std::string count_of(long long count, std::string_view noun);

// "10 s", "1.5 s", "250 ms": a timeout as messages show it.
std::string seconds_text(std::chrono::milliseconds duration);

// The closest of `candidates` to `word` when it is close enough to be a typo,
// else "".
std::string nearest_name(const std::string& word, const std::vector<std::string>& candidates);

// Text made safe inside HTML or XML, in content and in quoted attributes:
// & < > " ' escaped, the control characters XML 1.0 forbids even escaped
// replaced by '?', and bytes that are not UTF-8 (and U+FFFE, U+FFFF) by
// U+FFFD, so that whatever an app sent, the document stays well-formed.
std::string escape_markup(std::string_view text);

// The length of the UTF-8 sequence at `at` with its code point, or 0 when
// the bytes there are not UTF-8 (overlong, a surrogate, cut short).
std::size_t utf8_sequence_length(std::string_view text, std::size_t at, char32_t* code_point);

// `text` as one word for a POSIX shell: as it is when it is made of safe
// characters only, else single_quoted().
std::string shell_quote(std::string_view text);

// `text` in single quotes, each ' written as '\'' (close, an escaped quote,
// open): one word for a POSIX shell and for HAProxy's configuration alike.
std::string single_quoted(std::string_view text);

// `text` safe to print on one line: control characters and backslashes
// shown as \xNN escapes, at most `max_bytes` of the input kept ("…" marks a
// cut).
std::string printable(std::string_view text, std::size_t max_bytes = 200);

// Whether `name` is an HTTP field name (an RFC 9110 token: letters, digits
// and !#$%&'*+-.^_`|~), 1 to 256 bytes.
bool is_header_name(std::string_view name);

// Whether `text` holds a control character (C0, including CR, LF and NUL,
// or DEL): what must never reach a request line, a header or a log line raw.
bool has_control_character(std::string_view text);

// The pieces joined with `separator` between them.
std::string join(const std::vector<std::string>& pieces, std::string_view separator);

// Terminal columns a UTF-8 string takes, counting one per code point.
std::size_t display_width(std::string_view text);

}  // namespace sessim
