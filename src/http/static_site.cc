#include "http/static_site.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

namespace zhanqun::http {
namespace {

using SteadyClock = std::chrono::steady_clock;

constexpr std::string_view kCsp =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'";
constexpr std::string_view kHsts = "max-age=31536000";
constexpr std::string_view kNoCache = "no-cache";
constexpr std::string_view kImmutable = "public, max-age=31536000, immutable";
constexpr std::string_view kOneHour = "public, max-age=3600";
constexpr std::string_view kModeCookie = "zq_mode";

constexpr size_t kMaxBackBytes = 2048;

// ---------------------------------------------------------------------------
// Small helpers

// Header names and host names are ASCII; std::tolower would consult the
// locale for every character.
char AsciiLower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool IEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return AsciiLower(x) == AsciiLower(y);
         });
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = AsciiLower(c);
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool IsControl(char c) {
  auto u = static_cast<unsigned char>(c);
  return u < 0x20 || u == 0x7f;
}

bool IsHexLower(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

bool IsAlnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// IMF-fixdate (RFC 9110 5.6.7), independent of the C locale.
std::string HttpDate(time_t t) {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  struct tm tm {};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday % 7],
                tm.tm_mday, kMonths[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                tm.tm_sec);
  return buf;
}

// Parses an IMF-fixdate; the obsolete formats are rare enough to be treated
// as absent (the full response is sent).
std::optional<time_t> ParseHttpDate(std::string_view s) {
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::string str(Trim(s));
  char wday[4] = {}, mon[4] = {};
  int day = 0, year = 0, hh = 0, mm = 0, ss = 0;
  int consumed = 0;
  if (std::sscanf(str.c_str(), "%3s, %d %3s %d %d:%d:%d GMT%n", wday, &day, mon, &year, &hh, &mm,
                  &ss, &consumed) != 7 ||
      consumed != static_cast<int>(str.size())) {
    return std::nullopt;
  }
  struct tm tm {};
  tm.tm_mon = -1;
  for (int i = 0; i < 12; ++i) {
    if (std::strcmp(mon, kMonths[i]) == 0) tm.tm_mon = i;
  }
  if (tm.tm_mon < 0 || day < 1 || day > 31 || year < 1970 || hh > 23 || mm > 59 || ss > 60) {
    return std::nullopt;
  }
  tm.tm_mday = day;
  tm.tm_year = year - 1900;
  tm.tm_hour = hh;
  tm.tm_min = mm;
  tm.tm_sec = ss;
  return timegm(&tm);
}

// Percent-encodes a decoded path (and, with_query, a query after '?') for a
// Location header.
std::string EncodeLocation(std::string_view s, bool with_query) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (IsAlnum(c) || std::string_view("-._~!$&'()*+,;=:@/").find(c) != std::string_view::npos ||
        (c == '?' && with_query)) {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 15]);
    }
  }
  return out;
}

// "Example.COM:8080." -> "example.com"; "[::1]:80" -> "[::1]".
std::string NormalizeHost(std::string_view h) {
  h = Trim(h);
  if (!h.empty() && h.front() == '[') {
    size_t close = h.find(']');
    if (close == std::string_view::npos) return {};
    h = h.substr(0, close + 1);
  } else if (size_t colon = h.rfind(':'); colon != std::string_view::npos) {
    h = h.substr(0, colon);
  }
  while (!h.empty() && h.back() == '.') h.remove_suffix(1);
  return Lower(h);
}

// Collapses runs of '/' (as nginx's merge_slashes), so a redirect built from
// the path can never start with "//".
std::string MergeSlashes(std::string_view p) {
  std::string out;
  out.reserve(p.size());
  for (char c : p) {
    if (c == '/' && !out.empty() && out.back() == '/') continue;
    out.push_back(c);
  }
  return out;
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

bool IsApiPath(std::string_view p) { return p == "/api" || StartsWith(p, "/api/"); }

// No NUL, backslash or control character; no segment that is or starts with
// "." (covers "..", dotfiles, .git, .env) but the site root's /.well-known
// (RFC 8615: security.txt, ACME challenges); not the manifest. The real path
// is still checked against the root after symlinks are resolved.
bool SafePath(std::string_view p) {
  if (p.empty() || p.front() != '/') return false;
  if (StartsWith(p, "/manifest.json")) return false;
  constexpr std::string_view kWellKnown = "/.well-known";
  const size_t from = p == kWellKnown || StartsWith(p, "/.well-known/") ? kWellKnown.size() : 0;
  for (size_t i = from; i < p.size(); ++i) {
    char c = p[i];
    if (c == '\0' || c == '\\' || IsControl(c)) return false;
    if (c == '/' && i + 1 < p.size() && p[i + 1] == '.') return false;
  }
  return true;
}

// Root-relative path on this site: "/x" but not "//x", "/\x", a scheme or
// anything with a control character (browsers drop tabs and line breaks
// from URLs, which would turn "/\t/evil" into "//evil").
bool SafeBack(std::string_view b) {
  if (b.empty() || b.size() > kMaxBackBytes || b.front() != '/') return false;
  if (b.size() > 1 && (b[1] == '/' || b[1] == '\\')) return false;
  for (char c : b) {
    if (c == '\\' || IsControl(c)) return false;
  }
  return true;
}

std::string_view Extension(std::string_view name) {
  size_t slash = name.rfind('/');
  std::string_view base = slash == std::string_view::npos ? name : name.substr(slash + 1);
  size_t dot = base.rfind('.');
  return dot == std::string_view::npos ? std::string_view{} : base.substr(dot + 1);
}

std::string_view BaseName(std::string_view name) {
  size_t slash = name.rfind('/');
  return slash == std::string_view::npos ? name : name.substr(slash + 1);
}

bool Compressible(std::string_view mime) {
  return StartsWith(mime, "text/") || StartsWith(mime, "application/javascript") ||
         StartsWith(mime, "application/json") || StartsWith(mime, "application/xml") ||
         StartsWith(mime, "application/rss+xml") || StartsWith(mime, "image/svg+xml") ||
         StartsWith(mime, "image/x-icon");
}

std::string_view CacheControlFor(std::string_view path) {
  if (StartsWith(path, "/_theme/") || StartsWith(path, "/_media/")) {
    return IsContentHashedName(path) ? kImmutable : kOneHour;
  }
  return kNoCache;
}

// ---------------------------------------------------------------------------
// Accept-Encoding (RFC 9110 12.5.3), only as far as br and gzip need.

struct Encodings {
  bool br = false;
  bool gzip = false;
};

Encodings AcceptedEncodings(std::string_view header) {
  // q < 0: not mentioned.
  double q_br = -1, q_gzip = -1, q_star = -1;
  while (!header.empty()) {
    size_t comma = header.find(',');
    std::string_view item = Trim(header.substr(0, comma));
    header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);
    size_t semi = item.find(';');
    std::string_view coding = Trim(item.substr(0, semi));
    double q = 1;
    if (semi != std::string_view::npos) {
      std::string_view params = item.substr(semi + 1);
      while (!params.empty()) {
        size_t next = params.find(';');
        std::string_view param = Trim(params.substr(0, next));
        params = next == std::string_view::npos ? std::string_view{} : params.substr(next + 1);
        if (param.size() > 2 && (param[0] == 'q' || param[0] == 'Q') && param[1] == '=') {
          q = std::atof(std::string(param.substr(2)).c_str());
        }
      }
    }
    if (IEquals(coding, "br")) {
      q_br = q;
    } else if (IEquals(coding, "gzip") || IEquals(coding, "x-gzip")) {
      q_gzip = q;
    } else if (coding == "*") {
      q_star = q;
    }
  }
  auto ok = [&](double q) { return q > 0 || (q < 0 && q_star > 0); };
  return {ok(q_br), ok(q_gzip)};
}

