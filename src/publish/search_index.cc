#include "publish/search_index.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>
#include <xapian.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string_view>
#include <system_error>
#include <unordered_map>
#include <utility>

#include "core/text.h"

namespace zhanqun::publish {

struct SearchIndex::Reader {
  std::string generation;
  Xapian::Database db;
};

namespace {

namespace fs = std::filesystem;

constexpr char kStubFile[] = "XAPIANDB";
constexpr char kLockFile[] = "zq.lock";
constexpr char kBuildSuffix[] = ".build";
constexpr Xapian::valueno kSlotPublished = 0;
constexpr Xapian::termcount kTitleWdf = 5;
constexpr Xapian::termpos kFieldGap = 100;
constexpr size_t kMaxQueryChars = 100;
constexpr int64_t kMaxPage = 1000;
constexpr int64_t kMaxPageSize = 50;
constexpr Xapian::doccount kCheckAtLeast = 1000;
constexpr size_t kMaxStoredBody = size_t{64} * 1024;
constexpr size_t kSnippetChars = 120;
constexpr size_t kSnippetLead = 20;
constexpr size_t kMaxIdleReaders = 8;
constexpr size_t kRebuildBatch = 200;
constexpr int kMaxAttempts = 5;

// ---- errors ---------------------------------------------------------------

Error Unavailable(std::string internal) {
  return Error{Code::kUnavailable, "搜索暂时不可用，请稍后再试", {}, std::move(internal)};
}

Error Corruption(std::string internal) {
  return Error{Code::kCorruption, "搜索索引已损坏，请重建索引", {}, std::move(internal)};
}

Error FromXapian(const Xapian::Error& e, std::string_view op) {
  std::string internal =
      "search index " + std::string(op) + ": " + e.get_type() + ": " + e.get_msg();
  if (const char* sys = e.get_error_string(); sys != nullptr && *sys != '\0') {
    internal += std::string(" (") + sys + ")";
  }
  // Xapian::Error has no virtual functions, so the class is told by name.
  const std::string_view type = e.get_type();
  if (type == "DatabaseCorruptError") {
    return Corruption(std::move(internal));
  }
  if (type == "DatabaseLockError" || type == "DatabaseOpeningError" ||
      type == "DatabaseNotFoundError" || type == "DatabaseModifiedError") {
    return Unavailable(std::move(internal));
  }
  return Error::Internal(std::move(internal));
}

Error FromErrno(std::string_view op, const fs::path& path, int err) {
  return Error::Internal("search index " + std::string(op) + " " + path.string() + ": " +
                         std::strerror(err));
}

// ---- directory layout -----------------------------------------------------

// "g" followed by digits; anything else in the stub is refused, so the stub
// can never point outside dir.
bool IsGenerationName(std::string_view name) {
  return name.size() >= 2 && name[0] == 'g' &&
         std::all_of(name.begin() + 1, name.end(), [](char c) { return c >= '0' && c <= '9'; });
}

uint64_t GenerationNumber(std::string_view name) {
  uint64_t n = 0;
  std::from_chars(name.data() + 1, name.data() + name.size(), n);
  return n;
}

std::string GenerationName(uint64_t n) {
  std::string digits = std::to_string(n);
  if (digits.size() < 6) digits.insert(0, 6 - digits.size(), '0');
  return "g" + digits;
}

// The current generation, or "" when the stub does not exist yet.
Result<std::string> ReadStub(const fs::path& dir) {
  std::ifstream in(dir / kStubFile);
  if (!in) {
    std::error_code ec;
    if (!fs::exists(dir / kStubFile, ec) && !ec) return std::string();
    return Fail(Unavailable("search index: cannot read " + (dir / kStubFile).string()));
  }
  std::string backend, name;
  in >> backend >> name;
  if (backend != "glass" || !IsGenerationName(name)) {
    return Fail(Corruption("search index: malformed stub file in " + dir.string()));
  }
  return name;
}

Status SyncDir(const fs::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Fail(FromErrno("open", dir, errno));
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return Fail(FromErrno("fsync", dir, err));
  return {};
}

// fsyncs every file in dir, then dir itself.
Status SyncFiles(const fs::path& dir) {
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code type_ec;
    if (!it->is_regular_file(type_ec)) continue;
    int fd = ::open(it->path().c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Fail(FromErrno("open", it->path(), errno));
    int rc = ::fsync(fd);
    int err = errno;
    ::close(fd);
    if (rc != 0) return Fail(FromErrno("fsync", it->path(), err));
  }
  if (ec) return Fail(Error::Internal("search index list " + dir.string() + ": " + ec.message()));
  return SyncDir(dir);
}

// Points the stub at generation `name`: write a temporary file, fsync, rename.
// REQUIRES: the directory lock is held.
Status WriteStub(const fs::path& dir, const std::string& name) {
  const fs::path tmp = dir / (std::string(kStubFile) + ".tmp");
  const std::string content = "glass " + name + "\n";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Fail(FromErrno("open", tmp, errno));
  bool ok = ::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size());
  ok = ok && ::fsync(fd) == 0;
  int err = errno;
  ::close(fd);
  if (!ok) return Fail(FromErrno("write", tmp, err));
  if (::rename(tmp.c_str(), (dir / kStubFile).c_str()) != 0) {
    return Fail(FromErrno("rename", tmp, errno));
  }
  return SyncDir(dir);
}

// One past the highest generation present, so a directory left by a crashed
// rebuild is never reused while something might still read it.
uint64_t NextGeneration(const fs::path& dir, const std::string& current) {
  uint64_t max = current.empty() ? 0 : GenerationNumber(current);
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (IsGenerationName(name)) max = std::max(max, GenerationNumber(name));
  }
  return max + 1;
}

