// Allowlist sanitizer: gumbo parses the input as an HTML5 body fragment, the
// tree is walked once, and only allowlisted elements and attributes are
// written back out by our own serializer. Nothing from the input reaches the
// output except through that serializer, so every '<' in the output starts a
// tag we chose and every attribute value is quoted and escaped.
#include "content/sanitizer.h"

#include <gumbo.h>

#include <algorithm>
#include <array>
#include <csetjmp>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

namespace zhanqun::content {
namespace {

// Elements nested deeper than this are flattened into their text. The walk
// recurses once per level, so this also bounds its stack use.
constexpr int kMaxDepth = 100;

// Parsing our own output can reshape the tree: unwrapping <center> in
// <li><center><li> leaves an <li> directly inside an <li>, which the parser
// then splits in two. Running the pass until its output is a fixed point makes
// SanitizeHtml idempotent. Over the fuzz corpus every input settled by the
// third pass (most by the second); one that has not settled after this many
// passes is reduced to its text, which is a fixed point.
constexpr int kMaxPasses = 4;

constexpr std::string_view kReplacementChar = "\xEF\xBF\xBD";

// Bump allocator for gumbo, with a budget. The parse tree is released with
// the arena instead of gumbo_destroy_output, which recurses once per nesting
// level and would overflow the stack on deeply nested input (the parser itself
// keeps its stack of open elements on the heap). Gumbo frees only superseded
// buffers, so the waste stays proportional to the input.
//
// Past the budget the allocator longjmps back to Parse(): gumbo has no way to
// report a failed allocation, and every byte it holds is in the arena, so
// abandoning the parse leaks nothing. No frame between Parse() and Take() has
// a destructor to skip.
class Arena {
 public:
  explicit Arena(size_t budget) : budget_(budget) {}

  static void* Allocate(void* self, size_t size) { return static_cast<Arena*>(self)->Take(size); }
  static void Release(void* /*self*/, void* /*ptr*/) {}

  std::jmp_buf& over_budget() { return over_budget_; }

 private:
  static constexpr size_t kAlign = alignof(std::max_align_t);
  static constexpr size_t kBlockSize = size_t{64} * 1024;

  void* Take(size_t size) {
    size = size == 0 ? kAlign : (size + kAlign - 1) & ~(kAlign - 1);
    if (size > budget_ - used_) std::longjmp(over_budget_, 1);
    used_ += size;
    if (size > kBlockSize / 4) {
      // new char[] is aligned for any fundamental type.
      blocks_.emplace_back(new char[size]);
      return blocks_.back().get();
    }
    if (size > left_) {
      blocks_.emplace_back(new char[kBlockSize]);
      next_ = blocks_.back().get();
      left_ = kBlockSize;
    }
    void* p = next_;
    next_ += size;
    left_ -= size;
    return p;
  }

  const size_t budget_;
  size_t used_ = 0;
  std::vector<std::unique_ptr<char[]>> blocks_;
  char* next_ = nullptr;
  size_t left_ = 0;
  std::jmp_buf over_budget_;
};

// Replaces ill-formed UTF-8 (one U+FFFD per maximal ill-formed subsequence,
// as the Unicode standard and WHATWG decoders do) and NUL with U+FFFD. Gumbo
// would silently drop a NUL in text; replacing it first keeps it visible.
std::string ScrubUtf8(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  size_t i = 0;
  while (i < in.size()) {
    const auto b = static_cast<unsigned char>(in[i]);
    if (b < 0x80) {
      if (b == 0) {
        out += kReplacementChar;
      } else {
        out += static_cast<char>(b);
      }
      ++i;
      continue;
    }
    size_t need = 0;
    unsigned char lo = 0x80;
    unsigned char hi = 0xBF;
    if (b >= 0xC2 && b <= 0xDF) {
      need = 1;
    } else if (b >= 0xE0 && b <= 0xEF) {
      need = 2;
      if (b == 0xE0) lo = 0xA0;
      if (b == 0xED) hi = 0x9F;  // no surrogates
    } else if (b >= 0xF0 && b <= 0xF4) {
      need = 3;
      if (b == 0xF0) lo = 0x90;
      if (b == 0xF4) hi = 0x8F;  // nothing above U+10FFFF
    } else {
      out += kReplacementChar;
      ++i;
      continue;
    }
    size_t j = i + 1;
    for (size_t k = 0; k < need; ++k, ++j) {
      if (j >= in.size()) break;
      const auto c = static_cast<unsigned char>(in[j]);
      if (c < (k == 0 ? lo : 0x80) || c > (k == 0 ? hi : 0xBF)) break;
    }
    if (j - i == need + 1) {
      out.append(in.substr(i, j - i));
    } else {
      out += kReplacementChar;
    }
    i = j;
  }
  return out;
}

char AsciiLower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = AsciiLower(c);
  return out;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (AsciiLower(a[i]) != AsciiLower(b[i])) return false;
  }
  return true;
}

bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAsciiAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsHtmlSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'; }

bool IsDigits(std::string_view s, size_t max_len) {
  if (s.empty() || s.size() > max_len) return false;
  for (char c : s) {
    if (!IsAsciiDigit(c)) return false;
  }
  return true;
}

std::string_view TrimHtmlSpace(std::string_view s) {
  while (!s.empty() && IsHtmlSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsHtmlSpace(s.back())) s.remove_suffix(1);
  return s;
}

void AppendEscaped(std::string* out, std::string_view s, bool in_attribute) {
  for (char c : s) {
    switch (c) {
      case '&':
        *out += "&amp;";
        break;
      case '<':
        *out += "&lt;";
        break;
      case '>':
        *out += "&gt;";
        break;
      case '"':
        *out += in_attribute ? "&quot;" : "\"";
        break;
      case '\'':
        *out += in_attribute ? "&#39;" : "'";
        break;
      case '\0':
        *out += kReplacementChar;
        break;
      case '\r':  // from "&#13;"; written raw, the next parse would read '\n'
        *out += "&#13;";
        break;
      default:
        *out += c;
    }
  }
}

// ---- URLs -----------------------------------------------------------------

// What a browser ignores when it parses a URL attribute: leading and trailing
// C0 controls and spaces, and tabs and newlines anywhere ("jav&#x09;ascript:").
// Other controls are dropped too rather than left for the browser to encode.
std::string CleanUrl(std::string_view raw) {
  while (!raw.empty() && static_cast<unsigned char>(raw.front()) <= 0x20) raw.remove_prefix(1);
  while (!raw.empty() && static_cast<unsigned char>(raw.back()) <= 0x20) raw.remove_suffix(1);
  std::string url;
  url.reserve(raw.size());
  for (char c : raw) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) continue;
    url += c;
  }
  return url;
}

