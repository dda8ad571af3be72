// Server-side checks for text that users and operators type (等保 8.1.4.4d).
// Every check returns an Error with code kInvalidArgument, field = the field
// name passed in, and a Chinese message that names the field.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/result.h"

namespace zhanqun {

// Strict UTF-8: refuses overlong forms, surrogates (U+D800..U+DFFF), code
// points above U+10FFFF and truncated sequences.
bool IsValidUtf8(std::string_view s);

// Number of code points. Meaningful for valid UTF-8 only; for invalid input it
// counts the bytes that are not continuation bytes.
size_t Utf8Length(std::string_view s);

// Multi-line text (bodies, descriptions). Refuses invalid UTF-8, C0 control
// characters other than \t \n \r, and DEL. When `required`, a value made only
// of whitespace (ASCII or U+3000) counts as empty. `max_chars` counts code
// points.
Status CheckText(std::string_view field, std::string_view value, size_t max_chars, bool required);

// Single-line text (titles, names): as CheckText, and refuses \n and \r.
Status CheckLine(std::string_view field, std::string_view value, size_t max_chars, bool required);

// Machine codes, slugs and usernames: 1..64 characters of [a-z0-9._-],
// starting with [a-z0-9], without "..". Safe as one path component and in
// URLs without escaping.
Status CheckCode(std::string_view field, std::string_view value);

// A lower-case DNS host name such as "school-a.example.edu.cn" or
// "xn--fiqs8s.cn": labels of 1..63 [a-z0-9-] not starting or ending with '-',
// at most 253 characters, at least two labels (or exactly "localhost"), and a
// top-level label that is not all digits (so IPv4 literals are refused). No
// port, no trailing dot.
Status CheckDomain(std::string_view field, std::string_view value);

// An absolute http:// or https:// URL with a host, at most 2048 bytes. Refuses
// other schemes (javascript:, data:, ...), user:password@ credentials,
// backslashes, whitespace (including U+00A0, U+3000), control characters and
// invisible formatting characters (zero-width, bidi overrides).
Status CheckUrl(std::string_view field, std::string_view value);

// The file extension media is published under, from its sniffed type (and the
// filename for the OOXML formats, which share one signature).
std::string MediaExt(const std::string& mime, const std::string& filename);
// "/_media/ab/<hash>.<ext>": where media is served, on the public sites and on
// the admin listener alike.
std::string MediaUrl(const std::string& hash, const std::string& mime, const std::string& filename);

// A LIKE pattern matching values that contain `needle` literally: %, _ and a
// backslash in the needle are escaped with a backslash, so the SQL must say
// "LIKE ? ESCAPE '\'" (both engines accept it).
std::string LikeContains(std::string_view needle);
inline constexpr const char* kLikeEscape = " ESCAPE '\\'";

// Text for HTML element content or a quoted attribute: & < > " ' escaped.
std::string HtmlEscape(std::string_view s);

}  // namespace zhanqun