// Deletes generations other than `keep_a` and `keep_b`, and build
// directories left by a rebuild that crashed. REQUIRES: the directory lock. Readers that still
// hold an older one open keep working: their files stay alive until closed.
void RemoveOldGenerations(const fs::path& dir, const std::string& keep_a,
                          const std::string& keep_b) {
  std::error_code ec;
  std::vector<fs::path> doomed;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    const bool stale_build =
        name.size() > std::strlen(kBuildSuffix) && name.ends_with(kBuildSuffix);
    if ((IsGenerationName(name) && name != keep_a && name != keep_b) || stale_build) {
      doomed.push_back(it->path());
    }
  }
  for (const auto& path : doomed) fs::remove_all(path, ec);
}

// An exclusive flock(2) on dir/zq.lock, released on destruction. Separate
// open() calls get separate locks, so this also excludes other instances in
// the same process.
class DirLock {
 public:
  static Result<DirLock> Acquire(const fs::path& dir) {
    const fs::path path = dir / kLockFile;
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return Fail(FromErrno("open", path, errno));
    while (::flock(fd, LOCK_EX) != 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      return Fail(FromErrno("flock", path, err));
    }
    return DirLock(fd);
  }
  DirLock(DirLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  DirLock& operator=(DirLock&&) = delete;
  ~DirLock() {
    if (fd_ >= 0) ::close(fd_);
  }

 private:
  explicit DirLock(int fd) : fd_(fd) {}
  int fd_;
};

// ---- documents ------------------------------------------------------------

std::string IdTerm(int64_t id) { return "Q" + std::to_string(id); }
std::string ColumnTerm(int64_t id) { return "XC" + std::to_string(id); }

void PutField(std::string& out, std::string_view s) {
  out += std::to_string(s.size());
  out += ':';
  out += s;
}

bool GetField(std::string_view& in, std::string& out) {
  const size_t colon = in.find(':');
  if (colon == std::string_view::npos) return false;
  size_t n = 0;
  auto [end, ec] = std::from_chars(in.data(), in.data() + colon, n);
  if (ec != std::errc() || end != in.data() + colon || n > in.size() - colon - 1) return false;
  out.assign(in.substr(colon + 1, n));
  in.remove_prefix(colon + 1 + n);
  return true;
}

std::string TruncateUtf8(std::string_view s, size_t max_bytes) {
  if (s.size() <= max_bytes) return std::string(s);
  size_t n = max_bytes;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return std::string(s.substr(0, n));
}

// Document data: "1" (format), id, title, url, date, column name, body.
std::string PackData(const SearchDoc& doc) {
  std::string out;
  PutField(out, "1");
  PutField(out, std::to_string(doc.id));
  PutField(out, doc.title);
  PutField(out, doc.url);
  PutField(out, doc.date);
  PutField(out, doc.column_name);
  PutField(out, TruncateUtf8(doc.body_text, kMaxStoredBody));
  return out;
}

struct StoredDoc {
  int64_t id = 0;
  std::string title, url, date, column_name, body;
};

StoredDoc UnpackData(std::string_view in) {
  StoredDoc d;
  std::string format, id;
  if (GetField(in, format) && format == "1" && GetField(in, id) && GetField(in, d.title) &&
      GetField(in, d.url) && GetField(in, d.date) && GetField(in, d.column_name)) {
    GetField(in, d.body);
    std::from_chars(id.data(), id.data() + id.size(), d.id);
  }
  return d;
}

Xapian::TermGenerator MakeTermGenerator() {
  Xapian::TermGenerator tg;
  tg.set_stemmer(Xapian::Stem("en"));
  tg.set_flags(Xapian::TermGenerator::FLAG_CJK_NGRAM);
  return tg;
}

Xapian::Document MakeDocument(Xapian::TermGenerator& tg, const SearchDoc& doc) {
  Xapian::Document d;
  tg.set_document(d);
  // Title words count kTitleWdf times in the free-text field, which is what
  // ranks a title match above a body match; "S" serves title:… queries.
  tg.index_text(doc.title, kTitleWdf);
  tg.increase_termpos(kFieldGap);
  tg.index_text(doc.title, 1, "S");
  tg.increase_termpos(kFieldGap);
  tg.index_text(doc.body_text);
  d.add_boolean_term(IdTerm(doc.id));
  if (doc.column_id > 0) d.add_boolean_term(ColumnTerm(doc.column_id));
  d.add_value(kSlotPublished, Xapian::sortable_serialise(static_cast<double>(doc.published_at)));
  d.set_data(PackData(doc));
  return d;
}

// ---- queries --------------------------------------------------------------

bool IsAsciiSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

// Trims ASCII whitespace and U+3000 (ideographic space) from both ends.
std::string_view Trim(std::string_view s) {
  constexpr std::string_view kIdeoSpace = "\xE3\x80\x80";
  for (;;) {
    if (!s.empty() && IsAsciiSpace(s.front())) {
      s.remove_prefix(1);
    } else if (s.substr(0, 3) == kIdeoSpace) {
      s.remove_prefix(3);
    } else {
      break;
    }
  }
  for (;;) {
    if (!s.empty() && IsAsciiSpace(s.back())) {
      s.remove_suffix(1);
    } else if (s.size() >= 3 && s.substr(s.size() - 3) == kIdeoSpace) {
      s.remove_suffix(3);
    } else {
      break;
    }
  }
  return s;
}

bool IsOperatorWord(std::string_view w) {
  return w == "AND" || w == "OR" || w == "NOT" || w == "XOR" || w == "NEAR" || w == "ADJ" ||
         w.substr(0, 5) == "NEAR/" || w.substr(0, 4) == "ADJ/";
}

// The query without boolean operator words, for the fallback parse.
std::string WithoutOperators(std::string_view q) {
  std::string out;
  size_t i = 0;
  while (i < q.size()) {
    while (i < q.size() && IsAsciiSpace(q[i])) ++i;
    size_t j = i;
    while (j < q.size() && !IsAsciiSpace(q[j])) ++j;
    std::string_view word = q.substr(i, j - i);
    if (!word.empty() && !IsOperatorWord(word)) {
      if (!out.empty()) out += ' ';
      out += word;
    }
    i = j;
  }
  return out;
}

Xapian::QueryParser MakeParser() {
  Xapian::QueryParser qp;
  qp.set_stemmer(Xapian::Stem("en"));
  qp.set_stemming_strategy(Xapian::QueryParser::STEM_SOME);
  qp.set_default_op(Xapian::Query::OP_AND);
  qp.add_prefix("title", "S");
  return qp;
}

// Never throws QueryParserError: what a visitor types is a search, not a
// program. On a syntax error the operators are dropped and the rest parsed
// with fewer features; the last resort is an empty query (no results).
Xapian::Query ParseQuery(const std::string& q) {
  Xapian::QueryParser qp = MakeParser();
  constexpr unsigned kCjk = Xapian::QueryParser::FLAG_CJK_NGRAM;
  try {
    return qp.parse_query(q, Xapian::QueryParser::FLAG_DEFAULT | kCjk);
  } catch (const Xapian::QueryParserError&) {
  }
  const std::string plain = WithoutOperators(q);
  try {
    return qp.parse_query(
        plain, Xapian::QueryParser::FLAG_PHRASE | Xapian::QueryParser::FLAG_LOVEHATE | kCjk);
  } catch (const Xapian::QueryParserError&) {
  }
  try {
    return qp.parse_query(plain, kCjk);
  } catch (const Xapian::QueryParserError&) {
  }
  return Xapian::Query();
}

// ---- snippets ---------------------------------------------------------------
//
// Built here rather than with MSet::snippet: with CJK n-grams that marks every
// character separately ("<mark>科</mark><mark>技</mark>") and also marks the
// lone unigrams of a query word wherever they occur (the 学 of 学校 for the
// query 开学). Here a Chinese query word is highlighted only where the whole
// word occurs, and a Latin word where a text word starts with it (so
// "school" marks "Schools").

bool IsCjk(unsigned p) {
  return (p >= 0x2E80 && p <= 0x2EFF) || (p >= 0x3000 && p <= 0x9FFF) ||
         (p >= 0xA700 && p <= 0xA71F) || (p >= 0xAC00 && p <= 0xD7AF) ||
         (p >= 0xF900 && p <= 0xFAFF) || (p >= 0xFE30 && p <= 0xFE4F) ||
         (p >= 0xFF00 && p <= 0xFFEF) || (p >= 0x20000 && p <= 0x2A6DF) ||
         (p >= 0x2F800 && p <= 0x2FA1F);
}

bool IsLatinWordChar(unsigned p) { return Xapian::Unicode::is_wordchar(p) && !IsCjk(p); }

struct HighlightWord {
  std::vector<unsigned> chars;  // lower-cased
  bool cjk = false;
};

// The words of the query worth highlighting: not operators, not field names,
// not words excluded with a leading '-'.
std::vector<HighlightWord> HighlightWords(std::string_view q) {
  std::vector<unsigned> cps;
  for (Xapian::Utf8Iterator it(q.data(), q.size()); it != Xapian::Utf8Iterator(); ++it) {
    cps.push_back(*it);
  }
  std::vector<HighlightWord> words;
  size_t i = 0;
  while (i < cps.size()) {
    if (!Xapian::Unicode::is_wordchar(cps[i])) {
      ++i;
      continue;
    }
    const size_t run_start = i;
    size_t run_end = i;
    while (run_end < cps.size() && Xapian::Unicode::is_wordchar(cps[run_end])) ++run_end;
    i = run_end;
    const bool hated = run_start > 0 && cps[run_start - 1] == '-' &&
                       (run_start == 1 || Xapian::Unicode::is_whitespace(cps[run_start - 2]));
    const bool field = run_end < cps.size() && cps[run_end] == ':';
    if (hated || field) continue;
    // Split the run where it changes between CJK and Latin.
    size_t s = run_start;
    while (s < run_end) {
      const bool cjk = IsCjk(cps[s]);
      size_t e = s;
      while (e < run_end && IsCjk(cps[e]) == cjk) ++e;
      HighlightWord w;
      w.cjk = cjk;
      std::string utf8;
      for (size_t k = s; k < e; ++k) {
        Xapian::Unicode::append_utf8(utf8, cps[k]);
        w.chars.push_back(Xapian::Unicode::tolower(cps[k]));
      }
      if (cjk || !IsOperatorWord(utf8)) words.push_back(std::move(w));
      s = e;
    }
  }
  // Longest first, so "科技节" wins over "科技" at the same position.
  std::sort(words.begin(), words.end(),
            [](const auto& a, const auto& b) { return a.chars.size() > b.chars.size(); });
  words.erase(std::unique(words.begin(), words.end(),
                          [](const auto& a, const auto& b) { return a.chars == b.chars; }),
              words.end());
  return words;
}

void AppendEscaped(std::string& out, unsigned ch) {
  switch (ch) {
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
    case '\'':
      out += "&#39;";
      break;
    default:
      Xapian::Unicode::append_utf8(out, ch);
  }
}

std::string MakeSnippet(std::string_view body, const std::vector<HighlightWord>& words) {
  // Whitespace runs (newlines between paragraphs) become one space.
  std::vector<unsigned> text;
  for (Xapian::Utf8Iterator it(body.data(), body.size()); it != Xapian::Utf8Iterator(); ++it) {
    const unsigned ch = *it;
    if (Xapian::Unicode::is_whitespace(ch) || ch < 0x20 || ch == 0x7F) {
      if (!text.empty() && text.back() != ' ') text.push_back(' ');
    } else {
      text.push_back(ch);
    }
  }
  while (!text.empty() && text.back() == ' ') text.pop_back();
  const size_t n = text.size();

  struct Match {
    size_t begin, end;
  };
  std::vector<Match> matches;
  // Only matches that can fall inside the window are needed.
  size_t scan_end = n;
  for (size_t i = 0; i < scan_end;) {
    bool found = false;
    for (const auto& w : words) {
      const size_t len = w.chars.size();
      if (len == 0 || i + len > n) continue;
      if (!w.cjk && i > 0 && IsLatinWordChar(text[i - 1])) continue;
      bool same = true;
      for (size_t k = 0; k < len && same; ++k) {
        same = Xapian::Unicode::tolower(text[i + k]) == w.chars[k];
      }
      if (!same) continue;
      size_t end = i + len;
      if (!w.cjk) {
        while (end < n && IsLatinWordChar(text[end])) ++end;
      }
      if (matches.empty()) scan_end = std::min(n, i + 2 * kSnippetChars);
      matches.push_back({i, end});
      i = end;
      found = true;
      break;
    }
    if (!found) ++i;
  }

  const size_t first = matches.empty() ? 0 : matches.front().begin;
  size_t start = first > kSnippetLead ? first - kSnippetLead : 0;
  size_t end = std::min(n, start + kSnippetChars);
  if (end == n) start = n > kSnippetChars ? std::min(start, n - kSnippetChars) : 0;
  // Don't cut a Latin word in two at either edge.
  while (start > 0 && start < first && IsLatinWordChar(text[start - 1]) &&
         IsLatinWordChar(text[start])) {
    ++start;
  }
  if (end < n) {
    size_t e = end;
    while (e > start + kSnippetChars / 2 && IsLatinWordChar(text[e - 1]) &&
           IsLatinWordChar(text[e])) {
      --e;
    }
    if (e > start + kSnippetChars / 2) end = e;
  }
  for (const auto& m : matches) {
    if (m.begin < end && m.end > end) end = m.end;
  }
  while (start < end && text[start] == ' ') ++start;

  std::string out;
  if (start > 0) out += "…";
  auto next = matches.begin();
  for (size_t i = start; i < end;) {
    while (next != matches.end() && next->end <= i) ++next;
    if (next != matches.end() && next->begin == i) {
      out += "<mark>";
      for (; i < next->end; ++i) AppendEscaped(out, text[i]);
      out += "</mark>";
    } else {
      AppendEscaped(out, text[i]);
      ++i;
    }
  }
  while (out.size() > 0 && out.back() == ' ') out.pop_back();
  if (end < n) out += "…";
  return out;
}

// ---- search -----------------------------------------------------------------

Result<SearchResults> RunQuery(Xapian::Database& db, const Xapian::Query& query,
                               const SearchQuery& sq, const std::vector<HighlightWord>& words) {
  Xapian::Enquire enquire(db);
  enquire.set_query(query);
  if (sq.sort == SearchQuery::Sort::kNewest) {
    enquire.set_sort_by_value_then_relevance(kSlotPublished, true);
  } else {
    // Equal scores: newer first.
    enquire.set_sort_by_relevance_then_value(kSlotPublished, true);
  }
  const auto offset = static_cast<Xapian::doccount>((sq.page - 1) * sq.page_size);
  const auto size = static_cast<Xapian::doccount>(sq.page_size);
  Xapian::MSet mset = enquire.get_mset(offset, size, std::max(kCheckAtLeast, offset + size));
  SearchResults out;
  out.total = mset.get_matches_estimated();
  for (auto it = mset.begin(); it != mset.end(); ++it) {
    StoredDoc d = UnpackData(it.get_document().get_data());
    SearchHit hit;
    hit.id = d.id;
    hit.title = std::move(d.title);
    hit.url = std::move(d.url);
    hit.date = std::move(d.date);
    hit.column_name = std::move(d.column_name);
    hit.snippet_html = MakeSnippet(d.body, words);
    hit.score = it.get_weight();
    out.hits.push_back(std::move(hit));
  }
  return out;
}

Status ValidateQuery(const SearchQuery& sq, std::string_view q) {
  if (!IsValidUtf8(sq.q)) return Fail(Error::Invalid("q", "搜索关键词包含无效字符"));
  if (q.empty()) return Fail(Error::Invalid("q", "请输入搜索关键词"));
  if (Utf8Length(q) > kMaxQueryChars) {
    return Fail(Error::Invalid("q", "搜索关键词不能超过 100 个字"));
  }
  if (sq.page < 1 || sq.page > kMaxPage) {
    return Fail(Error::Invalid("page", "页码必须在 1 到 1000 之间"));
  }
  if (sq.page_size < 1 || sq.page_size > kMaxPageSize) {
    return Fail(Error::Invalid("page_size", "每页条数必须在 1 到 50 之间"));
  }
  if (sq.column_id && *sq.column_id <= 0) {
    return Fail(Error::Invalid("column_id", "栏目编号无效"));
  }
  return {};
}

Status CreateIfMissing(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Fail(Error::Internal("search index mkdir " + dir.string() + ": " + ec.message()));
  ZQ_ASSIGN_OR_RETURN(DirLock lock, DirLock::Acquire(dir));
  ZQ_ASSIGN_OR_RETURN(std::string current, ReadStub(dir));
  if (!current.empty()) return {};
  const std::string gen = GenerationName(NextGeneration(dir, current));
  try {
    Xapian::WritableDatabase db((dir / gen).string(),
                                Xapian::DB_CREATE_OR_OVERWRITE | Xapian::DB_BACKEND_GLASS);
    db.commit();
    db.close();
  } catch (const Xapian::Error& e) {
    return Fail(FromXapian(e, "create"));
  }
  return WriteStub(dir, gen);
}

}  // namespace