// The scheme as the WHATWG URL parser would find it, lower-cased; empty for a
// relative URL (which includes "#anchor" and "//host/path").
std::string SchemeOf(std::string_view url) {
  if (url.empty() || !IsAsciiAlpha(url[0])) return {};
  for (size_t i = 1; i < url.size(); ++i) {
    const char c = url[i];
    if (c == ':') return AsciiLower(url.substr(0, i));
    if (!IsAsciiAlpha(c) && !IsAsciiDigit(c) && c != '+' && c != '-' && c != '.') return {};
  }
  return {};
}

bool IsSafeImageData(std::string_view url) {
  constexpr std::array<std::string_view, 4> kPrefixes = {
      "data:image/png;base64,", "data:image/jpeg;base64,", "data:image/gif;base64,",
      "data:image/webp;base64,"};
  for (std::string_view prefix : kPrefixes) {
    if (url.size() <= prefix.size() || !EqualsIgnoreCase(url.substr(0, prefix.size()), prefix)) {
      continue;
    }
    for (char c : url.substr(prefix.size())) {
      if (!IsAsciiAlpha(c) && !IsAsciiDigit(c) && c != '+' && c != '/' && c != '=') return false;
    }
    return true;
  }
  return false;
}

enum class UrlUse { kLink, kImage, kMedia };

std::optional<std::string> SafeUrl(std::string_view raw, UrlUse use) {
  std::string url = CleanUrl(raw);
  if (url.empty()) return std::nullopt;
  const std::string scheme = SchemeOf(url);
  if (scheme.empty()) {
    // A colon before the path starts means a scheme we could not read
    // ("\u00A0javascript:", "java script:"): refused rather than trusted to be
    // relative in every browser.
    const size_t colon = url.find(':');
    if (colon != std::string::npos && colon < url.find_first_of("/?#")) return std::nullopt;
    return url;
  }
  if (scheme == "http" || scheme == "https") return url;
  if (use == UrlUse::kLink && (scheme == "mailto" || scheme == "tel")) return url;
  if (use == UrlUse::kImage && scheme == "data" && IsSafeImageData(url)) return url;
  return std::nullopt;
}

// An https URL whose host is one of `hosts`. Anything the check cannot read
// plainly (userinfo, percent-encoding, missing slashes) is refused.
std::optional<std::string> SafeIframeUrl(std::string_view raw,
                                         const std::vector<std::string>& hosts) {
  std::string url = CleanUrl(raw);
  constexpr std::string_view kPrefix = "https://";
  if (url.size() <= kPrefix.size() || !EqualsIgnoreCase(url.substr(0, kPrefix.size()), kPrefix)) {
    return std::nullopt;
  }
  const size_t start = kPrefix.size();
  const size_t end = std::min(url.find_first_of("/?#\\", start), url.size());
  std::string_view authority = std::string_view(url).substr(start, end - start);
  if (authority.find_first_of("@%") != std::string_view::npos) return std::nullopt;
  std::string_view host = authority;
  if (const size_t colon = authority.find(':'); colon != std::string_view::npos) {
    if (!IsDigits(authority.substr(colon + 1), 5)) return std::nullopt;
    host = authority.substr(0, colon);
  }
  if (host.empty()) return std::nullopt;
  for (const std::string& allowed : hosts) {
    if (EqualsIgnoreCase(host, allowed)) return url;
  }
  return std::nullopt;
}

// ---- CSS --------------------------------------------------------------------

bool IsAllowedCssProperty(std::string_view name) {
  constexpr std::array<std::string_view, 14> kProperties = {
      "text-align",       "font-weight", "font-style",      "text-decoration", "color",
      "background-color", "width",       "height",          "text-indent",     "padding-left",
      "margin-left",      "border",      "border-collapse", "vertical-align"};
  for (std::string_view p : kProperties) {
    if (name == p) return true;
  }
  return false;
}

// One CSS value token: a keyword ("center", "solid", "!important"), a number
// with an optional unit or % ("-18.0pt", "1.5", "50%"), or a #colour.
bool IsPlainCssToken(std::string_view t) {
  if (t.empty()) return false;
  if (t == "!important") return true;
  if (t.front() == '#') {
    const size_t n = t.size() - 1;
    if (n != 3 && n != 4 && n != 6 && n != 8) return false;
    for (char c : t.substr(1)) {
      if (!IsAsciiDigit(c) && std::string_view("abcdefABCDEF").find(c) == std::string_view::npos) {
        return false;
      }
    }
    return true;
  }
  if (IsAsciiAlpha(t.front())) {  // keyword: letters, digits inside, hyphens
    for (char c : t) {
      if (!IsAsciiAlpha(c) && !IsAsciiDigit(c) && c != '-') return false;
    }
    return true;
  }
  size_t i = 0;
  if (t[i] == '+' || t[i] == '-') ++i;
  size_t digits = 0;
  while (i < t.size() && IsAsciiDigit(t[i])) ++i, ++digits;
  if (i < t.size() && t[i] == '.') {
    ++i;
    while (i < t.size() && IsAsciiDigit(t[i])) ++i, ++digits;
  }
  if (digits == 0) return false;
  const std::string_view unit = t.substr(i);
  if (unit == "%") return true;
  if (unit.size() > 4) return false;
  for (char c : unit) {
    if (!IsAsciiAlpha(c)) return false;
  }
  return true;
}

// A value made of plain tokens separated by spaces or commas, with rgb(),
// rgba(), hsl() and hsla() holding numbers only.
bool IsPlainCssValue(std::string_view value) {
  size_t i = 0;
  while (i < value.size()) {
    if (IsHtmlSpace(value[i]) || value[i] == ',') {
      ++i;
      continue;
    }
    size_t end = i;
    while (end < value.size() && !IsHtmlSpace(value[end]) && value[end] != ',' &&
           value[end] != '(') {
      ++end;
    }
    const std::string_view token = value.substr(i, end - i);
    if (end < value.size() && value[end] == '(') {
      const std::string fn = AsciiLower(token);
      if (fn != "rgb" && fn != "rgba" && fn != "hsl" && fn != "hsla") return false;
      const size_t close = value.find(')', end);
      if (close == std::string_view::npos) return false;
      for (char c : value.substr(end + 1, close - end - 1)) {
        if (!IsAsciiDigit(c) && !IsHtmlSpace(c) &&
            std::string_view(".,%/+-").find(c) == std::string_view::npos) {
          return false;
        }
      }
      i = close + 1;
      continue;
    }
    if (!IsPlainCssToken(token)) return false;
    i = end;
  }
  return true;
}