// ---------------------------------------------------------------------------
// Files

struct FileMeta {
  ino_t ino = 0;
  dev_t dev = 0;
  int64_t size = 0;
  int64_t mtime_ns = 0;

  static FileMeta From(const struct stat& st) {
    FileMeta m;
    m.ino = st.st_ino;
    m.dev = st.st_dev;
    m.size = st.st_size;
    m.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
    return m;
  }
  bool operator==(const FileMeta&) const = default;
  time_t mtime_sec() const { return static_cast<time_t>(mtime_ns / 1000000000); }
};

std::string ETagOf(const FileMeta& m, std::string_view encoding) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "\"%llx-%llx", static_cast<unsigned long long>(m.size),
                static_cast<unsigned long long>(m.mtime_ns));
  std::string tag = buf;
  if (!encoding.empty()) {
    tag += '-';
    tag += encoding == "gzip" ? "gz" : encoding;
  }
  tag += '"';
  return tag;
}

// A file under a site root, after symlinks are resolved.
struct Resolved {
  std::string path;  // real path
  struct stat st {};
  // Found by the walk below without meeting a symlink: the path names the
  // file itself, so a later stat of it that finds the same inode finds the
  // same file at the same place.
  bool direct = false;
};

std::optional<std::string> RealPath(const std::string& p) {
  char buf[PATH_MAX];
  if (::realpath(p.c_str(), buf) == nullptr) return std::nullopt;
  return std::string(buf);
}

// `root_prefix` is the site root's real path with a trailing '/'.
//
// Fast path: when candidate is root_prefix plus components none of which is
// empty, ".", ".." or a symlink (the publisher writes no symlinks inside a
// version), candidate is its own real path. Checking that takes one lstat per
// component under the root, where realpath() takes a readlink for every
// component of the whole path (the bulk of a request's system calls). Any
// other shape takes realpath().
std::optional<Resolved> ResolveUnder(const std::string& root_prefix, const std::string& candidate) {
  if (candidate.size() > root_prefix.size() && !root_prefix.empty() && root_prefix.back() == '/' &&
      candidate.compare(0, root_prefix.size(), root_prefix) == 0) {
    std::string buf = candidate;
    size_t pos = root_prefix.size();
    for (;;) {
      const size_t slash = buf.find('/', pos);
      const size_t end = slash == std::string::npos ? buf.size() : slash;
      const std::string_view comp(buf.data() + pos, end - pos);
      if (comp.empty() || comp == "." || comp == "..") break;  // realpath decides
      struct stat st {};
      if (slash != std::string::npos) buf[slash] = '\0';
      const int rc = ::lstat(buf.c_str(), &st);
      if (slash != std::string::npos) buf[slash] = '/';
      if (rc != 0) return std::nullopt;
      if (S_ISLNK(st.st_mode)) break;  // realpath decides
      if (slash == std::string::npos) {
        Resolved r;
        r.path = std::move(buf);
        r.st = st;
        r.direct = true;
        return r;
      }
      if (!S_ISDIR(st.st_mode)) return std::nullopt;
      pos = slash + 1;
    }
  }
  auto real = RealPath(candidate);
  if (!real || real->size() <= root_prefix.size() ||
      real->compare(0, root_prefix.size(), root_prefix) != 0) {
    return std::nullopt;
  }
  Resolved r;
  r.path = std::move(*real);
  if (::stat(r.path.c_str(), &r.st) != 0) return std::nullopt;
  return r;
}

// Reads the whole file; meta is what fstat said about the bytes read.
bool ReadFile(const std::string& path, std::string& out, FileMeta& meta) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  struct stat st {};
  bool ok = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
  if (ok) {
    meta = FileMeta::From(st);
    out.resize(static_cast<size_t>(std::max<int64_t>(0, meta.size)));
    size_t done = 0;
    while (done < out.size()) {
      ssize_t n = ::pread(fd, out.data() + done, out.size() - done, static_cast<off_t>(done));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      done += static_cast<size_t>(n);
    }
    out.resize(done);  // a file truncated under us yields what was there
  }
  ::close(fd);
  return ok;
}

// ---------------------------------------------------------------------------
// Entries by key, most recently used first, each charged its `bytes` against
// a budget and tagged with its site's code. Not locked: its owner locks.

template <typename Value>
class ByteLru {
 public:
  struct Entry {
    std::string key;
    std::string code;
    size_t bytes = 0;
    Value value;
  };