// ---- SearchIndex --------------------------------------------------------------

SearchIndex::SearchIndex(std::string dir) : dir_(std::move(dir)) {}
SearchIndex::~SearchIndex() = default;

Result<std::unique_ptr<SearchIndex>> SearchIndex::Open(const std::string& dir) {
  if (dir.empty()) return Fail(Error::Internal("search index: empty directory name"));
  ZQ_TRY(CreateIfMissing(dir));
  std::unique_ptr<SearchIndex> index(new SearchIndex(dir));
  ZQ_ASSIGN_OR_RETURN(auto reader, index->AcquireReader());
  index->ReleaseReader(std::move(reader));
  return index;
}

Status SearchIndex::Rebuild(const std::string& dir_name, const std::vector<SearchDoc>& docs) {
  for (const auto& doc : docs) {
    if (doc.id <= 0) return Fail(Error::Invalid("id", "文章编号无效"));
  }
  const fs::path dir(dir_name);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Fail(Error::Internal("search index mkdir " + dir.string() + ": " + ec.message()));
  // Held for the whole build: a Commit waiting on it then lands in the new
  // generation instead of in one about to be replaced.
  ZQ_ASSIGN_OR_RETURN(DirLock lock, DirLock::Acquire(dir));
  ZQ_ASSIGN_OR_RETURN(std::string current, ReadStub(dir));
  const std::string gen = GenerationName(NextGeneration(dir, current));
  const fs::path build = dir / (gen + kBuildSuffix);
  const auto discard = [&] {
    fs::remove_all(build, ec);
    fs::remove_all(dir / gen, ec);
  };
  try {
    // Nothing reads the build directory, so it is committed in small batches
    // (Xapian's change buffer gets slower per document as it grows: 10,000
    // documents in one batch took twice the CPU of batches of 200) and
    // without fsync. Compacting it then halves the size on disk (157 MB to
    // 83 MB for 10,000 1 KB documents) for a few seconds' work.
    {
      Xapian::WritableDatabase db(build.string(), Xapian::DB_CREATE_OR_OVERWRITE |
                                                      Xapian::DB_BACKEND_GLASS |
                                                      Xapian::DB_NO_SYNC);
      Xapian::TermGenerator tg = MakeTermGenerator();
      // A new database: documents are added without looking their id term up;
      // of repeated ids the last one counts, as with replace.
      std::unordered_map<int64_t, size_t> last;
      for (size_t i = 0; i < docs.size(); ++i) last[docs[i].id] = i;
      for (size_t i = 0; i < docs.size(); ++i) {
        if (last[docs[i].id] != i) continue;
        db.add_document(MakeDocument(tg, docs[i]));
        if ((i + 1) % kRebuildBatch == 0) db.commit();
      }
      db.commit();
      db.close();
    }
    Xapian::Database(build.string()).compact((dir / gen).string(), Xapian::DBCOMPACT_NO_RENUMBER);
  } catch (const Xapian::Error& e) {
    discard();
    return Fail(FromXapian(e, "rebuild"));
  } catch (const std::exception& e) {
    discard();
    return Fail(Error::Internal(std::string("search index rebuild: ") + e.what()));
  }
  fs::remove_all(build, ec);
  if (Status synced = SyncFiles(dir / gen); !synced) {
    discard();
    return synced;
  }
  ZQ_TRY(WriteStub(dir, gen));
  RemoveOldGenerations(dir, gen, current);
  return {};
}