// Keeps the declarations whose property is allowlisted and whose value is made
// of plain tokens (keywords, numbers, units, #colours, rgb()); returns them
// re-serialized as "name: value; name: value".
std::string FilterStyle(std::string_view css) {
  constexpr std::array<std::string_view, 9> kForbidden = {
      "expression", "url(", "javascript", "\\", "/*", "@import", "behavior", "<", "mso-"};
  std::string out;
  while (!css.empty()) {
    const size_t semi = css.find(';');
    std::string_view decl = css.substr(0, semi);
    css = semi == std::string_view::npos ? std::string_view() : css.substr(semi + 1);

    const size_t colon = decl.find(':');
    if (colon == std::string_view::npos) continue;
    const std::string name = AsciiLower(TrimHtmlSpace(decl.substr(0, colon)));
    const std::string_view value = TrimHtmlSpace(decl.substr(colon + 1));
    if (!IsAllowedCssProperty(name) || value.empty() || value.size() > 200) continue;

    const std::string lower = AsciiLower(value);
    bool ok = true;
    for (std::string_view bad : kForbidden) {
      if (lower.find(bad) != std::string::npos) ok = false;
    }
    if (!IsPlainCssValue(value)) ok = false;
    // A negative margin (or calc() making one) moves the article over the
    // page around it.
    if (name == "margin-left" && value.find('-') != std::string_view::npos) ok = false;
    if (!ok) continue;

    if (!out.empty()) out += "; ";
    out += name;
    out += ": ";
    bool space = false;
    for (char c : value) {
      if (IsHtmlSpace(c)) {
        space = true;
        continue;
      }
      if (space) out += ' ';
      space = false;
      out += c;
    }
  }
  return out;
}

// ---- limits before parsing --------------------------------------------------

// Gumbo's time grows with the depth of its stack of open elements (scope
// checks walk it, for most tags) and its memory with the list of active
// formatting elements, which is rebuilt into every new block:
// "<div><b a=1>…<b a=N></div>" then M times "<div>x</div>" makes N×M
// elements, and 65 KB of that took 2.6 GB. TagLimiter runs a linear model of
// both over the tags and removes start tags that would push either past its
// cap, before gumbo sees them. The model follows the HTML5 tree builder where
// that is cheap and otherwise errs towards counting too much; a shape it
// undercounts still runs into the arena budget.
constexpr size_t kMaxOpenElements = 256;
constexpr size_t kMaxActiveFormatting = 32;

// Arena budget per parse. Legitimate markup costs gumbo up to ~70 bytes per
// input byte (a page of "<p>" tags); text about 3.
size_t ParseBudget(size_t input_size) { return (size_t{16} << 20) + 160 * input_size; }

bool In(std::string_view name, std::initializer_list<std::string_view> names) {
  for (std::string_view n : names) {
    if (name == n) return true;
  }
  return false;
}

// What the tree builder needs to know about a tag name, computed once per
// tag so that walking the stack costs a bit test per element.
enum TagFlag : uint32_t {
  kVoid = 1 << 0,
  kFormatting = 1 << 1,  // takes part in the adoption agency
  kHeading = 1 << 2,
  kMarker = 1 << 3,   // puts a marker on the list of active formatting elements
  kRawText = 1 << 4,  // content read as text up to the end tag (in HTML content)
  kSpecial = 1 << 5,  // the parser's "special" category
  kScopeBoundary = 1 << 6,
  kListScopeBoundary = 1 << 7,
  kButtonScopeBoundary = 1 << 8,
  kTableScopeBoundary = 1 << 9,
  kForeignRoot = 1 << 10,
};

uint32_t TagFlags(std::string_view name) {
  // Built once; never destroyed, as static objects with destructors may be
  // used after destruction at exit.
  static const auto* const kTable = [] {
    auto* table = new std::unordered_map<std::string_view, uint32_t>();
    const auto add = [table](uint32_t flags, std::initializer_list<std::string_view> names) {
      for (std::string_view n : names) (*table)[n] |= flags;
    };
    add(kVoid | kSpecial,
        {"area", "base", "basefont", "bgsound", "br", "col", "embed", "frame", "hr", "img", "input",
         "isindex", "keygen", "link", "meta", "param", "source", "track", "wbr"});
    add(kVoid, {"image"});
    add(kFormatting, {"a", "b", "big", "code", "em", "font", "i", "nobr", "s", "small", "strike",
                      "strong", "tt", "u"});
    add(kHeading | kSpecial, {"h1", "h2", "h3", "h4", "h5", "h6"});
    add(kMarker | kScopeBoundary,
        {"applet", "caption", "marquee", "object", "template", "td", "th"});
    add(kRawText, {"script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes"});
    add(kSpecial, {"address",
                   "applet",
                   "article",
                   "aside",
                   "blockquote",
                   "body",
                   "button",
                   "caption",
                   "center",
                   "colgroup",
                   "dd",
                   "details",
                   "dir",
                   "div",
                   "dl",
                   "dt",
                   "fieldset",
                   "figcaption",
                   "figure",
                   "footer",
                   "form",
                   "frameset",
                   "head",
                   "header",
                   "hgroup",
                   "html",
                   "iframe",
                   "li",
                   "listing",
                   "main",
                   "marquee",
                   "menu",
                   "nav",
                   "noembed",
                   "noframes",
                   "noscript",
                   "object",
                   "ol",
                   "p",
                   "plaintext",
                   "pre",
                   "script",
                   "section",
                   "select",
                   "style",
                   "summary",
                   "table",
                   "tbody",
                   "td",
                   "template",
                   "textarea",
                   "tfoot",
                   "th",
                   "thead",
                   "title",
                   "tr",
                   "ul",
                   "xmp",
                   "mi",
                   "mo",
                   "mn",
                   "ms",
                   "mtext",
                   "annotation-xml",
                   "foreignobject",
                   "desc"});
    add(kScopeBoundary, {"html", "table", "mi", "mo", "mn", "ms", "mtext", "annotation-xml",
                         "foreignobject", "desc", "title"});
    add(kListScopeBoundary, {"ol", "ul"});
    add(kButtonScopeBoundary, {"button"});
    add(kTableScopeBoundary, {"html", "table", "template"});
    add(kForeignRoot, {"svg", "math"});
    return table;
  }();
  const auto it = kTable->find(name);
  return it == kTable->end() ? 0 : it->second;
}

