// Full-text search over one site's published articles (Xapian, glass backend).
//
// Chinese text is indexed as CJK unigrams and bigrams (FLAG_CJK_NGRAM on the
// TermGenerator and the QueryParser), so a two-character query such as "科技"
// matches only documents containing that exact pair.
//
// On-disk layout of `dir` (data/search/<site-code>/):
//   XAPIANDB   a Xapian stub file, "glass g000007": the current generation.
//              `xapian-delve <dir>` and other Xapian tools open it directly.
//   g000007/   the current generation: a glass database.
//   g000006/   the previous generation, kept so a reader that read the stub
//              just before a rebuild can still open it.
//   zq.lock    flock(2) serialising Commit and Rebuild across instances and
//              processes.
// A rebuild writes a new generation directory and then swaps the stub with
// rename(2). Renaming database directories themselves is not safe: a glass
// database is several files opened by path, so a reader opening during a
// directory rename could mix tables from two databases.
//
// Concurrency: any number of threads may call Search and DocCount at once.
// Put, Remove and Commit are for one writer (the publisher); they are
// serialised internally too. Every search sees one committed revision of one
// generation, never a half-applied commit or a half-built rebuild.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"

namespace zhanqun::publish {

struct SearchDoc {
  int64_t id = 0;  // article id (unique key; re-adding replaces)
  std::string title;
  std::string body_text;  // plain text, no HTML
  std::string column_name;
  std::string url;
  std::string date;          // YYYY-MM-DD
  int64_t published_at = 0;  // ms since epoch, for sorting by date
  int64_t column_id = 0;
};

struct SearchHit {
  int64_t id = 0;
  std::string title, url, date, column_name;
  // About 120 characters of the body around the first match, HTML-escaped,
  // with <mark>…</mark> around matches. No other tags.
  std::string snippet_html;
  double score = 0;
};

struct SearchQuery {
  std::string q;           // 1..100 characters after trimming
  int64_t page = 1;        // 1..1000
  int64_t page_size = 10;  // 1..50
  std::optional<int64_t> column_id;
  enum class Sort { kRelevance, kNewest } sort = Sort::kRelevance;
};

struct SearchResults {
  int64_t total = 0;  // estimated number of matches (exact up to 1000)
  std::vector<SearchHit> hits;
};

class SearchIndex {
 public:
  // Opens the index in dir, creating the directory and an empty index if
  // needed. Does not take any write lock.
  static Result<std::unique_ptr<SearchIndex>> Open(const std::string& dir);

  // Replaces the whole index with docs. Readers see the old index until the
  // new one is complete, then the new one. A Commit from any instance waits
  // while a rebuild runs and then applies to the new index.
  static Status Rebuild(const std::string& dir, const std::vector<SearchDoc>& docs);

  ~SearchIndex();
  SearchIndex(const SearchIndex&) = delete;
  SearchIndex& operator=(const SearchIndex&) = delete;

  // Queue an addition (replacing any document with the same id) or a
  // removal. Nothing is visible to searches until Commit; changes not
  // committed when the object is destroyed are discarded.
  Status Put(const SearchDoc& doc);
  Status Remove(int64_t id);
  // Applies the queued changes as one atomic revision. On failure the changes
  // stay queued, so Commit may be retried.
  Status Commit();

  // Errors: kInvalidArgument naming "q", "page", "page_size" or "column_id";
  // kUnavailable or kInternal when the index cannot be read. Query syntax
  // errors are not errors: the query falls back to plain terms.
  Result<SearchResults> Search(const SearchQuery& q) const;

  // Committed documents; 0 if the index cannot be read.
  int64_t DocCount() const;

  const std::string& dir() const { return dir_; }

 private:
  struct Reader;  // one Xapian::Database, used by one thread at a time

  explicit SearchIndex(std::string dir);
  Result<std::unique_ptr<Reader>> AcquireReader() const;
  void ReleaseReader(std::unique_ptr<Reader> reader) const;

  const std::string dir_;

  std::mutex write_mu_;
  // Queued changes by id: a document to put, or nullopt to remove.
  std::map<int64_t, std::optional<SearchDoc>> pending_;  // GUARDED_BY(write_mu_)

  mutable std::mutex pool_mu_;
  mutable std::vector<std::unique_ptr<Reader>> idle_;  // GUARDED_BY(pool_mu_)
};

}  // namespace zhanqun::publish
