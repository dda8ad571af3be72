#include "core/text.h"

#include <map>
#include <string>

namespace zhanqun {
namespace {

constexpr size_t kMaxCodeChars = 64;
constexpr size_t kMaxDomainChars = 253;
constexpr size_t kMaxLabelChars = 63;
constexpr size_t kMaxUrlBytes = 2048;

// Decodes one code point at s[*pos] and advances *pos. Returns false on any
// ill-formed sequence (Unicode 15, table 3-7).
bool DecodeNext(std::string_view s, size_t* pos, char32_t* out) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  const size_t i = *pos;
  const unsigned char b0 = byte(i);
  if (b0 < 0x80) {
    *out = b0;
    *pos = i + 1;
    return true;
  }
  size_t len;
  char32_t cp;
  char32_t min;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
    cp = b0 & 0x1F;
    min = 0x80;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    cp = b0 & 0x0F;
    min = 0x800;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    cp = b0 & 0x07;
    min = 0x10000;
  } else {
    return false;  // continuation byte, C0/C1 overlong lead, or F5..FF
  }
  if (s.size() - i < len) return false;
  for (size_t k = 1; k < len; ++k) {
    const unsigned char b = byte(i + k);
    if ((b & 0xC0) != 0x80) return false;
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
  *out = cp;
  *pos = i + len;
  return true;
}

Status Invalid(std::string_view field, std::string_view what) {
  std::string msg(field);
  msg += ' ';
  msg += what;
  return Fail(Error::Invalid(std::string(field), std::move(msg)));
}

bool IsBlank(char32_t c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' || c == 0x3000;
}

Status CheckTextImpl(std::string_view field, std::string_view value, size_t max_chars,
                     bool required, bool single_line) {
  if (!IsValidUtf8(value)) return Invalid(field, "不是有效的 UTF-8 文本");
  bool blank = true;
  size_t chars = 0;
  bool has_control = false;
  bool has_newline = false;
  for (size_t pos = 0; pos < value.size();) {
    char32_t c = 0;
    DecodeNext(value, &pos, &c);
    ++chars;
    if (!IsBlank(c)) blank = false;
    if (c == '\n' || c == '\r') {
      has_newline = true;
    } else if ((c < 0x20 && c != '\t') || c == 0x7F) {
      has_control = true;
    }
  }
  if (blank) {
    if (required) return Invalid(field, "不能为空");
    if (value.empty()) return {};
  }
  if (chars > max_chars) {
    return Invalid(field, "长度不能超过 " + std::to_string(max_chars) + " 个字符");
  }
  if (has_control) return Invalid(field, "不能包含控制字符");
  if (single_line && has_newline) return Invalid(field, "不能包含换行符");
  return {};
}

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// Characters that render as nothing or as blank space, or reorder text: in a
// URL they hide what the link really points to.
bool IsInvisibleOrSpace(char32_t c) {
  return c <= 0x20 || (c >= 0x7F && c <= 0xA0) || c == 0x1680 || c == 0x180E ||
         (c >= 0x2000 && c <= 0x200F) || (c >= 0x2028 && c <= 0x202F) ||
         (c >= 0x205F && c <= 0x206F) || c == 0x3000 || c == 0xFEFF || (c >= 0xFFF9 && c <= 0xFFFB);
}

bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    char c = s[i];
    if (IsUpper(c)) c = static_cast<char>(c - 'A' + 'a');
    if (c != prefix[i]) return false;
  }
  return true;
}

bool IsValidPort(std::string_view p) {
  if (p.empty() || p.size() > 5) return false;
  unsigned long v = 0;
  for (char c : p) {
    if (!IsDigit(c)) return false;
    v = v * 10 + static_cast<unsigned long>(c - '0');
  }
  return v >= 1 && v <= 65535;
}

}  // namespace

bool IsValidUtf8(std::string_view s) {
  for (size_t pos = 0; pos < s.size();) {
    char32_t c;
    if (!DecodeNext(s, &pos, &c)) return false;
  }
  return true;
}

