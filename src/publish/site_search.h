// One search index per site under data/search/<code>/, kept in step with the
// publisher, and queried by the public listener's /search.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "publish/search_index.h"

namespace zhanqun::publish {

class SiteSearch {
 public:
  explicit SiteSearch(std::string search_dir) : dir_(std::move(search_dir)) {}
  // full: the docs are the whole site (rebuild); otherwise add/replace docs
  // and drop `removed`.
  Status Apply(const std::string& code, const std::vector<SearchDoc>& docs, bool full,
               const std::vector<int64_t>& removed);
  Result<SearchResults> Search(const std::string& code, const SearchQuery& q);

 private:
  Result<SearchIndex*> Get(const std::string& code);
  std::string dir_;
  std::mutex mu_;
  std::map<std::string, std::unique_ptr<SearchIndex>> open_;  // GUARDED_BY(mu_)
};

}  // namespace zhanqun::publish
