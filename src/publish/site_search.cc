#include "publish/site_search.h"

#include <filesystem>

namespace zhanqun::publish {

Result<SearchIndex*> SiteSearch::Get(const std::string& code) {
  std::lock_guard lock(mu_);
  auto it = open_.find(code);
  if (it != open_.end()) return it->second.get();
  ZQ_ASSIGN_OR_RETURN(auto idx, SearchIndex::Open((std::filesystem::path(dir_) / code).string()));
  SearchIndex* raw = idx.get();
  open_[code] = std::move(idx);
  return raw;
}

Status SiteSearch::Apply(const std::string& code, const std::vector<SearchDoc>& docs, bool full,
                         const std::vector<int64_t>& removed) {
  if (full) return SearchIndex::Rebuild((std::filesystem::path(dir_) / code).string(), docs);
  ZQ_ASSIGN_OR_RETURN(SearchIndex * idx, Get(code));
  for (const auto& d : docs) ZQ_TRY(idx->Put(d));
  for (int64_t id : removed) ZQ_TRY(idx->Remove(id));
  return idx->Commit();
}

Result<SearchResults> SiteSearch::Search(const std::string& code, const SearchQuery& q) {
  ZQ_ASSIGN_OR_RETURN(SearchIndex * idx, Get(code));
  return idx->Search(q);
}

}  // namespace zhanqun::publish
