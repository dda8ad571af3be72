#include "publish/site_search.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "publish/files.h"

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
  if (full) {
    // A full publish of an unchanged site need not rebuild its index.
    std::string all;
    for (const auto& d : docs) {
      all += std::to_string(d.id) + '\x1f' + d.title + '\x1f' + d.body_text + '\x1f' +
             d.column_name + '\x1f' + d.url + '\x1f' + d.date + '\x1f' +
             std::to_string(d.published_at) + '\x1f' + std::to_string(d.column_id) + '\x1e';
    }
    std::string digest = Sha256(all);
    std::filesystem::path dir = std::filesystem::path(dir_) / code;
    std::filesystem::path stamp = std::filesystem::path(dir_) / ("." + code + ".digest");
    std::ifstream in(stamp);
    std::string old;
    std::getline(in, old);
    if (old == digest && std::filesystem::exists(dir)) return {};
    ZQ_TRY(SearchIndex::Rebuild(dir.string(), docs));
    return WriteFileAtomic(stamp.string(), digest + "\n");
  }
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