size_t Utf8Length(std::string_view s) {
  size_t n = 0;
  for (char c : s) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  }
  return n;
}

Status CheckText(std::string_view field, std::string_view value, size_t max_chars, bool required) {
  return CheckTextImpl(field, value, max_chars, required, /*single_line=*/false);
}

Status CheckLine(std::string_view field, std::string_view value, size_t max_chars, bool required) {
  return CheckTextImpl(field, value, max_chars, required, /*single_line=*/true);
}

Status CheckCode(std::string_view field, std::string_view value) {
  if (value.empty()) return Invalid(field, "不能为空");
  for (char c : value) {
    if (IsUpper(c)) return Invalid(field, "只能使用小写字母");
    if (!IsLowerAlnum(c) && c != '.' && c != '_' && c != '-') {
      return Invalid(field, "只能包含小写字母、数字、点（.）、下划线（_）和连字符（-）");
    }
  }
  if (!IsLowerAlnum(value.front())) return Invalid(field, "必须以小写字母或数字开头");
  if (value.find("..") != std::string_view::npos) {
    return Invalid(field, "不能包含连续的点（..）");
  }
  if (value.size() > kMaxCodeChars) {
    return Invalid(field, "长度不能超过 " + std::to_string(kMaxCodeChars) + " 个字符");
  }
  return {};
}

Status CheckDomain(std::string_view field, std::string_view value) {
  if (value.empty()) return Invalid(field, "不能为空");
  if (value.find('/') != std::string_view::npos) {
    return Invalid(field, "只需填写域名，不要包含 http:// 或路径");
  }
  if (value.find(':') != std::string_view::npos) return Invalid(field, "不能包含端口号");
  if (value.back() == '.') return Invalid(field, "不能以点结尾");
  for (char c : value) {
    if (IsUpper(c)) return Invalid(field, "只能使用小写字母");
    if (!IsLowerAlnum(c) && c != '-' && c != '.') {
      return Invalid(field, "只能包含小写字母、数字、连字符（-）和点（.）");
    }
  }
  if (value.size() > kMaxDomainChars) {
    return Invalid(field, "长度不能超过 " + std::to_string(kMaxDomainChars) + " 个字符");
  }
  if (value == "localhost") return {};
  if (value.find('.') == std::string_view::npos) {
    return Invalid(field, "必须是完整的域名（如 www.example.edu.cn）");
  }
  std::string_view last;
  for (std::string_view rest = value;;) {
    const size_t dot = rest.find('.');
    const std::string_view label = rest.substr(0, dot);
    if (label.empty()) return Invalid(field, "不能包含空的标签（连续的点或以点开头）");
    if (label.size() > kMaxLabelChars) {
      return Invalid(field, "的每一段不能超过 " + std::to_string(kMaxLabelChars) + " 个字符");
    }
    if (label.front() == '-' || label.back() == '-') {
      return Invalid(field, "的每一段不能以连字符开头或结尾");
    }
    last = label;
    if (dot == std::string_view::npos) break;
    rest.remove_prefix(dot + 1);
  }
  bool numeric = true;
  for (char c : last) numeric = numeric && IsDigit(c);
  if (numeric) return Invalid(field, "必须是域名，不能是 IP 地址");
  return {};
}

