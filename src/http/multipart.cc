#include "http/multipart.h"

#include <fcntl.h>
#include <iconv.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <random>
#include <system_error>
#include <utility>

namespace zhanqun::http {
namespace {

constexpr char kNoPart[] = "multipart";
constexpr char kContentType[] = "Content-Type";
constexpr size_t kMaxBoundary = 70;  // RFC 2046 §5.1.1
constexpr size_t kReadSize = 64 * 1024;

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = Lower(c);
  return out;
}

bool IsAlnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// RFC 9110 tchar.
bool IsTchar(char c) {
  return IsAlnum(c) || std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// RFC 2046 bchars. The parser relies on a boundary never containing CR: it
// means a delimiter can only start at a CR, so one lookbehind suffices.
bool IsBchar(char c) {
  return IsAlnum(c) || std::string_view("'()+_,-./:=? ").find(c) != std::string_view::npos;
}

bool ValidBoundary(std::string_view b) {
  return !b.empty() && b.size() <= kMaxBoundary && b.back() != ' ' &&
         std::all_of(b.begin(), b.end(), IsBchar);
}

std::string_view TrimOws(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = Lower(c);
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

std::string SizeText(uint64_t bytes) {
  char buf[32];
  if (bytes >= (1u << 20)) {
    std::snprintf(buf, sizeof buf, "%.1f MB", static_cast<double>(bytes) / (1u << 20));
  } else if (bytes >= 1024) {
    std::snprintf(buf, sizeof buf, "%.1f KB", static_cast<double>(bytes) / 1024);
  } else {
    std::snprintf(buf, sizeof buf, "%llu 字节", static_cast<unsigned long long>(bytes));
    return buf;
  }
  std::string s(buf);
  if (auto p = s.find(".0 "); p != std::string::npos) s.erase(p, 2);
  return s;
}

Error TooLarge(std::string field, std::string message, std::string internal) {
  return Error{Code::kTooLarge, std::move(message), std::move(field), std::move(internal)};
}

// Strict UTF-8: no overlongs, no surrogates, nothing past U+10FFFF.
bool DecodeUtf8(std::string_view s, size_t* i, char32_t* cp) {
  auto c = static_cast<unsigned char>(s[*i]);
  size_t len;
  char32_t v;
  if (c < 0x80) {
    *cp = c;
    ++*i;
    return true;
  } else if (c >= 0xC2 && c <= 0xDF) {
    len = 2, v = c & 0x1F;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3, v = c & 0x0F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4, v = c & 0x07;
  } else {
    return false;
  }
  if (s.size() - *i < len) return false;
  for (size_t k = 1; k < len; ++k) {
    auto t = static_cast<unsigned char>(s[*i + k]);
    if ((t & 0xC0) != 0x80) return false;
    v = (v << 6) | (t & 0x3F);
  }
  if ((len == 3 && v < 0x800) || (len == 4 && (v < 0x10000 || v > 0x10FFFF)) ||
      (v >= 0xD800 && v <= 0xDFFF)) {
    return false;
  }
  *i += len;
  *cp = v;
  return true;
}

bool IsValidUtf8(std::string_view s) {
  char32_t cp;
  for (size_t i = 0; i < s.size();) {
    if (!DecodeUtf8(s, &i, &cp)) return false;
  }
  return true;
}

// Valid UTF-8 without control characters or the bidi overrides that make
// "gpj.exe" display as "exe.jpg" in the console.
bool IsCleanText(std::string_view s) {
  char32_t cp;
  for (size_t i = 0; i < s.size();) {
    if (!DecodeUtf8(s, &i, &cp)) return false;
    if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || (cp >= 0x202A && cp <= 0x202E) ||
        (cp >= 0x2066 && cp <= 0x2069)) {
      return false;
    }
  }
  return true;
}

// Older Windows tools on Chinese systems send filenames as raw GBK bytes.
// Anything that is not UTF-8 gets one chance as GB18030 (a superset of GBK).
// Best effort: a few short GBK names are also valid UTF-8 and pass unchanged.
bool Gb18030ToUtf8(std::string_view in, std::string* out) {
  iconv_t cd = iconv_open("UTF-8", "GB18030");
  if (cd == reinterpret_cast<iconv_t>(-1)) return false;
  std::string buf(in.size() * 2 + 4, '\0');
  std::string src(in);
  char* inp = src.data();
  size_t in_left = src.size();
  char* outp = buf.data();
  size_t out_left = buf.size();
  size_t r = iconv(cd, &inp, &in_left, &outp, &out_left);
  iconv_close(cd);
  if (r == static_cast<size_t>(-1) || in_left != 0) return false;
  buf.resize(buf.size() - out_left);
  *out = std::move(buf);
  return true;
}

struct Param {
  std::string name;  // lower-cased
  std::string value;
};

// Parses `type; a=b; c="d"`. Quoted strings honour \" and \\ only: browsers
// do not escape backslashes, and old IE sends "C:\dir\file.txt".
// Returns false on a syntax error or a repeated parameter (which an attacker
// could use to make two parsers disagree about a filename).
bool ParseHeaderValue(std::string_view s, std::string* type, std::vector<Param>* params) {
  size_t i = s.find(';');
  if (i == std::string_view::npos) i = s.size();
  *type = ToLower(TrimOws(s.substr(0, i)));
  auto skip_ows = [&] {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
  };
  while (i < s.size()) {
    ++i;  // the ';'
    skip_ows();
    if (i == s.size()) break;
    if (s[i] == ';') continue;
    size_t name_start = i;
    while (i < s.size() && IsTchar(s[i])) ++i;
    if (i == name_start) return false;
    Param p{ToLower(s.substr(name_start, i - name_start)), {}};
    skip_ows();
    if (i == s.size() || s[i] != '=') return false;
    ++i;
    skip_ows();
    if (i < s.size() && s[i] == '"') {
      ++i;
      bool closed = false;
      while (i < s.size()) {
        char c = s[i++];
        if (c == '"') {
          closed = true;
          break;
        }
        if (c == '\\' && i < s.size() && (s[i] == '"' || s[i] == '\\')) c = s[i++];
        p.value.push_back(c);
      }
      if (!closed) return false;
      skip_ows();
      if (i < s.size() && s[i] != ';') return false;
    } else {
      size_t value_start = i;
      while (i < s.size() && s[i] != ';') ++i;
      std::string_view v = TrimOws(s.substr(value_start, i - value_start));
      if (v.empty() || v.find('"') != std::string_view::npos) return false;
      p.value = v;
    }
    for (const Param& q : *params) {
      if (q.name == p.name) return false;
    }
    params->push_back(std::move(p));
  }
  return true;
}

const Param* FindParam(const std::vector<Param>& params, std::string_view name) {
  for (const Param& p : params) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

enum class ExtValue { kOk, kMalformed, kUnsupportedCharset };

// RFC 5987 ext-value: charset "'" [language] "'" percent-encoded octets.
ExtValue DecodeExtValue(std::string_view v, std::string* out) {
  size_t q1 = v.find('\'');
  if (q1 == std::string_view::npos) return ExtValue::kMalformed;
  size_t q2 = v.find('\'', q1 + 1);
  if (q2 == std::string_view::npos) return ExtValue::kMalformed;
  std::string charset = ToLower(v.substr(0, q1));
  std::string_view encoded = v.substr(q2 + 1);
  std::string bytes;
  for (size_t i = 0; i < encoded.size(); ++i) {
    if (encoded[i] != '%') {
      bytes.push_back(encoded[i]);
      continue;
    }
    if (encoded.size() - i < 3) return ExtValue::kMalformed;
    int hi = HexValue(encoded[i + 1]), lo = HexValue(encoded[i + 2]);
    if (hi < 0 || lo < 0) return ExtValue::kMalformed;
    bytes.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  if (charset == "utf-8") {
    *out = std::move(bytes);
    return ExtValue::kOk;
  }
  if (charset == "iso-8859-1") {
    out->clear();
    for (char c : bytes) {
      auto u = static_cast<unsigned char>(c);
      if (u < 0x80) {
        out->push_back(c);
      } else {
        out->push_back(static_cast<char>(0xC0 | (u >> 6)));
        out->push_back(static_cast<char>(0x80 | (u & 0x3F)));
      }
    }
    return ExtValue::kOk;
  }
  return ExtValue::kUnsupportedCharset;
}

// Reduces a client filename to a safe basename. Empty stays empty (an unused
// file input). Returns false for names no legitimate client sends: ".."
// components, control characters, bidi overrides, nothing after the path.
// allow_gbk is for the plain filename parameter only; filename* declares its
// charset.
bool CleanFilename(std::string raw, bool allow_gbk, std::string* out, std::string* why) {
  out->clear();
  if (raw.empty()) return true;
  if (!IsValidUtf8(raw) && !(allow_gbk && Gb18030ToUtf8(raw, &raw))) {
    *why = allow_gbk ? "neither UTF-8 nor GB18030" : "filename* is not valid UTF-8";
    return false;
  }
  if (!IsCleanText(raw)) {
    *why = "control or bidi character";
    return false;
  }
  std::string_view rest = raw;
  std::string_view base;
  for (;;) {
    size_t sep = rest.find_first_of("/\\");
    base = rest.substr(0, sep);
    if (base == "..") {
      *why = "'..' component";
      return false;
    }
    if (sep == std::string_view::npos) break;
    rest.remove_prefix(sep + 1);
  }
  if (base.empty() || base == "." || base.size() > 255) {
    *why = "empty, '.' or over 255 bytes after stripping the path";
    return false;
  }
  *out = base;
  return true;
}

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& o) noexcept : fd_(o.release()) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept {
    reset(o.release());
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }

  int get() const { return fd_; }
  explicit operator bool() const { return fd_ >= 0; }
  int release() { return std::exchange(fd_, -1); }
  void reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

Error IoError(std::string_view what, const std::string& path, int err) {
  std::string internal =
      "multipart: " + std::string(what) + " " + path + ": " + std::generic_category().message(err);
  if (err == ENOSPC || err == EDQUOT) {
    return Error{Code::kUnavailable, "服务器磁盘空间不足，请联系管理员", {}, std::move(internal)};
  }
  return Error::Internal(std::move(internal));
}

Status WriteAll(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Fail(IoError("write", path, errno));
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return {};
}

// The on-disk name is random and never derived from the client's filename.
Result<UniqueFd> CreateUploadFile(const std::string& dir, std::string* path) {
  std::random_device rd;
  for (int attempt = 0; attempt < 16; ++attempt) {
    uint64_t v = (static_cast<uint64_t>(rd()) << 32) | rd();
    char name[40];
    std::snprintf(name, sizeof name, "upload-%016llx.part", static_cast<unsigned long long>(v));
    *path = dir;
    if (path->empty() || path->back() != '/') path->push_back('/');
    *path += name;
    int fd = ::open(path->c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd >= 0) return UniqueFd(fd);
    if (errno != EEXIST) return Fail(IoError("create", *path, errno));
  }
  return Fail(Error::Internal("multipart: no free upload name in " + dir));
}

}  // namespace

MultipartParser::MultipartParser(std::string boundary, MultipartLimits limits, Callbacks callbacks)
    : delimiter_("\r\n--" + boundary),
      limits_(limits),
      callbacks_(std::move(callbacks)),
      boundary_ok_(ValidBoundary(boundary)),
      tail_("\r\n") {}

Status MultipartParser::Feed(std::string_view chunk) {
  if (state_ == State::kFailed) return zhanqun::Fail(error_);
  if (state_ == State::kFinished) {
    return Stop(Error::Internal("multipart: Feed after Finish"));
  }
  if (!boundary_ok_) {
    return Stop(Error::Invalid(kContentType, "上传内容格式错误：分隔边界无效"));
  }
  auto status = FeedImpl(chunk);
  if (!status) return Stop(std::move(status.error()));
  return {};
}

Status MultipartParser::Finish() {
  if (state_ == State::kFailed) return zhanqun::Fail(error_);
  if (state_ == State::kFinished) return {};
  if (!boundary_ok_) {
    return Stop(Error::Invalid(kContentType, "上传内容格式错误：分隔边界无效"));
  }
  if (state_ == State::kEpilogue) {
    state_ = State::kFinished;
    return {};
  }
  if (state_ == State::kPreamble) {
    return Stop(Malformed("找不到分隔边界", "no delimiter in body"));
  }
  return Stop(Malformed("缺少结束边界", "body ended before the close delimiter"));
}

Status MultipartParser::FeedImpl(std::string_view data) {
  while (!data.empty()) {
    size_t used = 0;
    switch (state_) {
      case State::kPreamble:
      case State::kBody: {
        ZQ_ASSIGN_OR_RETURN(used, ScanBody(data));
        break;
      }
      case State::kHeaders: {
        ZQ_ASSIGN_OR_RETURN(used, ScanHeaders(data));
        break;
      }
      case State::kAfterBoundary:
      case State::kCloseDash:
      case State::kPadding:
      case State::kBoundaryCr:
        ZQ_TRY(AfterBoundaryByte(data.front()));
        used = 1;
        break;
      case State::kEpilogue:
        used = data.size();
        break;
      case State::kFailed:
      case State::kFinished:
        return zhanqun::Fail(Error::Internal("multipart: bad parser state"));
    }
    data.remove_prefix(used);
    offset_ += used;
  }
  return {};
}

Result<size_t> MultipartParser::ScanBody(std::string_view data) {
  size_t start = 0;
  if (!tail_.empty()) {
    size_t matched = tail_.size();
    size_t need = delimiter_.size() - matched;
    size_t avail = std::min(need, data.size());
    size_t j = 0;
    while (j < avail && data[j] == delimiter_[matched + j]) ++j;
    if (j == avail) {
      if (avail < need) {
        tail_.append(data);
        return data.size();
      }
      tail_.clear();
      ZQ_TRY(OnDelimiter());
      return need;
    }
    // tail_ and data[0, j) matched delimiter bytes after its leading CR; the
    // boundary holds no CR, so no delimiter can start inside them.
    ZQ_TRY(EmitData(tail_));
    tail_.clear();
    ZQ_TRY(EmitData(data.substr(0, j)));
    start = j;
  }
  std::string_view rest = data.substr(start);
  if (size_t p = rest.find(delimiter_); p != std::string_view::npos) {
    ZQ_TRY(EmitData(rest.substr(0, p)));
    ZQ_TRY(OnDelimiter());
    return start + p + delimiter_.size();
  }
  // Hold back a trailing partial delimiter; it can only start at the last CR.
  size_t keep = 0;
  size_t window = std::min(rest.size(), delimiter_.size() - 1);
  std::string_view last = rest.substr(rest.size() - window);
  if (size_t cr = last.rfind('\r'); cr != std::string_view::npos) {
    std::string_view candidate = last.substr(cr);
    if (std::string_view(delimiter_).starts_with(candidate)) keep = candidate.size();
  }
  ZQ_TRY(EmitData(rest.substr(0, rest.size() - keep)));
  tail_.assign(rest.substr(rest.size() - keep));
  return data.size();
}

Status MultipartParser::OnDelimiter() {
  if (state_ == State::kBody) {
    if (callbacks_.on_part_end) ZQ_TRY(callbacks_.on_part_end());
    in_part_ = false;
  }
  state_ = State::kAfterBoundary;
  return {};
}

Status MultipartParser::AfterBoundaryByte(char c) {
  switch (state_) {
    case State::kAfterBoundary:
      if (c == '-') {
        state_ = State::kCloseDash;
        return {};
      }
      [[fallthrough]];
    case State::kPadding:
      if (c == ' ' || c == '\t') {
        state_ = State::kPadding;
        return {};
      }
      if (c == '\r') {
        state_ = State::kBoundaryCr;
        return {};
      }
      break;
    case State::kCloseDash:
      if (c == '-') {
        state_ = State::kEpilogue;
        return {};
      }
      break;
    case State::kBoundaryCr:
      if (c != '\n') break;
      if (++part_count_ > limits_.max_parts) {
        return zhanqun::Fail(TooLarge(
            kNoPart, "上传内容的字段过多（最多 " + std::to_string(limits_.max_parts) + " 个）",
            "multipart: more than max_parts parts"));
      }
      state_ = State::kHeaders;
      header_buf_.clear();
      return {};
    default:
      break;
  }
  return zhanqun::Fail(Malformed("分隔边界后有多余内容", "unexpected byte after delimiter"));
}

Result<size_t> MultipartParser::ScanHeaders(std::string_view data) {
  size_t old = header_buf_.size();
  size_t room = limits_.max_header_bytes > old ? limits_.max_header_bytes - old : 0;
  size_t take = std::min(room, data.size());
  header_buf_.append(data.substr(0, take));
  size_t end = std::string::npos;  // through the blank line
  if (header_buf_.starts_with("\r\n")) {
    end = 2;  // a part with no header fields
  } else if (size_t p = header_buf_.find("\r\n\r\n", old >= 3 ? old - 3 : 0);
             p != std::string::npos) {
    end = p + 4;
  }
  if (end == std::string::npos) {
    if (header_buf_.size() >= limits_.max_header_bytes) {
      return zhanqun::Fail(TooLarge(kNoPart, "上传内容格式错误：分段头部过长",
                                    "multipart: part header block over max_header_bytes"));
    }
    return take;
  }
  std::string block = std::move(header_buf_);
  header_buf_.clear();
  block.resize(end);
  ZQ_TRY(BeginPart(block));
  return end - old;
}

Status MultipartParser::BeginPart(std::string_view block) {
  std::string_view text = block.substr(0, block.size() == 2 ? 0 : block.size() - 4);
  std::vector<std::pair<std::string, std::string>> fields;
  for (size_t pos = 0; pos < text.size();) {
    size_t eol = text.find("\r\n", pos);
    if (eol == std::string_view::npos) eol = text.size();
    std::string_view line = text.substr(pos, eol - pos);
    pos = eol + 2;
    if (line.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos) {
      return zhanqun::Fail(Malformed("分段头部格式错误", "bare CR, LF or NUL in part header"));
    }
    if (line.empty()) {
      return zhanqun::Fail(Malformed("分段头部格式错误", "empty header line"));
    }
    if (line.front() == ' ' || line.front() == '\t') {  // obsolete line folding
      if (fields.empty()) {
        return zhanqun::Fail(Malformed("分段头部格式错误", "continuation before first field"));
      }
      fields.back().second += ' ';
      fields.back().second += TrimOws(line);
      continue;
    }
    size_t colon = line.find(':');
    std::string_view name = line.substr(0, colon);
    if (colon == std::string_view::npos || name.empty() ||
        !std::all_of(name.begin(), name.end(), IsTchar)) {
      return zhanqun::Fail(Malformed("分段头部格式错误", "bad header field name"));
    }
    fields.emplace_back(ToLower(name), std::string(TrimOws(line.substr(colon + 1))));
  }

  const std::string* disposition = nullptr;
  const std::string* type = nullptr;
  for (const auto& [name, value] : fields) {
    const std::string** slot = name == "content-disposition" ? &disposition
                               : name == "content-type"      ? &type
                                                             : nullptr;
    if (slot == nullptr) continue;
    if (*slot != nullptr) {
      return zhanqun::Fail(Malformed("分段头部重复", "repeated " + name));
    }
    *slot = &value;
  }
  if (disposition == nullptr) {
    return zhanqun::Fail(Malformed("分段缺少 Content-Disposition", "no content-disposition"));
  }
  std::string disposition_type;
  std::vector<Param> params;
  if (!ParseHeaderValue(*disposition, &disposition_type, &params) ||
      disposition_type != "form-data") {
    return zhanqun::Fail(
        Malformed("Content-Disposition 无效", "content-disposition: " + *disposition));
  }
  const Param* name = FindParam(params, "name");
  if (name == nullptr) {
    return zhanqun::Fail(Malformed("分段缺少字段名", "content-disposition without name"));
  }
  if (!IsCleanText(name->value)) {
    return zhanqun::Fail(Malformed("字段名无效", "field name not clean UTF-8"));
  }

  PartHeaders headers;
  headers.name = name->value;
  if (type != nullptr) headers.content_type = *type;
  std::string raw;
  std::string why;
  bool from_ext = false;
  if (const Param* ext = FindParam(params, "filename*")) {
    switch (DecodeExtValue(ext->value, &raw)) {
      case ExtValue::kOk:
        headers.has_filename = from_ext = true;
        break;
      case ExtValue::kMalformed:
        why = "malformed filename*";
        break;
      case ExtValue::kUnsupportedCharset:
        why = "filename* charset not supported";
        break;
    }
  }
  if (!headers.has_filename) {
    if (const Param* plain = FindParam(params, "filename")) {
      raw = plain->value;
      headers.has_filename = true;
    }
  }
  std::string field = headers.name.empty() ? std::string(kNoPart) : headers.name;
  if ((!headers.has_filename && !why.empty()) ||
      (headers.has_filename &&
       !CleanFilename(std::move(raw), !from_ext, &headers.filename, &why))) {
    Error e = Error::Invalid(std::move(field), "上传的文件名无效");
    e.internal = "multipart: filename rejected: " + why;
    return zhanqun::Fail(std::move(e));
  }

  part_ = std::move(headers);
  part_bytes_ = 0;
  in_part_ = true;
  state_ = State::kBody;
  if (callbacks_.on_part_begin) ZQ_TRY(callbacks_.on_part_begin(part_));
  return {};
}

Status MultipartParser::EmitData(std::string_view data) {
  if (state_ != State::kBody || data.empty()) return {};  // the preamble is discarded
  uint64_t limit = part_.has_filename ? limits_.max_file_bytes : limits_.max_field_bytes;
  if (data.size() > limit - part_bytes_) {
    // Deliver up to the limit first so callbacks do not depend on chunking.
    data = data.substr(0, static_cast<size_t>(limit - part_bytes_));
    if (!data.empty() && callbacks_.on_part_data) ZQ_TRY(callbacks_.on_part_data(data));
    part_bytes_ = limit;
    std::string message = part_.has_filename ? "上传的文件过大（最多 " : "字段内容过长（最多 ";
    return zhanqun::Fail(TooLarge(ErrorField(), message + SizeText(limit) + "）",
                                  "multipart: part over its size limit"));
  }
  part_bytes_ += data.size();
  if (callbacks_.on_part_data) ZQ_TRY(callbacks_.on_part_data(data));
  return {};
}

Status MultipartParser::Stop(Error error) {
  state_ = State::kFailed;
  error_ = std::move(error);
  return zhanqun::Fail(error_);
}

Error MultipartParser::Malformed(std::string message, std::string internal) const {
  Error e = Error::Invalid(ErrorField(), "上传内容格式错误：" + message);
  e.internal = "multipart: " + internal + " (near byte " + std::to_string(offset_) + ")";
  return e;
}

std::string MultipartParser::ErrorField() const {
  return in_part_ && !part_.name.empty() ? part_.name : std::string(kNoPart);
}

Result<std::string> BoundaryFromContentType(std::string_view content_type) {
  std::string type;
  std::vector<Param> params;
  if (!ParseHeaderValue(content_type, &type, &params)) {
    return Fail(Error::Invalid(kContentType, "请求的 Content-Type 格式错误"));
  }
  if (type != "multipart/form-data") {
    return Fail(Error::Invalid(kContentType, "请求的 Content-Type 必须是 multipart/form-data"));
  }
  const Param* boundary = FindParam(params, "boundary");
  if (boundary == nullptr) {
    return Fail(Error::Invalid(kContentType, "请求的 Content-Type 缺少 boundary 参数"));
  }
  if (!ValidBoundary(boundary->value)) {
    return Fail(Error::Invalid(kContentType, "请求的 Content-Type 中 boundary 参数无效"));
  }
  return boundary->value;
}

Result<std::vector<FormPart>> ParseMultipartFile(const std::string& body_path,
                                                 std::string_view content_type,
                                                 const std::string& out_dir,
                                                 const MultipartLimits& limits) {
  ZQ_ASSIGN_OR_RETURN(std::string boundary, BoundaryFromContentType(content_type));
  UniqueFd body(::open(body_path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!body) return Fail(IoError("open", body_path, errno));

  std::vector<FormPart> parts;
  std::vector<std::string> created;
  UniqueFd file;
  struct Cleanup {
    std::vector<std::string>* paths;
    UniqueFd* file;
    ~Cleanup() {
      if (paths == nullptr) return;
      file->reset();
      for (const std::string& p : *paths) ::unlink(p.c_str());
    }
  } cleanup{&created, &file};

  auto open_file = [&](FormPart& part) -> Status {
    ZQ_ASSIGN_OR_RETURN(file, CreateUploadFile(out_dir, &part.file_path));
    created.push_back(part.file_path);
    return {};
  };
  MultipartParser::Callbacks callbacks;
  callbacks.on_part_begin = [&](const PartHeaders& h) -> Status {
    FormPart part;
    part.name = h.name;
    part.filename = h.filename;
    part.content_type = h.content_type;
    part.is_file = h.has_filename;
    // An empty filename is an unused file input: no file unless data arrives.
    if (part.is_file && !part.filename.empty()) ZQ_TRY(open_file(part));
    parts.push_back(std::move(part));
    return {};
  };
  callbacks.on_part_data = [&](std::string_view data) -> Status {
    FormPart& part = parts.back();
    part.size += data.size();
    if (!part.is_file) {
      part.value.append(data);
      return {};
    }
    if (!file) ZQ_TRY(open_file(part));
    return WriteAll(file.get(), data, part.file_path);
  };
  callbacks.on_part_end = [&]() -> Status {
    if (file && ::close(file.release()) != 0) {
      return Fail(IoError("close", parts.back().file_path, errno));
    }
    return {};
  };

  MultipartParser parser(std::move(boundary), limits, std::move(callbacks));
  std::vector<char> buf(kReadSize);
  for (;;) {
    ssize_t n = ::read(body.get(), buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Fail(IoError("read", body_path, errno));
    }
    if (n == 0) break;
    ZQ_TRY(parser.Feed(std::string_view(buf.data(), static_cast<size_t>(n))));
  }
  ZQ_TRY(parser.Finish());
  cleanup.paths = nullptr;
  return parts;
}

}  // namespace zhanqun::http
