// Fuzzes SanitizeHtml. The input is the HTML, as is; the options allow one
// iframe host, player.bilibili.com.
//
// Besides memory errors it checks an oracle on the output:
//  - sanitizing it again gives it back unchanged (idempotence);
//  - it is valid UTF-8 without NUL;
//  - it is well-formed: every '<' opens an allowlisted tag, end tags match,
//    every '>' closes a tag, nesting stays within 100 elements;
//  - every attribute is allowlisted for its element, no on* handler, values
//    are quoted and escaped, URLs carry an allowed scheme (iframes only the
//    allowed host), styles carry none of the refused tokens.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "content/sanitizer.h"

namespace {

using zhanqun::content::SanitizeHtml;
using zhanqun::content::SanitizeOptions;

#define FUZZ_CHECK(cond)                                                          \
  do {                                                                            \
    if (!(cond)) {                                                                \
      std::fprintf(stderr, "FUZZ_CHECK failed: %s (line %d)\n", #cond, __LINE__); \
      std::abort();                                                               \
    }                                                                             \
  } while (0)

constexpr int kMaxDepth = 100;

bool In(std::string_view s, std::initializer_list<std::string_view> set) {
  for (std::string_view x : set) {
    if (s == x) return true;
  }
  return false;
}

bool IsKeptTag(std::string_view n) {
  return In(n,
            {"p",     "br",         "hr",      "h1",       "h2",    "h3",     "h4",         "h5",
             "h6",    "strong",     "b",       "em",       "i",     "u",      "s",          "sub",
             "sup",   "blockquote", "pre",     "code",     "span",  "div",    "a",          "img",
             "ul",    "ol",         "li",      "table",    "thead", "tbody",  "tfoot",      "tr",
             "th",    "td",         "caption", "colgroup", "col",   "figure", "figcaption", "video",
             "audio", "source",     "iframe"});
}

bool IsVoid(std::string_view n) { return In(n, {"br", "hr", "img", "col", "source"}); }

bool IsAllowedAttribute(std::string_view tag, std::string_view attr) {
  if (In(attr, {"title", "lang", "dir", "style"})) return true;
  if (tag == "a") return In(attr, {"href", "target", "rel"});
  if (tag == "img") return In(attr, {"src", "alt", "width", "height"});
  if (tag == "td" || tag == "th") return In(attr, {"colspan", "rowspan", "scope"});
  if (tag == "ol") return In(attr, {"start", "type"});
  if (In(tag, {"video", "audio", "source"})) return In(attr, {"src", "controls", "poster", "type"});
  if (tag == "iframe") {
    return In(attr, {"src", "width", "height", "allowfullscreen", "sandbox"});
  }
  return false;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Undoes the serializer's attribute escaping.
std::string Unescape(std::string_view v) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] != '&') {
      out += v[i];
      continue;
    }
    const std::string_view rest = v.substr(i);
    if (rest.starts_with("&amp;")) {
      out += '&';
      i += 4;
    } else if (rest.starts_with("&lt;")) {
      out += '<';
      i += 3;
    } else if (rest.starts_with("&gt;")) {
      out += '>';
      i += 3;
    } else if (rest.starts_with("&quot;")) {
      out += '"';
      i += 5;
    } else if (rest.starts_with("&#39;")) {
      out += '\'';
      i += 4;
    } else {
      FUZZ_CHECK(false && "raw '&' in an attribute value");
    }
  }
  return out;
}

void CheckUrl(std::string_view tag, std::string_view attr, const std::string& value) {
  for (char c : value) FUZZ_CHECK(static_cast<unsigned char>(c) > 0x20 || c == ' ');
  FUZZ_CHECK(!value.empty() && value.front() != ' ' && value.back() != ' ');
  const std::string lower = Lower(value);
  if (tag == "iframe") {
    FUZZ_CHECK(lower.starts_with("https://player.bilibili.com"));
    const char after = lower.size() > 27 ? lower[27] : '/';
    FUZZ_CHECK(after == '/' || after == '?' || after == '#' || after == ':' || after == '\\');
    return;
  }
  const size_t colon = lower.find(':');
  const size_t path = lower.find_first_of("/?#");
  if (colon == std::string::npos || (path != std::string::npos && path < colon)) return;
  const std::string scheme = lower.substr(0, colon);
  if (scheme == "http" || scheme == "https") return;
  if (tag == "a" && attr == "href" && (scheme == "mailto" || scheme == "tel")) return;
  if (tag == "img" && scheme == "data") {
    FUZZ_CHECK(lower.starts_with("data:image/png;base64,") ||
               lower.starts_with("data:image/jpeg;base64,") ||
               lower.starts_with("data:image/gif;base64,") ||
               lower.starts_with("data:image/webp;base64,"));
    return;
  }
  FUZZ_CHECK(false && "URL with a refused scheme");
}