enum class Scope { kDefault, kListItem, kButton, kTable };

bool IsScopeBoundary(uint32_t flags, Scope scope) {
  switch (scope) {
    case Scope::kTable:
      return (flags & kTableScopeBoundary) != 0;
    case Scope::kListItem:
      return (flags & (kScopeBoundary | kListScopeBoundary)) != 0;
    case Scope::kButton:
      return (flags & (kScopeBoundary | kButtonScopeBoundary)) != 0;
    case Scope::kDefault:
      break;
  }
  return (flags & kScopeBoundary) != 0;
}

// Where a raw-text element's content ends: at "</name" followed by a space,
// '/' or '>'; npos when it runs to the end of the input.
size_t FindRawTextEnd(std::string_view in, size_t from, std::string_view name) {
  for (size_t p = in.find("</", from); p != std::string_view::npos; p = in.find("</", p + 2)) {
    const size_t after = p + 2 + name.size();
    if (after < in.size() && EqualsIgnoreCase(in.substr(p + 2, name.size()), name)) {
      const char c = in[after];
      if (IsHtmlSpace(c) || c == '/' || c == '>') return p;
    }
  }
  return std::string_view::npos;
}

// One past the end of the comment that starts at `at` ("<!--").
size_t CommentEnd(std::string_view in, size_t at) {
  const std::string_view body = in.substr(at + 4);
  if (body.starts_with(">")) return at + 5;
  if (body.starts_with("->")) return at + 6;
  const size_t dashes = body.find("-->");
  const size_t bang = body.find("--!>");
  if (dashes == std::string_view::npos && bang == std::string_view::npos) return in.size();
  return dashes <= bang ? at + 4 + dashes + 3 : at + 4 + bang + 4;
}

struct TagToken {
  std::string name;        // lower-cased
  std::string_view attrs;  // raw text between the name and '>'
  bool self_closing = false;
  size_t end = std::string_view::npos;  // one past '>'; npos: the input ends inside the tag
};

// Reads a tag the way the HTML5 tokenizer does; `at` is the first letter of
// the name.
TagToken ReadTag(std::string_view in, size_t at) {
  TagToken tag;
  size_t p = at;
  while (p < in.size() && !IsHtmlSpace(in[p]) && in[p] != '/' && in[p] != '>') {
    tag.name += AsciiLower(in[p]);
    ++p;
  }
  const size_t attrs_start = p;
  while (true) {
    while (p < in.size() && (IsHtmlSpace(in[p]) || in[p] == '/')) {
      tag.self_closing = in[p] == '/' && p + 1 < in.size() && in[p + 1] == '>';
      ++p;
    }
    if (p >= in.size()) return tag;
    if (in[p] == '>') break;
    ++p;  // an attribute name may start with '='
    while (p < in.size() && !IsHtmlSpace(in[p]) && in[p] != '/' && in[p] != '>' && in[p] != '=') {
      ++p;
    }
    while (p < in.size() && IsHtmlSpace(in[p])) ++p;
    if (p >= in.size()) return tag;
    if (in[p] != '=') continue;
    ++p;
    while (p < in.size() && IsHtmlSpace(in[p])) ++p;
    if (p >= in.size()) return tag;
    if (in[p] == '"' || in[p] == '\'') {
      const size_t close = in.find(in[p], p + 1);
      if (close == std::string_view::npos) return tag;
      p = close + 1;
    } else if (in[p] != '>') {
      while (p < in.size() && !IsHtmlSpace(in[p]) && in[p] != '>') ++p;
    }
  }
  tag.attrs = in.substr(attrs_start, p - attrs_start);
  tag.end = p + 1;
  return tag;
}

class TagLimiter {
 public:
  // kTextOnly removes every tag, comment and raw-text content, keeping text.
  enum class Mode { kLimit, kTextOnly };

  explicit TagLimiter(Mode mode) : mode_(mode) {}

  std::string Run(std::string_view in) {
    std::string out;
    out.reserve(in.size());
    size_t i = 0;
    while (i < in.size()) {
      const size_t lt = std::min(in.find('<', i), in.size());
      if (lt > i) {
        Reconstruct();
        out.append(in.substr(i, lt - i));
      }
      if (lt == in.size()) break;
      i = lt;
      const std::string_view rest = in.substr(i);
      const char next = rest.size() > 1 ? rest[1] : '\0';
      const char after = rest.size() > 2 ? rest[2] : '\0';
      size_t end = 0;
      bool keep = mode_ == Mode::kLimit;
      if (rest.starts_with("<!--")) {
        end = CommentEnd(in, i);
      } else if (next == '!' || next == '?' || (next == '/' && !IsAsciiAlpha(after))) {
        if (next == '/' && after == '\0') {  // "</" at the very end is text
          Reconstruct();
          out.append(rest);
          break;
        }
        const size_t close = in.find('>', i + 2);
        end = close == std::string_view::npos ? in.size() : close + 1;
        // In foreign content this may be a CDATA section, which runs to "]]>".
        if (InForeign() && rest.starts_with("<![CDATA[")) Cautious(in.find("]]>", i));
      } else if (next == '/') {
        const TagToken tag = ReadTag(in, i + 2);
        end = tag.end == std::string_view::npos ? in.size() : tag.end;
        if (tag.end != std::string_view::npos && keep && i >= cautious_end_) EndTag(tag.name);
      } else if (IsAsciiAlpha(next)) {
        const TagToken tag = ReadTag(in, i + 1);
        if (tag.end == std::string_view::npos) {
          end = in.size();  // gumbo drops a tag cut off by the end of input
        } else {
          end = tag.end;
          const bool raw = (TagFlags(tag.name) & kRawText) != 0 || tag.name == "plaintext";
          const size_t raw_end = !raw || tag.name == "plaintext" ? std::string_view::npos
                                                                 : RawTextEnd(in, end, tag.name);
          if (raw && !InForeign()) {
            // The tokenizer reads the content as text: keep or drop it with
            // its tag.
            const size_t close = std::min(raw_end, in.size());
            if (keep) out.append(in.substr(i, close - i));
            i = close;
            continue;
          }
          // Inside <svg> or <math> such an element is an ordinary one unless
          // markup broke out of foreign content, which the model does not
          // follow; so its content is counted both ways (see Cautious).
          if (raw) Cautious(raw_end);
          if (keep) keep = StartTag(tag);
        }
      } else {
        Reconstruct();
        out += '<';
        i += 1;
        continue;
      }
      if (keep) out.append(in.substr(i, end - i));
      i = end;
    }
    return out;
  }