Status CheckUrl(std::string_view field, std::string_view value) {
  if (value.empty()) return Invalid(field, "不能为空");
  if (value.size() > kMaxUrlBytes) {
    return Invalid(field, "长度不能超过 " + std::to_string(kMaxUrlBytes) + " 个字符");
  }
  if (!IsValidUtf8(value)) return Invalid(field, "不是有效的 UTF-8 文本");
  for (size_t pos = 0; pos < value.size();) {
    char32_t c = 0;
    DecodeNext(value, &pos, &c);
    if (IsInvisibleOrSpace(c)) return Invalid(field, "不能包含空白、控制字符或不可见字符");
    if (c == '\\') return Invalid(field, "不能包含反斜杠（\\）");
    if (c == '"' || c == '<' || c == '>' || c == '`') {
      return Invalid(field, "不能包含 \" < > ` 等字符，请先进行 URL 编码");
    }
  }
  std::string_view rest;
  if (StartsWithIgnoreCase(value, "https://")) {
    rest = value.substr(8);
  } else if (StartsWithIgnoreCase(value, "http://")) {
    rest = value.substr(7);
  } else {
    return Invalid(field, "必须是以 http:// 或 https:// 开头的完整网址");
  }
  const std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  if (authority.find('@') != std::string_view::npos) {
    return Invalid(field, "不能包含用户名或密码");
  }
  std::string_view host = authority;
  std::string_view port;
  bool has_port = false;
  if (!host.empty() && host.front() == '[') {
    const size_t close = host.find(']');
    if (close == std::string_view::npos) return Invalid(field, "的主机名无效");
    const std::string_view v6 = host.substr(1, close - 1);
    bool ok = v6.find(':') != std::string_view::npos;
    for (char c : v6) ok = ok && (IsHex(c) || c == ':' || c == '.');
    if (!ok) return Invalid(field, "的主机名无效");
    const std::string_view after = host.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return Invalid(field, "的主机名无效");
      has_port = true;
      port = after.substr(1);
    }
  } else {
    const size_t colon = host.find(':');
    if (colon != std::string_view::npos) {
      has_port = true;
      port = host.substr(colon + 1);
      host = host.substr(0, colon);
    }
    if (host.empty()) return Invalid(field, "缺少主机名");
    for (char c : host) {
      if (static_cast<unsigned char>(c) >= 0x80) {
        return Invalid(field, "的主机名无效（中文域名请使用 xn-- 形式）");
      }
      if (!IsLowerAlnum(c) && !IsUpper(c) && c != '-' && c != '.' && c != '_') {
        return Invalid(field, "的主机名无效");
      }
    }
    if (host.front() == '.' || host.find("..") != std::string_view::npos) {
      return Invalid(field, "的主机名无效");
    }
  }
  if (has_port && !IsValidPort(port)) return Invalid(field, "的端口无效");
  return {};
}

std::string MediaExt(const std::string& mime, const std::string& filename) {
  static const std::map<std::string, std::string> kExt = {{"image/png", "png"},
                                                          {"image/jpeg", "jpg"},
                                                          {"image/gif", "gif"},
                                                          {"image/webp", "webp"},
                                                          {"application/pdf", "pdf"},
                                                          {"video/mp4", "mp4"},
                                                          {"audio/mpeg", "mp3"},
                                                          {"text/plain", "txt"},
                                                          {"text/csv", "csv"},
                                                          {"application/zip", "zip"},
                                                          {"application/msword", "doc"},
                                                          {"application/vnd.ms-excel", "xls"},
                                                          {"application/vnd.ms-powerpoint", "ppt"}};
  auto it = kExt.find(mime);
  if (it != kExt.end()) return it->second;
  auto dot = filename.rfind('.');
  if (dot != std::string::npos) {
    std::string e = filename.substr(dot + 1);
    if (e == "docx" || e == "xlsx" || e == "pptx") return e;
  }
  return "bin";
}

std::string MediaUrl(const std::string& hash, const std::string& mime,
                     const std::string& filename) {
  return "/_media/" + hash.substr(0, 2) + "/" + hash + "." + MediaExt(mime, filename);
}

std::string HtmlEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + s.size() / 8);
  // Runs between the special characters are appended whole: this escapes
  // every value of every published page.
  size_t last = 0;
  for (size_t p; (p = s.find_first_of("&<>\"'", last)) != std::string_view::npos; last = p + 1) {
    out.append(s, last, p - last);
    switch (s[p]) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += "&#39;";
    }
  }
  out.append(s, last, std::string_view::npos);
  return out;
}

std::string LikeContains(std::string_view needle) {
  std::string out = "%";
  for (char c : needle) {
    if (c == '%' || c == '_' || c == '\\') out += '\\';
    out += c;
  }
  out += '%';
  return out;
}

}  // namespace zhanqun