void CheckAttribute(std::string_view tag, std::string_view name, const std::string& value) {
  FUZZ_CHECK(IsAllowedAttribute(tag, name));
  FUZZ_CHECK(!Lower(name).starts_with("on"));
  if (In(name, {"href", "src", "poster"})) CheckUrl(tag, name, value);
  if (name == "style") {
    const std::string lower = Lower(value);
    for (std::string_view bad :
         {"expression", "url(", "javascript", "\\", "/*", "@import", "behavior", "<", "mso-"}) {
      FUZZ_CHECK(lower.find(bad) == std::string::npos);
    }
  }
  if (name == "target") FUZZ_CHECK(value == "_blank");
  if (name == "sandbox") FUZZ_CHECK(value == "allow-scripts allow-same-origin allow-presentation");
}

bool IsValidUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    size_t n = 0;
    uint32_t cp = b;
    if (b >= 0xC2 && b <= 0xDF) {
      n = 1;
      cp = b & 0x1F;
    } else if (b >= 0xE0 && b <= 0xEF) {
      n = 2;
      cp = b & 0x0F;
    } else if (b >= 0xF0 && b <= 0xF4) {
      n = 3;
      cp = b & 0x07;
    } else if (b >= 0x80) {
      return false;
    }
    if (s.size() - i <= n) return false;
    for (size_t k = 1; k <= n; ++k) {
      const auto c = static_cast<unsigned char>(s[i + k]);
      if ((c & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (c & 0x3F);
    }
    if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += n + 1;
  }
  return true;
}

// Walks the output as the serializer writes it: text, and tags of the form
// <name( attr(="value")?)*> and </name>.
void CheckStructure(std::string_view out) {
  std::vector<std::string> open;
  size_t i = 0;
  while (i < out.size()) {
    const char c = out[i];
    FUZZ_CHECK(c != '>' && c != '\0');
    if (c != '<') {
      ++i;
      continue;
    }
    const size_t close = out.find('>', i);
    FUZZ_CHECK(close != std::string_view::npos);
    std::string_view tag = out.substr(i + 1, close - i - 1);
    i = close + 1;
    if (tag.starts_with("/")) {
      const std::string_view name = tag.substr(1);
      FUZZ_CHECK(!open.empty() && open.back() == name);
      open.pop_back();
      continue;
    }
    const size_t name_end = std::min(tag.find(' '), tag.size());
    const std::string name(tag.substr(0, name_end));
    FUZZ_CHECK(IsKeptTag(name));
    std::string_view attrs = tag.substr(name_end);
    while (!attrs.empty()) {
      FUZZ_CHECK(attrs[0] == ' ');
      attrs.remove_prefix(1);
      const size_t stop = std::min(attrs.find_first_of(" ="), attrs.size());
      const std::string_view attr = attrs.substr(0, stop);
      FUZZ_CHECK(!attr.empty());
      attrs.remove_prefix(stop);
      std::string value;
      if (attrs.starts_with("=")) {
        FUZZ_CHECK(attrs.size() >= 3 && attrs[1] == '"');
        const size_t quote = attrs.find('"', 2);
        FUZZ_CHECK(quote != std::string_view::npos);
        const std::string_view raw = attrs.substr(2, quote - 2);
        FUZZ_CHECK(raw.find_first_of("<>'") == std::string_view::npos);
        value = Unescape(raw);
        attrs.remove_prefix(quote + 1);
      } else {
        FUZZ_CHECK(attr == "controls" || attr == "allowfullscreen");
      }
      CheckAttribute(name, attr, value);
    }
    if (!IsVoid(name)) {
      open.push_back(name);
      FUZZ_CHECK(open.size() <= static_cast<size_t>(kMaxDepth));
    }
  }
  FUZZ_CHECK(open.empty());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view html(reinterpret_cast<const char*>(data), size);
  const SanitizeOptions options{{"player.bilibili.com"}};

  const std::string once = SanitizeHtml(html, options);
  FUZZ_CHECK(IsValidUtf8(once));
  CheckStructure(once);
  const std::string twice = SanitizeHtml(once, options);
  FUZZ_CHECK(twice == once);
  return 0;
}