 private:
  struct Open {
    std::string name;
    uint32_t flags;
    uint64_t id;
  };
  struct Active {
    std::string name;  // empty for a marker
    std::string_view attrs;
    uint64_t id;
  };

  // Returns whether to keep the tag.
  bool StartTag(const TagToken& tag) {
    std::string_view name = tag.name;
    if (name == "image") name = "img";
    const uint32_t flags = TagFlags(name);
    // Void elements, and raw-text ones in HTML content, leave the stack as
    // they found it. A self-closing tag is counted as open: gumbo honours the
    // slash only in foreign content, which the model cannot tell apart
    // reliably, and </svg> pops what it counted there.
    if ((flags & kVoid) != 0 || ((flags & kRawText) != 0 && !InForeign())) {
      Reconstruct();
      return true;
    }
    const bool formatting = (flags & kFormatting) != 0;
    if (stack_.size() >= kMaxOpenElements) return false;
    if (formatting && ActiveCount() >= kMaxActiveFormatting) return false;

    if (name == "li") {
      CloseListItem({"li"});
    } else if (name == "dd" || name == "dt") {
      CloseListItem({"dd", "dt"});
    } else if (name == "p") {
      PopInScope({"p"}, Scope::kButton);
    } else if ((flags & kHeading) != 0) {
      if (!stack_.empty() && (stack_.back().flags & kHeading) != 0) PopTo(stack_.size() - 1);
    } else if (name == "td" || name == "th") {
      PopInScope({"td", "th"}, Scope::kTable);
    } else if (name == "tr") {
      PopInScope({"tr"}, Scope::kTable);
    } else if (name == "thead" || name == "tbody" || name == "tfoot") {
      PopInScope({"thead", "tbody", "tfoot"}, Scope::kTable);
    } else if (name == "option" || name == "optgroup") {
      if (!stack_.empty() && stack_.back().name == "option") PopTo(stack_.size() - 1);
      if (name == "optgroup" && !stack_.empty() && stack_.back().name == "optgroup") {
        PopTo(stack_.size() - 1);
      }
    } else if (name == "a") {
      FormattingEnd("a");  // an open <a> goes through the adoption agency
    }
    Reconstruct();
    if (formatting) NoahsArk(name, tag.attrs);
    const uint64_t id = Push(name, flags);
    if (formatting) active_.push_back({std::string(name), tag.attrs, id});
    return true;
  }

  void EndTag(std::string_view name) {
    const uint32_t flags = TagFlags(name);
    if (name == "br") {  // </br> is read as <br>
      Reconstruct();
    } else if ((flags & kFormatting) != 0) {
      FormattingEnd(name);
    } else if (name == "p") {
      PopInScope({"p"}, Scope::kButton);
    } else if (name == "li") {
      PopInScope({"li"}, Scope::kListItem);
    } else if ((flags & kHeading) != 0) {
      PopInScope({"h1", "h2", "h3", "h4", "h5", "h6"}, Scope::kDefault);
    } else if (In(name,
                  {"td", "th", "tr", "thead", "tbody", "tfoot", "table", "caption", "colgroup"})) {
      PopInScope({name}, Scope::kTable);
    } else if (name != "body" && name != "html") {
      PopInScope({name}, Scope::kDefault);
    }
  }

  // The adoption agency's effect on depth: with nothing but formatting
  // elements above it the element is popped with them; with a block above it
  // (a "furthest block") the element is swapped for a clone, so the depth
  // stays, and so does the model.
  void FormattingEnd(std::string_view name) {
    const size_t a = LastActive(name);
    if (a == kNone) {
      // "Any other end tag": pop to a same-named element unless a special one
      // comes first.
      for (size_t k = stack_.size(); k > 0; --k) {
        if (stack_[k - 1].name == name) {
          PopTo(k - 1);
          return;
        }
        if ((stack_[k - 1].flags & kSpecial) != 0) return;
      }
      return;
    }
    const uint64_t id = active_[a].id;
    if (open_ids_.count(id) == 0) {
      active_.erase(active_.begin() + static_cast<std::ptrdiff_t>(a));
      return;
    }
    for (size_t k = stack_.size(); k > 0; --k) {
      const Open& open = stack_[k - 1];
      if (open.id == id) {
        active_.erase(active_.begin() + static_cast<std::ptrdiff_t>(a));
        PopTo(k - 1);
        return;
      }
      if ((open.flags & kFormatting) == 0) return;  // out of scope, or a furthest block
    }
  }

  // Pops up to and including the nearest element named in `names`, unless a
  // boundary of `scope` comes first.
  void PopInScope(std::initializer_list<std::string_view> names, Scope scope) {
    for (size_t k = stack_.size(); k > 0; --k) {
      if (In(stack_[k - 1].name, names)) {
        PopTo(k - 1);
        return;
      }
      if (IsScopeBoundary(stack_[k - 1].flags, scope)) return;
    }
  }

  // <li>, <dd> and <dt> close an open one unless a special element other than
  // address, div or p is in between.
  void CloseListItem(std::initializer_list<std::string_view> names) {
    for (size_t k = stack_.size(); k > 0; --k) {
      const Open& open = stack_[k - 1];
      if (In(open.name, names)) {
        PopTo(k - 1);
        return;
      }
      if ((open.flags & kSpecial) != 0 && !In(open.name, {"address", "div", "p"})) return;
    }
  }

  // FindRawTextEnd, remembering the last answer per name: without it, many
  // unclosed raw-text tags in foreign content would each scan to the end.
  size_t RawTextEnd(std::string_view in, size_t from, const std::string& name) {
    for (auto& [cached_name, at] : raw_ends_) {
      if (cached_name != name) continue;
      if (at >= from) return at;
      at = FindRawTextEnd(in, from, name);
      return at;
    }
    raw_ends_.emplace_back(name, FindRawTextEnd(in, from, name));
    return raw_ends_.back().second;
  }