Status SearchIndex::Put(const SearchDoc& doc) {
  if (doc.id <= 0) return Fail(Error::Invalid("id", "文章编号无效"));
  std::lock_guard<std::mutex> l(write_mu_);
  pending_[doc.id] = doc;
  return {};
}

Status SearchIndex::Remove(int64_t id) {
  if (id <= 0) return Fail(Error::Invalid("id", "文章编号无效"));
  std::lock_guard<std::mutex> l(write_mu_);
  pending_[id] = std::nullopt;
  return {};
}

Status SearchIndex::Commit() {
  std::lock_guard<std::mutex> l(write_mu_);
  if (pending_.empty()) return {};
  const fs::path dir(dir_);
  // The database is opened for writing only for the length of a commit, so
  // another instance or process (a CLI reindex) can write between commits.
  ZQ_ASSIGN_OR_RETURN(DirLock lock, DirLock::Acquire(dir));
  ZQ_ASSIGN_OR_RETURN(std::string gen, ReadStub(dir));
  if (gen.empty()) return Fail(Unavailable("search index: no stub in " + dir_));
  try {
    Xapian::WritableDatabase db((dir / gen).string(), Xapian::DB_OPEN | Xapian::DB_BACKEND_GLASS);
    // In a transaction because the destructor of a WritableDatabase commits
    // whatever it holds: an exception half way must cancel, not publish half.
    db.begin_transaction();
    Xapian::TermGenerator tg = MakeTermGenerator();
    for (const auto& [id, doc] : pending_) {
      if (doc) {
        db.replace_document(IdTerm(id), MakeDocument(tg, *doc));
      } else {
        db.delete_document(IdTerm(id));
      }
    }
    db.commit_transaction();
    db.close();
  } catch (const Xapian::Error& e) {
    return Fail(FromXapian(e, "commit"));
  } catch (const std::exception& e) {
    return Fail(Error::Internal(std::string("search index commit: ") + e.what()));
  }
  pending_.clear();
  return {};
}

