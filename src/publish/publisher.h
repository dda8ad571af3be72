// Static publishing: renders a site's published content through its theme into
// data/publish/<code>/ (docs/themes.md, "Where pages go").
//
// A full publish builds a complete new version directory (unchanged files are
// hard links to the previous version), writes its manifest, and switches the
// site's symlink atomically: a publish killed at any point leaves the old
// version live with a manifest matching every file. An incremental publish
// (one article changed) renders only the pages that can show that article,
// writes those whose bytes changed with atomic renames, and rewrites the
// manifest last (staged as manifest.next first, so that an interrupted one is
// finished at the next publish).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/result.h"
#include "publish/search_index.h"
#include "publish/theme.h"
#include "store/db.h"

namespace zhanqun::publish {

// Bumped when the renderer changes what it makes of the same inputs (pages
// rendered by another version are rendered again); the golden test of the
// demo district's bytes names the version its value was made by.
inline constexpr const char* kRenderVersion = "render-3";  // 3: apostrophes escaped as &#39;

struct PublishOptions {
  std::string data_dir;
  std::string themes_dir;
  // Brotli quality of the .br variants: 5 compresses within 4 % of 9 in a
  // third of the time (bench/README.md, publish-vs-hugo).
  int brotli_quality = 5;
  // Threads rendering and compressing pages in a full publish; 0 = one per core.
  int threads = 0;
};

struct PublishReport {
  std::string site_code;
  std::vector<std::string> written;  // site paths whose bytes changed, "/index.html"
  std::vector<std::string> removed;
  int64_t files = 0;  // files in the site after the publish
  int64_t pages = 0;  // pages rendered
  int64_t ms = 0;
  // Where a full publish's time went: reading the store (wall clock), then
  // the time the publishing threads spent rendering, compressing (.gz and
  // .br) and writing files, added up over the threads, and waiting for the
  // disk before the swap (wall clock).
  int64_t load_ms = 0, render_ms = 0, compress_ms = 0, write_ms = 0, sync_ms = 0;
};

class Publisher {
 public:
  Publisher(store::Db& db, PublishOptions options);
  ~Publisher();

  Result<PublishReport> PublishSite(int64_t site_id);
  Result<PublishReport> PublishSiteByCode(const std::string& code);
  // After one article changed (published, withdrawn, edited while published).
  Result<PublishReport> PublishArticle(int64_t article_id);
  // Approved articles whose publish_at has come become published; returns
  // the article ids it published.
  Result<std::vector<int64_t>> PublishDue(int64_t now_ms);

  // Renders one template for the public server (search results page).
  Result<std::string> RenderSearchPage(const std::string& site_code, const nlohmann::json& extra);

  // Renders one page of a site as a publish would, writing nothing: the
  // preview of unsaved editor content or of another theme. `spec` is what
  // Service::PreparePreview returns (validated, body sanitized).
  Result<std::string> RenderPreview(int64_t site_id, const nlohmann::json& spec);

  struct ThemeInfo {
    std::string name, title, description;
    bool ok = false;
    std::string error;  // why it does not load ("templates/home.mustache:3 …")
  };
  // Every theme under the themes directory, loadable or not.
  std::vector<ThemeInfo> ListThemes();

  std::string SiteRoot(const std::string& code) const;
  ThemeSet& themes() { return themes_; }

  // Called after each publish with the site's code and the documents to
  // (re)index: all of them on a full publish, or the changed one.
  std::function<void(const std::string& code, const std::vector<SearchDoc>& docs, bool full,
                     const std::vector<int64_t>& removed)>
      on_index;
  // Called after each publish (the public server drops its cache).
  std::function<void(const std::string& code)> on_published;

  struct Model;     // the site as the templates see it (publisher.cc)
  struct Manifest;  // manifest.json as read (publisher.cc)

 private:
  struct SiteCache;  // per site: article texts and the last manifest (publisher.cc)

  // theme: "" for the site's own theme. Without articles: the site, its
  // columns and nav only (the search page).
  Result<std::unique_ptr<Model>> Load(int64_t site_id, const std::string& theme = "",
                                      bool with_articles = true);
  // The manifest in dir (a version directory or the live link): the parsed
  // copy kept from the last publish when the file is still that one, else
  // read. Taken out of the cache; Keep puts it back once written.
  Manifest TakeManifest(int64_t site_id, const std::string& dir);
  void KeepManifest(int64_t site_id, const std::string& dir, Manifest&& m);

  store::Db& db_;
  PublishOptions options_;
  ThemeSet themes_;
  std::mutex site_mu_;  // one publish at a time (per process)
  std::mutex cache_mu_;
  std::map<int64_t, std::unique_ptr<SiteCache>> cache_;  // GUARDED_BY(cache_mu_)
};

}  // namespace zhanqun::publish