  // Until `end` (npos: the end of input), end tags are not applied: the
  // region may be text to gumbo (raw text, CDATA) or markup, and counting its
  // start tags while ignoring its end tags overcounts either way.
  void Cautious(size_t end) { cautious_end_ = std::max(cautious_end_, end); }

  bool InForeign() const { return foreign_depth_ > 0; }

  uint64_t Push(std::string_view name, uint32_t flags) {
    const uint64_t id = next_id_++;
    stack_.push_back({std::string(name), flags, id});
    open_ids_.insert(id);
    if ((flags & kForeignRoot) != 0) ++foreign_depth_;
    if ((flags & kMarker) != 0) active_.push_back({std::string(), {}, 0});
    return id;
  }

  // Pops stack_[index] and everything above it.
  void PopTo(size_t index) {
    while (stack_.size() > index) {
      const Open& open = stack_.back();
      open_ids_.erase(open.id);
      if ((open.flags & kForeignRoot) != 0) --foreign_depth_;
      if ((open.flags & kMarker) != 0) {
        while (!active_.empty()) {
          const bool was_marker = active_.back().name.empty();
          active_.pop_back();
          if (was_marker) break;
        }
      }
      stack_.pop_back();
    }
  }

  // Re-opens the active formatting elements that were popped but not closed,
  // as the tree builder does before text and most start tags.
  void Reconstruct() {
    if (active_.empty()) return;
    const auto is_settled = [this](const Active& e) {
      return e.name.empty() || open_ids_.count(e.id) != 0;
    };
    if (is_settled(active_.back())) return;
    size_t k = active_.size() - 1;
    while (k > 0 && !is_settled(active_[k - 1])) --k;
    for (; k < active_.size(); ++k) active_[k].id = Push(active_[k].name, kFormatting);
  }

  // At most three identical entries after the last marker.
  void NoahsArk(std::string_view name, std::string_view attrs) {
    size_t same = 0;
    size_t earliest = kNone;
    for (size_t k = active_.size(); k > 0 && !active_[k - 1].name.empty(); --k) {
      if (active_[k - 1].name == name && active_[k - 1].attrs == attrs) {
        ++same;
        earliest = k - 1;
      }
    }
    if (same >= 3) active_.erase(active_.begin() + static_cast<std::ptrdiff_t>(earliest));
  }

  size_t LastActive(std::string_view name) const {
    for (size_t k = active_.size(); k > 0 && !active_[k - 1].name.empty(); --k) {
      if (active_[k - 1].name == name) return k - 1;
    }
    return kNone;
  }

  size_t ActiveCount() const {
    size_t n = 0;
    for (const Active& e : active_) n += e.name.empty() ? 0 : 1;
    return n;
  }

  static constexpr size_t kNone = static_cast<size_t>(-1);

  const Mode mode_;
  std::vector<Open> stack_;
  std::vector<Active> active_;
  std::unordered_set<uint64_t> open_ids_;
  uint64_t next_id_ = 1;
  int foreign_depth_ = 0;
  size_t cautious_end_ = 0;
  std::vector<std::pair<std::string, size_t>> raw_ends_;
};

// ---- elements ---------------------------------------------------------------

enum class Action { kKeep, kUnwrap, kDrop };

// Word's <xml> islands hold document properties, not article text. Read from
// the tag's source text (gumbo_tag_from_original_text asserts on its input).
bool IsXmlIsland(const GumboElement& element) {
  const std::string_view tag(element.original_tag.data, element.original_tag.length);
  if (tag.size() < 5 || tag[0] != '<' || !EqualsIgnoreCase(tag.substr(1, 3), "xml")) return false;
  return IsHtmlSpace(tag[4]) || tag[4] == '/' || tag[4] == '>';
}

Action Classify(const GumboElement& element) {
  if (element.tag_namespace != GUMBO_NAMESPACE_HTML) return Action::kDrop;
  switch (element.tag) {
    case GUMBO_TAG_P:
    case GUMBO_TAG_BR:
    case GUMBO_TAG_HR:
    case GUMBO_TAG_H1:
    case GUMBO_TAG_H2:
    case GUMBO_TAG_H3:
    case GUMBO_TAG_H4:
    case GUMBO_TAG_H5:
    case GUMBO_TAG_H6:
    case GUMBO_TAG_STRONG:
    case GUMBO_TAG_B:
    case GUMBO_TAG_EM:
    case GUMBO_TAG_I:
    case GUMBO_TAG_U:
    case GUMBO_TAG_S:
    case GUMBO_TAG_SUB:
    case GUMBO_TAG_SUP:
    case GUMBO_TAG_BLOCKQUOTE:
    case GUMBO_TAG_PRE:
    case GUMBO_TAG_CODE:
    case GUMBO_TAG_SPAN:
    case GUMBO_TAG_DIV:
    case GUMBO_TAG_A:
    case GUMBO_TAG_IMG:
    case GUMBO_TAG_UL:
    case GUMBO_TAG_OL:
    case GUMBO_TAG_LI:
    case GUMBO_TAG_TABLE:
    case GUMBO_TAG_THEAD:
    case GUMBO_TAG_TBODY:
    case GUMBO_TAG_TFOOT:
    case GUMBO_TAG_TR:
    case GUMBO_TAG_TH:
    case GUMBO_TAG_TD:
    case GUMBO_TAG_CAPTION:
    case GUMBO_TAG_COLGROUP:
    case GUMBO_TAG_COL:
    case GUMBO_TAG_FIGURE:
    case GUMBO_TAG_FIGCAPTION:
    case GUMBO_TAG_VIDEO:
    case GUMBO_TAG_AUDIO:
    case GUMBO_TAG_SOURCE:
    case GUMBO_TAG_IFRAME:  // kept only with an allowed src; see Attributes()
      return Action::kKeep;
    case GUMBO_TAG_SCRIPT:
    case GUMBO_TAG_STYLE:
    case GUMBO_TAG_TEMPLATE:
    case GUMBO_TAG_NOSCRIPT:
    case GUMBO_TAG_OBJECT:
    case GUMBO_TAG_EMBED:
    case GUMBO_TAG_APPLET:
    case GUMBO_TAG_PARAM:
    case GUMBO_TAG_FORM:
    case GUMBO_TAG_INPUT:
    case GUMBO_TAG_BUTTON:
    case GUMBO_TAG_SELECT:
    case GUMBO_TAG_TEXTAREA:
    case GUMBO_TAG_OPTION:
    case GUMBO_TAG_OPTGROUP:
    case GUMBO_TAG_DATALIST:
    case GUMBO_TAG_KEYGEN:
    case GUMBO_TAG_FRAME:
    case GUMBO_TAG_FRAMESET:
    case GUMBO_TAG_NOFRAMES:
    case GUMBO_TAG_NOEMBED:
    case GUMBO_TAG_SVG:
    case GUMBO_TAG_MATH:
    case GUMBO_TAG_LINK:
    case GUMBO_TAG_META:
    case GUMBO_TAG_BASE:
    case GUMBO_TAG_TITLE:
    case GUMBO_TAG_HEAD:
      return Action::kDrop;
    case GUMBO_TAG_UNKNOWN:
      return IsXmlIsland(element) ? Action::kDrop : Action::kUnwrap;
    default:
      return Action::kUnwrap;
  }
}