  // The entry for key, made the most recent; null when there is none.
  Entry* Find(const std::string& key) {
    auto it = map_.find(key);
    if (it == map_.end()) return nullptr;
    lru_.splice(lru_.begin(), lru_, it->second);
    return &*it->second;
  }
  // A new most recent entry for key (replacing any), charged `bytes`.
  Entry& Insert(const std::string& key, const std::string& code, size_t bytes, Value value) {
    Erase(key);
    lru_.push_front(Entry{key, code, bytes, std::move(value)});
    map_.emplace(key, lru_.begin());
    total_ += bytes;
    return lru_.front();
  }
  void Erase(const std::string& key) {
    if (auto it = map_.find(key); it != map_.end()) Erase(it->second);
  }
  void Charge(Entry& e, size_t bytes) {
    total_ = total_ - e.bytes + bytes;
    e.bytes = bytes;
  }
  // Drops the least recently used entries until the total fits.
  void Trim(size_t max_total) {
    while (total_ > max_total && !lru_.empty()) Erase(std::prev(lru_.end()));
  }
  void DropSite(const std::string& code) {
    for (auto it = lru_.begin(); it != lru_.end();) {
      auto next = std::next(it);
      if (it->code == code) Erase(it);
      it = next;
    }
  }
  size_t total() const { return total_; }

 private:
  using List = std::list<Entry>;
  void Erase(typename List::iterator it) {
    total_ -= it->bytes;
    map_.erase(it->key);
    lru_.erase(it);
  }
  List lru_;
  std::unordered_map<std::string, typename List::iterator> map_;
  size_t total_ = 0;
};

// A ByteLru behind a mutex, for the caches below: they take the lock around
// several of its calls at a time.
template <typename Value>
class LockedLru {
 public:
  void DropSite(const std::string& code) {
    std::lock_guard<std::mutex> lock(mu_);
    lru_.DropSite(code);
  }

  size_t total() const {
    std::lock_guard<std::mutex> lock(mu_);
    return lru_.total();
  }

 protected:
  mutable std::mutex mu_;
  ByteLru<Value> lru_;  // GUARDED_BY(mu_)
};

// ---------------------------------------------------------------------------
// Small-file cache: LRU by bytes, validated against the caller's stat.

struct FileHit {
  std::shared_ptr<const std::string> content;
  FileMeta meta;
};

class FileCache : public LockedLru<FileHit> {  // by real path
 public:
  FileCache(size_t max_file, size_t max_total) : max_file_(max_file), max_total_(max_total) {}

  using Hit = FileHit;

  // Returns the content of `path` as of `meta` (or newer, if it changed since
  // the stat). nullopt when the file cannot be read.
  std::optional<Hit> Get(const std::string& path, const FileMeta& meta, const std::string& code) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (auto* e = lru_.Find(path)) {
        if (e->value.meta == meta) return e->value;
        lru_.Erase(path);
      }
    }
    auto content = std::make_shared<std::string>();
    FileMeta read_meta;
    if (!ReadFile(path, *content, read_meta)) return std::nullopt;
    Hit hit{content, read_meta};
    if (content->size() <= max_file_ && content->size() <= max_total_ &&
        static_cast<int64_t>(content->size()) == read_meta.size) {
      std::lock_guard<std::mutex> lock(mu_);
      lru_.Insert(path, code, content->size(), hit);
      lru_.Trim(max_total_);
    }
    return hit;
  }

 private:
  const size_t max_file_;
  const size_t max_total_;
};

// ---------------------------------------------------------------------------
// Ready responses: what a GET of a path sends, kept per site root, path and
// Accept-Encoding class, and sent again for as long as one stat finds the
// file it was made from unchanged (same inode, size and mtime). Only
// resolutions that met no symlink are kept, so that stat looks at the very
// file the full resolution found. A publish replaces files by rename, which
// changes the inode; a new version of a site has a new root real path, which
// is a different key; Invalidate() drops a site's entries (a .br or .gz
// variant added next to an unchanged file is seen after it).

// Accept-Encoding classes: bit 0 gzip, bit 1 br.
constexpr int kEncodingClasses = 4;
int EncodingClass(const Encodings& e) { return (e.gzip ? 1 : 0) | (e.br ? 2 : 0); }

struct Prepared {
  std::string path;  // real path of the file sent
  FileMeta meta;     // of the bytes in content, or of the file when streamed
  std::shared_ptr<const std::string> content;  // null: streamed from the file
  // Content-Type, Cache-Control, Vary, Content-Encoding, ETag, Last-Modified,
  // Accept-Ranges and the security headers, as header lines.
  std::shared_ptr<const std::string> head;
  std::string etag;
  std::string last_modified;

  size_t bytes() const {
    return sizeof(Prepared) + path.size() + head->size() + etag.size() + last_modified.size() +
           (content ? content->size() : 0);
  }
};

// The responses kept for one key, one per encoding class.
struct Slots {
  bool compressible = false;  // else only slots[0] is used
  std::shared_ptr<const Prepared> slots[kEncodingClasses];
};

// One lock per shard of keys: the io threads rarely meet on one, so a
// thread preempted while holding a lock seldom stalls the others.
class ResponseShard : public LockedLru<Slots> {  // by site root, path and class
 public:
  explicit ResponseShard(size_t max_total) : max_total_(max_total) {}

  // The response kept for key in this encoding class (ignored for a file
  // with no variants to choose from), or null.
  std::shared_ptr<const Prepared> Find(const std::string& key, int encoding_class) {
    std::lock_guard<std::mutex> lock(mu_);
    auto* e = lru_.Find(key);
    if (!e) return nullptr;
    return e->value.slots[e->value.compressible ? encoding_class : 0];
  }

  void Put(const std::string& key, const std::string& code, bool compressible, int encoding_class,
           std::shared_ptr<const Prepared> p) {
    std::lock_guard<std::mutex> lock(mu_);
    auto* e = lru_.Find(key);
    if (!e || e->value.compressible != compressible) {
      e = &lru_.Insert(key, code, 0, Slots{compressible, {}});
    }
    Slots& v = e->value;
    // Classes that get the same file share one Prepared.
    for (const auto& other : v.slots) {
      if (other && other != p && other->path == p->path && other->meta == p->meta &&
          *other->head == *p->head) {
        p = other;
        break;
      }
    }
    v.slots[compressible ? encoding_class : 0] = std::move(p);
    size_t bytes = sizeof(*e) + e->key.size() + e->code.size();
    for (int i = 0; i < kEncodingClasses; ++i) {
      const auto& slot = v.slots[i];
      if (!slot) continue;
      bool seen = false;
      for (int j = 0; j < i; ++j) seen = seen || v.slots[j] == slot;
      if (!seen) bytes += slot->bytes();
    }
    lru_.Charge(*e, bytes);
    lru_.Trim(max_total_);
  }

 private:
  const size_t max_total_;
};