Result<std::unique_ptr<SearchIndex::Reader>> SearchIndex::AcquireReader() const {
  std::unique_ptr<Reader> reader;
  {
    std::lock_guard<std::mutex> l(pool_mu_);
    if (!idle_.empty()) {
      reader = std::move(idle_.back());
      idle_.pop_back();
    }
  }
  for (int attempt = 1;; ++attempt) {
    ZQ_ASSIGN_OR_RETURN(std::string gen, ReadStub(dir_));
    if (gen.empty()) return Fail(Unavailable("search index: no stub in " + dir_));
    try {
      if (reader && reader->generation == gen) {
        reader->db.reopen();
      } else {
        auto fresh = std::make_unique<Reader>();
        fresh->generation = gen;
        fresh->db = Xapian::Database((fs::path(dir_) / gen).string());
        reader = std::move(fresh);
      }
      return reader;
    } catch (const Xapian::DatabaseOpeningError& e) {
      // Two rebuilds between reading the stub and opening can delete the
      // generation it named; read the stub again.
      if (attempt >= kMaxAttempts) return Fail(FromXapian(e, "open"));
      reader.reset();
    } catch (const Xapian::DatabaseModifiedError& e) {
      // Opening raced with commits that recycled the blocks being read.
      if (attempt >= kMaxAttempts) return Fail(FromXapian(e, "open"));
      reader.reset();
    } catch (const Xapian::Error& e) {
      return Fail(FromXapian(e, "open"));
    }
  }
}