bool IsVoid(GumboTag tag) {
  return tag == GUMBO_TAG_BR || tag == GUMBO_TAG_HR || tag == GUMBO_TAG_IMG ||
         tag == GUMBO_TAG_COL || tag == GUMBO_TAG_SOURCE;
}

// Elements in which the parser moves non-whitespace text elsewhere (foster
// parenting), so writing text there would not survive a second parse.
bool IsTableContext(GumboTag tag) {
  return tag == GUMBO_TAG_TABLE || tag == GUMBO_TAG_THEAD || tag == GUMBO_TAG_TBODY ||
         tag == GUMBO_TAG_TFOOT || tag == GUMBO_TAG_TR || tag == GUMBO_TAG_COLGROUP;
}

bool IsBooleanAttribute(std::string_view name) {
  return name == "controls" || name == "allowfullscreen";
}

bool IsLanguageTag(std::string_view s) {
  if (s.empty() || s.size() > 35) return false;
  for (char c : s) {
    if (!IsAsciiAlpha(c) && !IsAsciiDigit(c) && c != '-') return false;
  }
  return true;
}

bool IsMimeType(std::string_view s) {
  if (s.empty() || s.size() > 100 || s.find('/') == std::string_view::npos) return false;
  for (char c : s) {
    if (!IsAsciiAlpha(c) && !IsAsciiDigit(c) &&
        std::string_view("/+.-_;=, \"").find(c) == std::string_view::npos) {
      return false;
    }
  }
  return true;
}

std::optional<std::string> OneOf(std::string_view value,
                                 std::initializer_list<std::string_view> allowed) {
  for (std::string_view a : allowed) {
    if (EqualsIgnoreCase(value, a)) return std::string(a);
  }
  return std::nullopt;
}

// The value to write for an attribute of `tag` beyond the global ones, or
// nullopt to drop the attribute.
std::optional<std::string> TagAttribute(GumboTag tag, std::string_view name, std::string_view value,
                                        const SanitizeOptions& options) {
  switch (tag) {
    case GUMBO_TAG_A:
      if (name == "href") return SafeUrl(value, UrlUse::kLink);
      if (name == "target") return OneOf(value, {"_blank"});
      break;
    case GUMBO_TAG_IMG:
      if (name == "src") return SafeUrl(value, UrlUse::kImage);
      if (name == "alt") return std::string(value);
      if (name == "width" || name == "height") {
        if (IsDigits(value, 5)) return std::string(value);
      }
      break;
    case GUMBO_TAG_TD:
    case GUMBO_TAG_TH:
      if (name == "colspan" || name == "rowspan") {
        if (IsDigits(value, 4)) return std::string(value);
      }
      if (name == "scope") return OneOf(value, {"row", "col", "rowgroup", "colgroup"});
      break;
    case GUMBO_TAG_OL:
      if (name == "start") {
        std::string_view digits = value.substr(!value.empty() && value[0] == '-' ? 1 : 0);
        if (IsDigits(digits, 9)) return std::string(value);
      }
      if (name == "type") {
        if (value == "1" || value == "a" || value == "A" || value == "i" || value == "I") {
          return std::string(value);
        }
      }
      break;
    case GUMBO_TAG_VIDEO:
    case GUMBO_TAG_AUDIO:
    case GUMBO_TAG_SOURCE:
      if (name == "src" || name == "poster") return SafeUrl(value, UrlUse::kMedia);
      if (name == "controls") return std::string();
      if (name == "type" && IsMimeType(value)) return std::string(value);
      break;
    case GUMBO_TAG_IFRAME:
      if (name == "src") return SafeIframeUrl(value, options.iframe_hosts);
      if (name == "width" || name == "height") {
        if (IsDigits(value, 5)) return std::string(value);
      }
      if (name == "allowfullscreen") return std::string();
      break;
    default:
      break;
  }
  return std::nullopt;
}

void AppendAttribute(std::string* out, std::string_view name, std::string_view value) {
  *out += ' ';
  *out += name;
  if (value.empty() && IsBooleanAttribute(name)) return;
  *out += "=\"";
  AppendEscaped(out, value, /*in_attribute=*/true);
  *out += '"';
}

class Writer {
 public:
  explicit Writer(const SanitizeOptions& options) : options_(options) {}

  void Children(const GumboVector& children, GumboTag context, int depth) {
    for (unsigned i = 0; i < children.length; ++i) {
      Node(static_cast<const GumboNode*>(children.data[i]), context, depth);
    }
  }

  // Writes only the text under `node`, without recursion.
  void Flatten(const GumboNode* node, GumboTag context) {
    if (IsTableContext(context)) return;
    std::vector<const GumboNode*> stack = {node};
    while (!stack.empty()) {
      const GumboNode* n = stack.back();
      stack.pop_back();
      switch (n->type) {
        case GUMBO_NODE_TEXT:
        case GUMBO_NODE_WHITESPACE:
        case GUMBO_NODE_CDATA:
          AppendEscaped(&out_, n->v.text.text, /*in_attribute=*/false);
          break;
        case GUMBO_NODE_ELEMENT:
          if (Classify(n->v.element) != Action::kDrop) {
            const GumboVector& c = n->v.element.children;
            for (unsigned i = c.length; i > 0; --i) {
              stack.push_back(static_cast<const GumboNode*>(c.data[i - 1]));
            }
          }
          break;
        default:  // comments, templates
          break;
      }
    }
  }

  std::string Take() { return std::move(out_); }