class ResponseCache {
 public:
  explicit ResponseCache(size_t max_total) {
    for (auto& shard : shards_) shard = std::make_unique<ResponseShard>(max_total / kShards);
  }

  std::shared_ptr<const Prepared> Find(const std::string& key, int encoding_class) {
    return ShardOf(key).Find(key, encoding_class);
  }
  void Put(const std::string& key, const std::string& code, bool compressible, int encoding_class,
           std::shared_ptr<const Prepared> p) {
    ShardOf(key).Put(key, code, compressible, encoding_class, std::move(p));
  }
  void DropSite(const std::string& code) {
    for (auto& shard : shards_) shard->DropSite(code);
  }
  size_t total() const {
    size_t sum = 0;
    for (const auto& shard : shards_) sum += shard->total();
    return sum;
  }

 private:
  static constexpr size_t kShards = 16;
  ResponseShard& ShardOf(const std::string& key) {
    return *shards_[std::hash<std::string>{}(key) % kShards];
  }
  std::unique_ptr<ResponseShard> shards_[kShards];
};

// ---------------------------------------------------------------------------
// Token buckets for /search, one per client address (IPv6: per /64, since one
// host commonly holds a whole /64).

class RateLimiter {
 public:
  RateLimiter(int burst, std::chrono::milliseconds refill, size_t max_clients)
      : burst_(std::max(1, burst)),
        per_token_(std::chrono::duration<double>(refill) / std::max(1, burst)),
        max_clients_(std::max<size_t>(1, max_clients)) {}

  // True when the request may go ahead; else *retry_after_s is when to retry.
  bool Allow(const std::string& client, int* retry_after_s) {
    const auto now = SteadyClock::now();
    std::lock_guard<std::mutex> lock(mu_);
    auto it = buckets_.find(client);
    if (it == buckets_.end()) {
      if (buckets_.size() >= max_clients_) Sweep(now);
      it = buckets_.emplace(client, Bucket{static_cast<double>(burst_), now}).first;
    }
    Bucket& b = it->second;
    b.tokens = std::min<double>(burst_, b.tokens + (now - b.last) / per_token_);
    b.last = now;
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return true;
    }
    double wait_s = (1 - b.tokens) * per_token_.count();
    *retry_after_s = std::max(1, static_cast<int>(wait_s + 0.999));
    return false;
  }

 private:
  struct Bucket {
    double tokens;
    SteadyClock::time_point last;
  };

  // REQUIRES: mu_ is held. Drops buckets that would be full again by now;
  // when every client is active, starts afresh rather than grow or turn new
  // clients away.
  void Sweep(SteadyClock::time_point now) {
    for (auto it = buckets_.begin(); it != buckets_.end();) {
      double tokens = it->second.tokens + (now - it->second.last) / per_token_;
      it = tokens >= burst_ ? buckets_.erase(it) : std::next(it);
    }
    if (buckets_.size() >= max_clients_) buckets_.clear();
  }

  const int burst_;
  const std::chrono::duration<double> per_token_;
  const size_t max_clients_;
  std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;  // GUARDED_BY(mu_)
};

std::string ClientKey(std::string addr) {
  in6_addr a6{};
  if (addr.find(':') != std::string::npos && ::inet_pton(AF_INET6, addr.c_str(), &a6) == 1) {
    std::memset(a6.s6_addr + 8, 0, 8);
    char buf[INET6_ADDRSTRLEN];
    if (::inet_ntop(AF_INET6, &a6, buf, sizeof buf)) return std::string(buf) + "/64";
  }
  return addr;
}

// ---------------------------------------------------------------------------
// Responses

std::string Page(std::string_view title, std::string_view text) {
  std::string b =
      "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>";
  b += title;
  b += "</title>\n</head>\n<body>\n<main>\n<h1>";
  b += title;
  b += "</h1>\n<p>";
  b += text;
  b += "</p>\n</main>\n</body>\n</html>\n";
  return b;
}

Response HtmlError(int status, std::string_view title, std::string_view text) {
  Response r;
  r.status = status;
  r.Set("Content-Type", "text/html; charset=utf-8");
  r.Set("Cache-Control", std::string(kNoCache));
  r.body = Page(title, text);
  return r;
}

Response UnknownHost() {
  return HtmlError(404, "站点不存在", "没有找到与该域名对应的网站，请检查网址是否正确。");
}
Response BuiltinNotFound() {
  return HtmlError(404, "页面不存在", "您访问的页面不存在或已被删除。<a href=\"/\">返回首页</a>");
}

void Replace(Response& r, std::string_view name, std::string value) {
  std::erase_if(r.headers, [&](const auto& h) { return IEquals(h.first, name); });
  r.Set(std::string(name), std::move(value));
}

void SetIfAbsent(Response& r, std::string_view name, std::string_view value) {
  if (r.Get(name).empty()) r.Set(std::string(name), std::string(value));
}

bool ETagListMatches(std::string_view list, std::string_view etag) {
  // Weak comparison (RFC 9110 13.1.2): W/ prefixes do not matter.
  auto opaque = [](std::string_view t) {
    t = Trim(t);
    if (StartsWith(t, "W/")) t.remove_prefix(2);
    return t;
  };
  while (!list.empty()) {
    size_t comma = list.find(',');
    std::string_view item = Trim(list.substr(0, comma));
    list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
    if (item == "*" || (!item.empty() && opaque(item) == opaque(etag))) return true;
  }
  return false;
}

// True when the request's validators say the client's copy is current.
bool NotModified(const Request& req, std::string_view etag, time_t mtime) {
  std::string_view inm = req.Header("if-none-match");
  if (!inm.empty()) return ETagListMatches(inm, etag);
  std::string_view ims = req.Header("if-modified-since");
  if (ims.empty()) return false;
  auto t = ParseHttpDate(ims);
  return t && mtime <= *t;
}

struct ByteRange {
  int64_t first = 0;
  int64_t last = 0;  // inclusive
};

enum class RangeKind { kNone, kOne, kUnsatisfiable };