void SearchIndex::ReleaseReader(std::unique_ptr<Reader> reader) const {
  std::lock_guard<std::mutex> l(pool_mu_);
  if (idle_.size() < kMaxIdleReaders) idle_.push_back(std::move(reader));
}

Result<SearchResults> SearchIndex::Search(const SearchQuery& sq) const {
  const std::string_view trimmed = Trim(sq.q);
  ZQ_TRY(ValidateQuery(sq, trimmed));
  const std::string q(trimmed);
  try {
    const Xapian::Query query = ParseQuery(q);
    if (query.empty()) return SearchResults{};
    const Xapian::Query filtered = sq.column_id
                                       ? Xapian::Query(Xapian::Query::OP_FILTER, query,
                                                       Xapian::Query(ColumnTerm(*sq.column_id)))
                                       : query;
    const std::vector<HighlightWord> words = HighlightWords(q);
    ZQ_ASSIGN_OR_RETURN(auto reader, AcquireReader());
    for (int attempt = 1;; ++attempt) {
      try {
        // The writer committed twice while we read: move to the latest
        // revision and start over (reopen itself can meet the same race).
        if (attempt > 1) reader->db.reopen();
        auto results = RunQuery(reader->db, filtered, sq, words);
        ReleaseReader(std::move(reader));
        return results;
      } catch (const Xapian::DatabaseModifiedError& e) {
        if (attempt >= kMaxAttempts) return Fail(FromXapian(e, "search"));
      }
    }
  } catch (const Xapian::Error& e) {
    return Fail(FromXapian(e, "search"));
  } catch (const std::exception& e) {
    return Fail(Error::Internal(std::string("search index search: ") + e.what()));
  }
}

int64_t SearchIndex::DocCount() const {
  try {
    auto reader = AcquireReader();
    if (!reader) return 0;
    const int64_t n = (*reader)->db.get_doccount();
    ReleaseReader(std::move(*reader));
    return n;
  } catch (const Xapian::Error&) {
    return 0;
  } catch (const std::exception&) {
    return 0;
  }
}

}  // namespace zhanqun::publish