 private:
  void Node(const GumboNode* node, GumboTag context, int depth) {
    switch (node->type) {
      case GUMBO_NODE_TEXT:
      case GUMBO_NODE_WHITESPACE:
      case GUMBO_NODE_CDATA:
        Text(node->v.text.text, context);
        break;
      case GUMBO_NODE_ELEMENT:
        Element(node, context, depth);
        break;
      default:  // comments (Word's conditional comments included), templates
        break;
    }
  }

  void Text(std::string_view text, GumboTag context) {
    if (IsTableContext(context) && !TrimHtmlSpace(text).empty()) return;
    AppendEscaped(&out_, text, /*in_attribute=*/false);
  }

  void Element(const GumboNode* node, GumboTag context, int depth) {
    const GumboElement& element = node->v.element;
    const Action action = Classify(element);
    if (action == Action::kDrop) return;
    if (depth > kMaxDepth) {
      Flatten(node, context);
      return;
    }
    if (action == Action::kUnwrap) {
      Children(element.children, context, depth + 1);
      return;
    }
    std::string attributes;
    if (!Attributes(element, &attributes)) return;
    const GumboTag tag = element.tag;
    // Word wraps every run in <span>; without attributes they say nothing.
    // A link inside a link cannot be written: the parser would close the
    // outer one, and the adoption agency reshuffles the tree on every pass.
    if (((tag == GUMBO_TAG_SPAN || tag == GUMBO_TAG_A) && attributes.empty()) ||
        (tag == GUMBO_TAG_A && in_link_)) {
      Children(element.children, context, depth + 1);
      return;
    }
    const std::string_view name = gumbo_normalized_tagname(tag);
    out_ += '<';
    out_ += name;
    out_ += attributes;
    out_ += '>';
    if (IsVoid(tag)) return;
    // An iframe's content is raw text to the parser; it is never written.
    if (tag != GUMBO_TAG_IFRAME) {
      const size_t start = out_.size();
      const bool was_in_link = in_link_;
      in_link_ = in_link_ || tag == GUMBO_TAG_A;
      Children(element.children, tag, depth + 1);
      in_link_ = was_in_link;
      // The parser drops a newline right after <pre>; write one more so the
      // content's own leading newline survives the next parse.
      if (tag == GUMBO_TAG_PRE && start < out_.size() && out_[start] == '\n') {
        out_.insert(start, 1, '\n');
      }
    }
    out_ += "</";
    out_ += name;
    out_ += '>';
  }

  // Appends the allowed attributes of `element` to `out`. Returns false when
  // the element must go entirely (an img or iframe without a usable src).
  bool Attributes(const GumboElement& element, std::string* out) const {
    const GumboTag tag = element.tag;
    bool has_src = false;
    bool target_blank = false;
    for (unsigned i = 0; i < element.attributes.length; ++i) {
      const auto* attr = static_cast<const GumboAttribute*>(element.attributes.data[i]);
      const std::string_view name = attr->name;
      const std::string_view value = attr->value;
      if (name == "title") {
        AppendAttribute(out, name, value);
      } else if (name == "lang") {
        if (IsLanguageTag(value)) AppendAttribute(out, name, value);
      } else if (name == "dir") {
        if (auto dir = OneOf(value, {"ltr", "rtl", "auto"})) AppendAttribute(out, name, *dir);
      } else if (name == "style") {
        const std::string css = FilterStyle(value);
        if (!css.empty()) AppendAttribute(out, name, css);
      } else if (auto kept = TagAttribute(tag, name, value, options_)) {
        AppendAttribute(out, name, *kept);
        if (name == "src") has_src = true;
        if (name == "target") target_blank = true;
      }
    }
    if ((tag == GUMBO_TAG_IMG || tag == GUMBO_TAG_IFRAME) && !has_src) return false;
    if (target_blank) AppendAttribute(out, "rel", "noopener noreferrer");
    if (tag == GUMBO_TAG_IFRAME) {
      AppendAttribute(out, "sandbox", "allow-scripts allow-same-origin allow-presentation");
    }
    return true;
  }

  const SanitizeOptions& options_;
  std::string out_;
  bool in_link_ = false;
};

// A gumbo parse whose tree lives in its own arena. root() is null when the
// parse ran past the budget.
class Document {
 public:
  explicit Document(std::string html) : html_(std::move(html)), arena_(ParseBudget(html_.size())) {
    GumboOptions options = kGumboDefaultOptions;
    options.allocator = &Arena::Allocate;
    options.deallocator = &Arena::Release;
    options.userdata = &arena_;
    options.max_errors = 0;  // never read
    options.fragment_context = GUMBO_TAG_BODY;
    const GumboOutput* output = Parse(options, html_, arena_);
    if (output != nullptr) root_ = output->root;
  }

  // Elements keep pointers into the input (original_tag), so it lives here.
  Document(const Document&) = delete;
  Document& operator=(const Document&) = delete;

  const GumboNode* root() const { return root_; }

 private:
  static const GumboOutput* Parse(const GumboOptions& options, const std::string& html,
                                  Arena& arena) {
    if (setjmp(arena.over_budget()) != 0) return nullptr;
    return gumbo_parse_with_options(&options, html.data(), html.size());
  }

  const std::string html_;
  Arena arena_;
  const GumboNode* root_ = nullptr;
};

enum class Mode { kMarkup, kTextOnly };

std::string RunPass(std::string_view html, const SanitizeOptions& options, Mode mode) {
  const std::string input = ScrubUtf8(html);
  Writer writer(options);
  {
    const Document doc(TagLimiter(TagLimiter::Mode::kLimit).Run(input));
    if (const GumboNode* root = doc.root()) {
      if (mode == Mode::kTextOnly) {
        writer.Flatten(root, GUMBO_TAG_BODY);
      } else {
        writer.Children(root->v.element.children, GUMBO_TAG_BODY, 1);
      }
      return writer.Take();
    }
  }
  // Markup that blows the budget has been built to; its text is all it keeps.
  const Document text(TagLimiter(TagLimiter::Mode::kTextOnly).Run(input));
  if (const GumboNode* root = text.root()) writer.Flatten(root, GUMBO_TAG_BODY);
  return writer.Take();
}

}  // namespace

std::string SanitizeHtml(std::string_view html, const SanitizeOptions& options) {
  std::string out = RunPass(html, options, Mode::kMarkup);
  for (int pass = 1; pass < kMaxPasses; ++pass) {
    std::string again = RunPass(out, options, Mode::kMarkup);
    if (again == out) return out;
    out = std::move(again);
  }
  return RunPass(out, options, Mode::kTextOnly);
}

}  // namespace zhanqun::content