// One "bytes=a-b" / "bytes=a-" / "bytes=-n" range. Anything else (several
// ranges, another unit, bad syntax) is ignored and the whole file is sent.
RangeKind ParseRange(std::string_view h, int64_t size, ByteRange& out) {
  h = Trim(h);
  if (!StartsWith(h, "bytes=")) return RangeKind::kNone;
  h.remove_prefix(6);
  h = Trim(h);
  if (h.find(',') != std::string_view::npos) return RangeKind::kNone;
  size_t dash = h.find('-');
  if (dash == std::string_view::npos) return RangeKind::kNone;
  auto number = [](std::string_view s, int64_t& v) {
    if (s.empty() || s.size() > 18) return false;
    v = 0;
    for (char c : s) {
      if (c < '0' || c > '9') return false;
      v = v * 10 + (c - '0');
    }
    return true;
  };
  std::string_view a = Trim(h.substr(0, dash)), b = Trim(h.substr(dash + 1));
  int64_t first = 0, last = 0;
  if (a.empty()) {
    if (!number(b, last)) return RangeKind::kNone;
    if (last == 0 || size == 0) return RangeKind::kUnsatisfiable;
    out = {std::max<int64_t>(0, size - last), size - 1};
    return RangeKind::kOne;
  }
  if (!number(a, first)) return RangeKind::kNone;
  if (b.empty()) {
    last = size - 1;
  } else {
    if (!number(b, last) || last < first) return RangeKind::kNone;
    last = std::min(last, size - 1);
  }
  if (first >= size) return RangeKind::kUnsatisfiable;
  out = {first, last};
  return RangeKind::kOne;
}

// The response to keep for a file version: content (null when streamed) as
// read with meta, and every header that depends only on the file.
std::shared_ptr<const Prepared> MakePrepared(std::string path, const FileMeta& meta,
                                             std::shared_ptr<const std::string> content,
                                             std::string_view mime, std::string_view cache_control,
                                             bool vary, std::string_view encoding) {
  auto p = std::make_shared<Prepared>();
  p->path = std::move(path);
  p->meta = meta;
  p->content = std::move(content);
  p->etag = ETagOf(meta, encoding);
  p->last_modified = HttpDate(meta.mtime_sec());
  std::string head;
  head.reserve(768);
  AppendHeaderLine(head, "Content-Type", mime);
  AppendHeaderLine(head, "Cache-Control", cache_control);
  if (vary) AppendHeaderLine(head, "Vary", "Accept-Encoding");
  if (!encoding.empty()) AppendHeaderLine(head, "Content-Encoding", encoding);
  AppendHeaderLine(head, "ETag", p->etag);
  AppendHeaderLine(head, "Last-Modified", p->last_modified);
  AppendHeaderLine(head, "Accept-Ranges", "bytes");
  for (const auto& [name, value] : PublicSecurityHeaders()) AppendHeaderLine(head, name, value);
  p->head = std::make_shared<const std::string>(std::move(head));
  return p;
}

// 200 with the whole file, or 304. file: the open file when p is streamed.
Response FromPrepared(const Prepared& p, std::shared_ptr<const OpenFile> file, const Request& req) {
  Response r;
  r.header_block = p.head;
  if (NotModified(req, p.etag, p.meta.mtime_sec())) {
    r.status = 304;
    return r;
  }
  if (p.content) {
    r.shared_body = p.content;
  } else {
    r.file = std::move(file);
    r.file_length = p.meta.size;
  }
  return r;
}

// p as the response to req when its file is still the one it was made from.
std::optional<Response> Reuse(const Prepared& p, const Request& req) {
  struct stat st {};
  std::shared_ptr<const OpenFile> file;
  if (p.content) {
    if (::stat(p.path.c_str(), &st) != 0) return std::nullopt;
  } else {
    // Streamed: what is sent must be what was checked.
    file = OpenFile::Open(p.path, &st);
    if (!file) return std::nullopt;
  }
  if (!(FileMeta::From(st) == p.meta)) return std::nullopt;
  return FromPrepared(p, std::move(file), req);
}

}  // namespace

// ---------------------------------------------------------------------------
// Public helpers

const std::vector<std::pair<std::string_view, std::string_view>>& PublicSecurityHeaders() {
  static const std::vector<std::pair<std::string_view, std::string_view>> kHeaders = {
      {"Content-Security-Policy", kCsp},
      {"X-Content-Type-Options", "nosniff"},
      {"Referrer-Policy", "strict-origin-when-cross-origin"},
      {"Permissions-Policy", "camera=(), microphone=(), geolocation=()"},
      {"X-Frame-Options", "SAMEORIGIN"},
  };
  return kHeaders;
}

const char* const kContentHashedRegex = "/([^/]*[._-])?[0-9a-f]{8,}\\.[A-Za-z0-9]+$";

bool IsContentHashedName(std::string_view path) {
  std::string_view base = BaseName(path);
  size_t dot = base.rfind('.');
  if (dot == std::string_view::npos || dot + 1 == base.size()) return false;
  for (char c : base.substr(dot + 1)) {
    if (!IsAlnum(c)) return false;
  }
  std::string_view stem = base.substr(0, dot);
  size_t run = 0;
  while (run < stem.size() && IsHexLower(stem[stem.size() - 1 - run])) ++run;
  if (run < 8) return false;
  if (run == stem.size()) return true;
  char before = stem[stem.size() - 1 - run];
  return before == '.' || before == '-' || before == '_';
}

std::string_view MimeTypeFor(std::string_view name) {
  static const std::unordered_map<std::string, std::string_view> kTypes = {
      {"html", "text/html; charset=utf-8"},
      {"htm", "text/html; charset=utf-8"},
      {"css", "text/css; charset=utf-8"},
      {"js", "text/javascript; charset=utf-8"},
      {"mjs", "text/javascript; charset=utf-8"},
      {"json", "application/json; charset=utf-8"},
      {"xml", "application/xml; charset=utf-8"},
      {"rss", "application/rss+xml; charset=utf-8"},
      {"txt", "text/plain; charset=utf-8"},
      {"csv", "text/csv; charset=utf-8"},
      {"png", "image/png"},
      {"jpg", "image/jpeg"},
      {"jpeg", "image/jpeg"},
      {"gif", "image/gif"},
      {"webp", "image/webp"},
      {"avif", "image/avif"},
      {"svg", "image/svg+xml"},
      {"ico", "image/x-icon"},
      {"pdf", "application/pdf"},
      {"ofd", "application/ofd"},
      {"doc", "application/msword"},
      {"docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
      {"xls", "application/vnd.ms-excel"},
      {"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
      {"ppt", "application/vnd.ms-powerpoint"},
      {"pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"},
      {"wps", "application/vnd.ms-works"},
      {"zip", "application/zip"},
      {"rar", "application/vnd.rar"},
      {"7z", "application/x-7z-compressed"},
      {"gz", "application/gzip"},
      {"mp4", "video/mp4"},
      {"webm", "video/webm"},
      {"mp3", "audio/mpeg"},
      {"woff2", "font/woff2"},
      {"woff", "font/woff"},
  };
  if (BaseName(name) == "rss.xml") return "application/rss+xml; charset=utf-8";
  auto it = kTypes.find(Lower(Extension(name)));
  return it == kTypes.end() ? std::string_view("application/octet-stream") : it->second;
}

DisplayModes ParseDisplayModes(std::string_view cookie) {
  DisplayModes m;
  while (!cookie.empty()) {
    size_t comma = cookie.find(',');
    std::string_view word = Trim(cookie.substr(0, comma));
    cookie = comma == std::string_view::npos ? std::string_view{} : cookie.substr(comma + 1);
    if (word == "large") m.large = true;
    if (word == "contrast") m.contrast = true;
  }
  return m;
}

std::string FormatDisplayModes(DisplayModes m) {
  if (m.large && m.contrast) return "large,contrast";
  if (m.large) return "large";
  if (m.contrast) return "contrast";
  return "";
}

bool ApplyDisplayModeSet(std::string_view set, DisplayModes& m) {
  if (set == "large") {
    m.large = !m.large;
  } else if (set == "contrast") {
    m.contrast = !m.contrast;
  } else if (set == "reset") {
    m = DisplayModes{};
  } else {
    return false;
  }
  return true;
}

// ---------------------------------------------------------------------------

struct StaticSites::Impl {
  explicit Impl(Options o)
      : opts(std::move(o)),
        cache(opts.cache_max_file_bytes, opts.cache_max_total_bytes),
        responses(opts.cache_max_total_bytes),
        limiter(opts.search_burst, opts.search_refill, opts.search_max_clients),
        routes(std::make_shared<const RouteTable>()) {}

  const Options opts;
  FileCache cache;
  ResponseCache responses;
  std::atomic<uint64_t> reused{0};
  RateLimiter limiter;

  using RouteTable = std::map<std::string, SiteRoute>;
  mutable std::mutex routes_mu;
  std::shared_ptr<const RouteTable> routes;  // GUARDED_BY(routes_mu)
  // Of `routes`, stored after it; unique in the process (NextGeneration).
  std::atomic<uint64_t> routes_generation{NextGeneration()};

  static uint64_t NextGeneration() {
    static std::atomic<uint64_t> last{0};
    return ++last;
  }

  // The route table as this thread last took it, taken again once SetRoutes
  // has run since: a request costs no lock and no reference count shared
  // with the other io threads. Valid until this thread's next call.
  const RouteTable& RoutesOfThisThread() const {
    thread_local uint64_t seen = 0;
    thread_local std::shared_ptr<const RouteTable> snapshot;
    const uint64_t generation = routes_generation.load(std::memory_order_acquire);
    if (generation != seen) {
      snapshot = Routes();
      seen = generation;
    }
    return *snapshot;
  }

  // Real paths of site roots: of a symlink (the publisher's live link to a
  // version) while the link is the same inode with the same ctime, as a
  // publish swaps in a new link (rename), which misses; of a directory while
  // it is the same inode. Saves a realpath() of the whole path on every
  // request. Per thread, as it holds facts about paths only.
  struct RootLink {
    dev_t dev = 0;
    ino_t ino = 0;
    int64_t ctime_ns = 0;
    std::string real;
  };

  static std::optional<std::string> RootRealPath(const std::string& root) {
    thread_local std::unordered_map<std::string, RootLink> roots;
    struct stat st {};
    if (::lstat(root.c_str(), &st) != 0) return std::nullopt;
    if (!S_ISLNK(st.st_mode) && !S_ISDIR(st.st_mode)) return RealPath(root);
    // A directory's ctime moves whenever an entry is added; its inode is
    // what names it.
    const int64_t ctime_ns =
        S_ISLNK(st.st_mode)
            ? static_cast<int64_t>(st.st_ctim.tv_sec) * 1000000000 + st.st_ctim.tv_nsec
            : 0;
    auto it = roots.find(root);
    if (it != roots.end() && it->second.dev == st.st_dev && it->second.ino == st.st_ino &&
        it->second.ctime_ns == ctime_ns) {
      return it->second.real;
    }
    auto real = RealPath(root);
    if (!real) return std::nullopt;
    if (roots.size() > 4096) roots.clear();
    roots[root] = RootLink{st.st_dev, st.st_ino, ctime_ns, *real};
    return real;
  }

  std::shared_ptr<const RouteTable> Routes() const {
    std::lock_guard<std::mutex> lock(routes_mu);
    return routes;
  }

  // What one request is about, once the site is known.
  struct Ctx {
    const SiteRoute& site;
    Request& req;
    std::string root_prefix;  // real path of the root + '/'; empty when the root is missing
  };

  Response Serve(Request& req, const std::function<Response(const SiteRoute&, Request&)>& search);
  Response NotFound(const Ctx& c);
  // cache_key: where to keep the response for the next request ("": not
  // kept); encoding_class: of the request's Accept-Encoding.
  Response ServeFile(const Ctx& c, const Resolved& file, std::string_view name,
                     std::string_view cache_control, bool error_page,
                     const std::string& cache_key = {}, int encoding_class = 0);
  Response ModeCss(const Ctx& c);
  Response ModeSet(const Ctx& c);
  Response Search(const Ctx& c, const std::function<Response(const SiteRoute&, Request&)>& search);
  std::string ClientOf(const Request& req) const;
};

Response StaticSites::Impl::Serve(
    Request& req, const std::function<Response(const SiteRoute&, Request&)>& search) {
  const std::string host = NormalizeHost(req.Header("host"));
  if (host.empty()) return HtmlError(400, "请求错误", "请求缺少 Host 头。");

  const RouteTable& table = RoutesOfThisThread();
  auto it = table.find(host);
  const SiteRoute* site = it == table.end() ? nullptr : &it->second;
  std::optional<Ctx> ctx;
  if (site) {
    ctx.emplace(Ctx{*site, req, {}});
    if (auto real = RootRealPath(site->root)) {
      ctx->root_prefix = *real;
      if (ctx->root_prefix.back() != '/') ctx->root_prefix += '/';
    }
  }
  const std::string path = MergeSlashes(req.path);

  // The admin API is never reachable through a public vhost.
  if (IsApiPath(path)) return ctx ? NotFound(*ctx) : UnknownHost();
  if (req.method != "GET" && req.method != "HEAD") {
    Response r = HtmlError(405, "不支持的请求方法", "本站只接受 GET 和 HEAD 请求。");
    r.Set("Allow", "GET, HEAD");
    return r;
  }
  if (!ctx) return UnknownHost();
  const Ctx& c = *ctx;

  if (path == "/_zq/mode.css") return ModeCss(c);
  if (path == "/_zq/mode") return ModeSet(c);
  if (path == "/search") return Search(c, search);
  if (!SafePath(path) || StartsWith(path, "/_zq/") || c.root_prefix.empty()) return NotFound(c);

  // The response kept for this path, when its file is unchanged; a range
  // takes the full way below.
  std::string key;
  const int encoding_class = EncodingClass(AcceptedEncodings(req.Header("accept-encoding")));
  if (req.Header("range").empty()) {
    key = c.root_prefix;
    key.append(path, 1);
    if (auto kept = responses.Find(key, encoding_class)) {
      if (auto r = Reuse(*kept, req)) {
        reused.fetch_add(1, std::memory_order_relaxed);
        return std::move(*r);
      }
    }
  }

  const bool dir_request = path.back() == '/';
  const std::string name = dir_request ? path + "index.html" : path;
  auto file = ResolveUnder(c.root_prefix, c.root_prefix + name.substr(1));
  if (!file) return NotFound(c);
  if (S_ISDIR(file->st.st_mode)) {
    // "/news" -> "/news/" when it has an index, as nginx does; no listings.
    auto index = ResolveUnder(c.root_prefix, file->path + "/index.html");
    if (!index || !S_ISREG(index->st.st_mode)) return NotFound(c);
    Response r;
    r.status = 301;
    std::string location = EncodeLocation(path + "/", /*with_query=*/false);
    if (size_t q = req.target.find('?'); q != std::string::npos) {
      location += req.target.substr(q);
    }
    r.Set("Location", location);
    r.Set("Cache-Control", std::string(kNoCache));
    r.Set("Content-Type", "text/html; charset=utf-8");
    return r;
  }
  if (!S_ISREG(file->st.st_mode)) return NotFound(c);
  return ServeFile(c, *file, name, CacheControlFor(name), /*error_page=*/false, key,
                   encoding_class);
}

Response StaticSites::Impl::NotFound(const Ctx& c) {
  if (!c.root_prefix.empty()) {
    auto page = ResolveUnder(c.root_prefix, c.root_prefix + "404.html");
    if (page && S_ISREG(page->st.st_mode)) {
      return ServeFile(c, *page, "/404.html", kNoCache, /*error_page=*/true);
    }
  }
  return BuiltinNotFound();
}

Response StaticSites::Impl::ServeFile(const Ctx& c, const Resolved& file, std::string_view name,
                                      std::string_view cache_control, bool error_page,
                                      const std::string& cache_key, int encoding_class) {
  const Request& req = c.req;
  const std::string_view mime = MimeTypeFor(name);
  const std::string_view range_header = error_page ? std::string_view{} : req.Header("range");
  const bool compressible = Compressible(mime);
  bool keep = !cache_key.empty() && !error_page && range_header.empty() && file.direct;

  // Precompressed variant written by the publisher next to the file.
  const Resolved* chosen = &file;
  std::string_view encoding;
  std::optional<Resolved> variant;
  bool vary = false;
  if (compressible) {
    const Encodings accepted = AcceptedEncodings(req.Header("accept-encoding"));
    for (auto [suffix, coding, ok] :
         {std::tuple{".br", "br", accepted.br}, std::tuple{".gz", "gzip", accepted.gzip}}) {
      auto v = ResolveUnder(c.root_prefix, file.path + suffix);
      if (!v || !S_ISREG(v->st.st_mode)) continue;
      vary = true;
      keep = keep && v->direct;
      if (ok && encoding.empty() && range_header.empty()) {
        variant = std::move(v);
        encoding = coding;
      }
    }
    if (variant) chosen = &*variant;
  }

  // Small files come from the cache; larger ones are opened here, so what is
  // streamed is the file these headers describe.
  FileMeta meta = FileMeta::From(chosen->st);
  std::shared_ptr<const std::string> content;
  std::shared_ptr<const OpenFile> fd;
  if (static_cast<uint64_t>(meta.size) <= opts.cache_max_file_bytes) {
    auto hit = cache.Get(chosen->path, meta, c.site.code);
    if (!hit) return error_page ? BuiltinNotFound() : NotFound(c);
    content = std::move(hit->content);
    meta = hit->meta;
  } else {
    struct stat st {};
    fd = OpenFile::Open(chosen->path, &st);
    if (!fd) return error_page ? BuiltinNotFound() : NotFound(c);
    meta = FileMeta::From(st);
  }

  if (error_page) {
    Response r;
    r.status = 404;
    r.Set("Content-Type", std::string(mime));
    r.Set("Cache-Control", std::string(cache_control));
    if (vary) r.Set("Vary", "Accept-Encoding");
    if (!encoding.empty()) r.Set("Content-Encoding", std::string(encoding));
    if (content) {
      r.shared_body = std::move(content);
    } else {
      r.file = std::move(fd);
      r.file_length = meta.size;
    }
    return r;
  }

  auto prepared = MakePrepared(chosen->path, meta, content, mime, cache_control, vary, encoding);
  if (keep) responses.Put(cache_key, c.site.code, compressible, encoding_class, prepared);
  if (range_header.empty()) return FromPrepared(*prepared, std::move(fd), req);

  Response r;
  r.header_block = prepared->head;
  if (NotModified(req, prepared->etag, meta.mtime_sec())) {
    r.status = 304;
    return r;
  }
  const int64_t size = content ? static_cast<int64_t>(content->size()) : meta.size;
  ByteRange range;
  RangeKind kind = RangeKind::kNone;
  std::string_view if_range = Trim(req.Header("if-range"));
  // A strong validator must match exactly; a date must be the Last-Modified.
  if (if_range.empty() || if_range == prepared->etag || if_range == prepared->last_modified) {
    kind = ParseRange(range_header, size, range);
  }
  if (kind == RangeKind::kUnsatisfiable) {
    Response bad;
    bad.status = 416;
    bad.Set("Content-Type", "text/plain; charset=utf-8");
    bad.Set("Cache-Control", std::string(cache_control));
    if (vary) bad.Set("Vary", "Accept-Encoding");
    bad.Set("ETag", prepared->etag);
    bad.Set("Last-Modified", prepared->last_modified);
    bad.Set("Accept-Ranges", "bytes");
    bad.Set("Content-Range", "bytes */" + std::to_string(size));
    bad.body = "请求的范围无效\n";
    return bad;
  }
  if (kind == RangeKind::kNone) return FromPrepared(*prepared, std::move(fd), req);

  r.status = 206;
  r.Set("Content-Range", "bytes " + std::to_string(range.first) + "-" + std::to_string(range.last) +
                             "/" + std::to_string(size));
  const int64_t len = range.last - range.first + 1;
  if (content) {
    r.body = content->substr(static_cast<size_t>(range.first), static_cast<size_t>(len));
  } else {
    // Streamed from the open file, however long the range.
    r.file = std::move(fd);
    r.file_offset = range.first;
    r.file_length = len;
  }
  return r;
}

Response StaticSites::Impl::ModeCss(const Ctx& c) {
  const DisplayModes modes = ParseDisplayModes(c.req.Cookie(kModeCookie));
  Response r;
  r.Set("Content-Type", "text/css; charset=utf-8");
  r.Set("Cache-Control", "private, no-cache");
  r.Set("Vary", "Cookie");
  const std::string& theme = c.site.theme;
  const bool theme_ok = !theme.empty() && std::all_of(theme.begin(), theme.end(), [](char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-';
  });
  std::string etag = "W/\"mode";
  for (auto [on, file] :
       {std::pair{modes.large, "mode-large.css"}, std::pair{modes.contrast, "mode-contrast.css"}}) {
    if (!on || !theme_ok || c.root_prefix.empty()) continue;
    auto f = ResolveUnder(c.root_prefix, c.root_prefix + "_theme/" + theme + "/" + file);
    if (!f || !S_ISREG(f->st.st_mode)) continue;
    FileMeta meta = FileMeta::From(f->st);
    if (static_cast<uint64_t>(meta.size) > opts.cache_max_file_bytes) continue;  // not a mode sheet
    auto hit = cache.Get(f->path, meta, c.site.code);
    if (!hit) continue;
    r.body += *hit->content;
    if (!r.body.empty() && r.body.back() != '\n') r.body += '\n';
    std::string part = ETagOf(hit->meta, "");
    etag += "-" + part.substr(1, part.size() - 2);
  }
  etag += '"';
  r.Set("ETag", etag);
  if (ETagListMatches(c.req.Header("if-none-match"), etag)) {
    r.status = 304;
    r.body.clear();
  }
  return r;
}

Response StaticSites::Impl::ModeSet(const Ctx& c) {
  DisplayModes modes = ParseDisplayModes(c.req.Cookie(kModeCookie));
  Response r;
  r.status = 303;
  r.Set("Cache-Control", "no-store");
  r.Set("Content-Type", "text/html; charset=utf-8");
  if (ApplyDisplayModeSet(c.req.Query("set"), modes)) {
    const std::string value = FormatDisplayModes(modes);
    std::string cookie = std::string(kModeCookie) + "=" + value +
                         "; Path=/; Max-Age=" + (value.empty() ? "0" : "31536000") +
                         "; SameSite=Lax; HttpOnly";
    if (c.req.tls) cookie += "; Secure";
    r.Set("Set-Cookie", cookie);
  }
  const std::string back = c.req.Query("back");
  r.Set("Location", SafeBack(back) ? EncodeLocation(back, /*with_query=*/true) : "/");
  return r;
}

std::string StaticSites::Impl::ClientOf(const Request& req) const {
  std::string addr = req.remote_addr;
  if (std::find(opts.trusted_proxies.begin(), opts.trusted_proxies.end(), addr) !=
      opts.trusted_proxies.end()) {
    std::string_view real = Trim(req.Header("x-real-ip"));
    if (!real.empty() && real.size() <= INET6_ADDRSTRLEN) addr = std::string(real);
  }
  return ClientKey(std::move(addr));
}

Response StaticSites::Impl::Search(
    const Ctx& c, const std::function<Response(const SiteRoute&, Request&)>& search) {
  if (!search) return NotFound(c);
  int retry_after = 1;
  if (!limiter.Allow(ClientOf(c.req), &retry_after)) {
    Response r = HtmlError(429, "请求过于频繁", "搜索请求过于频繁，请稍后再试。");
    r.Set("Retry-After", std::to_string(retry_after));
    Replace(r, "Cache-Control", "no-store");
    return r;
  }
  return search(c.site, c.req);
}

// ---------------------------------------------------------------------------

StaticSites::StaticSites(Options o) : impl_(std::make_unique<Impl>(std::move(o))) {}

StaticSites::~StaticSites() = default;

void StaticSites::SetRoutes(std::map<std::string, SiteRoute> by_host) {
  auto table = std::make_shared<const Impl::RouteTable>(std::move(by_host));
  std::lock_guard<std::mutex> lock(impl_->routes_mu);
  impl_->routes = std::move(table);
  impl_->routes_generation.store(Impl::NextGeneration(), std::memory_order_release);
}

void StaticSites::Invalidate(const std::string& code) {
  impl_->cache.DropSite(code);
  impl_->responses.DropSite(code);
}

size_t StaticSites::cached_bytes() const { return impl_->cache.total() + impl_->responses.total(); }

uint64_t StaticSites::responses_reused() const {
  return impl_->reused.load(std::memory_order_relaxed);
}

Response StaticSites::Handle(Request& req) {
  Response r;
  try {
    r = impl_->Serve(req, search_handler);
  } catch (const std::exception& e) {
    // Caught here rather than in the server so that the page is HTML and
    // carries the security headers like every other answer.
    spdlog::error("[public] {} {}: {}", req.method, req.path, e.what());
    r = HtmlError(500, "服务器内部错误", "服务器暂时无法处理您的请求，请稍后再试。");
  }
  // A header block (a file's kept response) carries them already.
  if (!r.header_block) {
    for (const auto& [name, value] : PublicSecurityHeaders()) SetIfAbsent(r, name, value);
  }
  if (impl_->opts.hsts && req.tls) SetIfAbsent(r, "Strict-Transport-Security", kHsts);
  return r;
}

}  // namespace zhanqun::http
