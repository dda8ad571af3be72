#include "publish/publisher.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <thread>
#include <unordered_map>

#include "core/text.h"
#include "publish/files.h"
#include "zhanqun/version.h"

namespace zhanqun::publish {

namespace fs = std::filesystem;
using nlohmann::json;
using store::Conn;
using store::Row;

namespace {

constexpr int64_t kShanghaiOffsetMs = 8 * 3600 * 1000;  // UTC+8, no DST

// Formats a time (ms since the epoch) shifted by offset_ms, with strftime.
std::string FormatTime(int64_t ms, int64_t offset_ms, const char* format) {
  time_t t = static_cast<time_t>((ms + offset_ms) / 1000);
  struct tm tm;
  gmtime_r(&t, &tm);
  char buf[64];
  strftime(buf, sizeof buf, format, &tm);
  return buf;
}

std::string Date(int64_t ms) {
  // Called for every article of every page and of the sitemap: the last day
  // formatted is kept per thread.
  thread_local int64_t last_day = INT64_MIN;
  thread_local std::string last;
  const int64_t day =
      (ms + kShanghaiOffsetMs) / 86400000 - ((ms + kShanghaiOffsetMs) % 86400000 < 0);
  if (day != last_day) {
    last = FormatTime(ms, kShanghaiOffsetMs, "%Y-%m-%d");
    last_day = day;
  }
  return last;
}
std::string IsoTime(int64_t ms) {
  return FormatTime(ms, kShanghaiOffsetMs, "%Y-%m-%dT%H:%M:%S+08:00");
}
std::string Rfc822(int64_t ms) { return FormatTime(ms, 0, "%a, %d %b %Y %H:%M:%S GMT"); }

std::string XmlEscape(const std::string& s) {
  std::string o;
  for (char c : s) {
    switch (c) {
      case '&':
        o += "&amp;";
        break;
      case '<':
        o += "&lt;";
        break;
      case '>':
        o += "&gt;";
        break;
      case '"':
        o += "&quot;";
        break;
      case '\'':
        o += "&apos;";
        break;
      default:
        o += c;
    }
  }
  return o;
}

std::string StripTags(const std::string& html) {
  std::string out;
  bool in_tag = false;
  for (char c : html) {
    if (c == '<')
      in_tag = true;
    else if (c == '>') {
      in_tag = false;
      out += ' ';
    } else if (!in_tag)
      out += c;
  }
  // Decode the few entities the sanitizer writes.
  static const std::pair<const char*, const char*> kEnt[] = {{"&lt;", "<"},    {"&gt;", ">"},
                                                             {"&quot;", "\""}, {"&#39;", "'"},
                                                             {"&nbsp;", " "},  {"&amp;", "&"}};
  for (auto [from, to] : kEnt) {
    for (size_t p; (p = out.find(from)) != std::string::npos;) out.replace(p, strlen(from), to);
  }
  std::string squeezed;
  bool space = false;
  for (char c : out) {
    bool ws = c == ' ' || c == '\n' || c == '\r' || c == '\t';
    if (ws) {
      if (!space && !squeezed.empty()) squeezed += ' ';
      space = true;
    } else {
      squeezed += c;
      space = false;
    }
  }
  while (!squeezed.empty() && squeezed.back() == ' ') squeezed.pop_back();
  return squeezed;
}

// Cuts UTF-8 text to at most n code points.
std::string Cut(const std::string& s, size_t n) {
  size_t count = 0, i = 0;
  while (i < s.size() && count < n) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    i += c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    ++count;
  }
  if (i >= s.size()) return s;
  return s.substr(0, i) + "…";
}

std::string SizeText(int64_t size) {
  char buf[32];
  if (size >= 1024 * 1024)
    snprintf(buf, sizeof buf, "%.1f MB", size / 1048576.0);
  else if (size >= 1024)
    snprintf(buf, sizeof buf, "%.0f KB", size / 1024.0);
  else
    snprintf(buf, sizeof buf, "%lld B", static_cast<long long>(size));
  return buf;
}

struct Media {
  int64_t id;
  std::string hash, filename, mime, alt;
  int64_t size;
  std::string url;  // /_media/ab/<hash>.<ext>
};

// What an article shows besides its list position, as last read from the store.
struct ArticleText {
  int64_t version = 0, updated_at = 0;
  std::string title, subtitle, author, source, summary;
  std::vector<int64_t> attachments;
};

struct Article {
  int64_t id, column_id, published_at, updated_at;
  bool pinned;
  int64_t sort_order;
  std::optional<int64_t> cover;
  std::shared_ptr<const ArticleText> t;  // shared with the publisher's cache
  size_t pos = 0;                        // index in its column's items (checked before use)
};

// A file's identity: equal while nobody replaced or changed it.
struct FileId {
  dev_t dev = 0;
  ino_t ino = 0;
  int64_t size = -1, mtime_ns = 0;
  static FileId Of(const struct stat& st) {
    return {st.st_dev, st.st_ino, static_cast<int64_t>(st.st_size),
            static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec};
  }
  bool operator==(const FileId&) const = default;
};

// The inputs a page is rendered from, hashed: equal inputs, equal bytes.
// Each value is length-prefixed, so that no two sequences hash alike.
class Inputs {
 public:
  Inputs& Str(std::string_view v) {
    s_ += std::to_string(v.size());
    s_ += ':';
    s_.append(v);
    return *this;
  }
  Inputs& Int(int64_t v) {
    s_ += std::to_string(v);
    s_ += ';';
    return *this;
  }
  std::string Hash() const { return Sha256(s_).substr(0, 32); }

 private:
  std::string s_;
};

// Runs fn("?,?,…", params) for ids in chunks of 500 (placeholders per
// statement stay well under both engines' limits).
Status ForIdChunks(const std::vector<int64_t>& ids,
                   const std::function<Status(const std::string&, const store::Params&)>& fn) {
  for (size_t i = 0; i < ids.size(); i += 500) {
    std::string in;
    store::Params params;
    for (size_t j = i; j < ids.size() && j < i + 500; ++j) {
      in += in.empty() ? "?" : ",?";
      params.emplace_back(std::in_place_type<int64_t>, ids[j]);
    }
    ZQ_TRY(fn(in, params));
  }
  return {};
}

struct Column {
  int64_t id;
  std::optional<int64_t> parent;
  std::string name, slug, type, update_class, link_url, description, keywords;
  bool visible;
  std::vector<size_t> items;  // indexes into Model::articles, in list order
};

}  // namespace

struct Publisher::Model {
  json site;  // template "site"
  std::string code, theme_name, domain;
  std::shared_ptr<const Theme> theme;
  std::vector<Column> columns;
  std::map<int64_t, size_t> column_index;
  std::vector<Article> articles;  // published, list order
  std::map<int64_t, size_t> article_index;
  std::map<int64_t, Media> media;
  int64_t newest = 0;
  std::string shared_inputs;  // Inputs of what every page shows (site, nav, theme)

  const Column* ColumnOf(int64_t id) const {
    auto it = column_index.find(id);
    return it == column_index.end() ? nullptr : &columns[it->second];
  }
};

// A site's manifest: path -> size and SHA-256 of every file (the "files"
// object of manifest.json), and for the list pages the hash of the inputs
// they were rendered from ("inputs"), so that a publish renders again only
// the pages whose inputs changed.
struct Publisher::Manifest {
  struct Entry {
    int64_t size = 0;
    std::string sha256;
    std::string inputs;
  };
  std::map<std::string, Entry> files;
};

struct Publisher::SiteCache {
  std::unordered_map<int64_t, std::shared_ptr<const ArticleText>> texts;
  FileId manifest_id;  // of the manifest.json `manifest` was read from or written to
  Manifest manifest;
};

namespace {

Publisher::Manifest ParseManifest(const std::string& text) {
  Publisher::Manifest m;
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("files") || !j["files"].is_object())
    return m;
  for (auto it = j["files"].begin(); it != j["files"].end(); ++it) {
    const json& e = it.value();
    if (!e.is_object() || !e.contains("size") || !e.contains("sha256")) continue;
    if (!e["size"].is_number_integer() || !e["sha256"].is_string()) continue;
    m.files[it.key()] = {e["size"].get<int64_t>(), e["sha256"].get<std::string>(), {}};
  }
  if (j.contains("inputs") && j["inputs"].is_object()) {
    for (auto it = j["inputs"].begin(); it != j["inputs"].end(); ++it) {
      auto f = m.files.find(it.key());
      if (f != m.files.end() && it.value().is_string()) f->second.inputs = it.value();
    }
  }
  return m;
}

// A JSON string: site paths are nearly always plain ASCII that needs no escaping.
std::string Quoted(const std::string& s) {
  bool plain = std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '/' ||
           c == '.' || c == '_' || c == '-';
  });
  return plain ? "\"" + s + "\"" : json(s).dump();
}

// manifest.json, one entry a line, in path order (deterministic).
std::string ManifestText(const std::string& code, const Publisher::Manifest& m) {
  std::string out = "{\n \"site\": " + json(code).dump() + ",\n \"files\": {";
  out.reserve(m.files.size() * 110 + 64);
  bool first = true;
  for (const auto& [path, e] : m.files) {
    out += first ? "\n  " : ",\n  ";
    first = false;
    out += Quoted(path);
    out += ": {\"size\": ";
    out += std::to_string(e.size);
    out += ", \"sha256\": \"";
    out += e.sha256;
    out += "\"}";
  }
  out += "\n },\n \"inputs\": {";
  first = true;
  for (const auto& [path, e] : m.files) {
    if (e.inputs.empty()) continue;
    out += first ? "\n  " : ",\n  ";
    first = false;
    out += Quoted(path);
    out += ": \"";
    out += e.inputs;
    out += "\"";
  }
  out += "\n }\n}\n";
  return out;
}

}  // namespace

Publisher::Publisher(store::Db& db, PublishOptions options)
    : db_(db), options_(std::move(options)), themes_(options_.themes_dir) {}

Publisher::~Publisher() = default;

std::string Publisher::SiteRoot(const std::string& code) const {
  return (fs::path(options_.data_dir) / "publish" / code).string();
}

Publisher::Manifest Publisher::TakeManifest(int64_t site_id, const std::string& dir) {
  const std::string path = (fs::path(dir) / "manifest.json").string();
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return {};
  const FileId id = FileId::Of(st);
  {
    std::lock_guard lock(cache_mu_);
    auto& c = cache_[site_id];
    if (!c) c = std::make_unique<SiteCache>();
    if (c->manifest_id == id) {
      c->manifest_id = FileId{};
      return std::move(c->manifest);
    }
  }
  std::string text;
  if (!ReadAll(path, text)) return {};
  return ParseManifest(text);
}

void Publisher::KeepManifest(int64_t site_id, const std::string& dir, Manifest&& m) {
  const std::string path = (fs::path(dir) / "manifest.json").string();
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return;
  std::lock_guard lock(cache_mu_);
  auto& c = cache_[site_id];
  if (!c) c = std::make_unique<SiteCache>();
  c->manifest = std::move(m);
  c->manifest_id = FileId::Of(st);
}

Result<std::unique_ptr<Publisher::Model>> Publisher::Load(int64_t site_id, const std::string& theme,
                                                          bool with_articles) {
  auto m = std::make_unique<Model>();
  auto st = db_.Read([&](Conn& c) -> Status {
    ZQ_ASSIGN_OR_RETURN(Row s,
                        c.QueryOne("SELECT id, code, name, theme, status, site_id_code, icp, "
                                   "police_record, sponsor, contact_name, contact_phone, "
                                   "contact_email FROM sites WHERE id = ?",
                                   {site_id}, "站点"));
    m->code = s.Text("code");
    m->theme_name = s.Text("theme");
    ZQ_ASSIGN_OR_RETURN(auto domains, c.Query("SELECT domain FROM site_domains WHERE site_id = ? "
                                              "ORDER BY position, domain",
                                              {site_id}));
    m->domain = domains.empty() ? m->code : domains.front().Text("domain");
    m->site = {
        {"name", s.Text("name")},
        {"code", m->code},
        {"domain", m->domain},
        {"base_url", ""},
        {"sponsor", s.Text("sponsor")},
        {"contact_name", s.Text("contact_name")},
        {"contact_phone", s.Text("contact_phone")},
        {"contact_email", s.Text("contact_email")},
        {"site_id_code", s.Text("site_id_code")},
        {"icp", s.Text("icp")},
        {"police_record", s.Text("police_record")},
        {"error_report_url", ""},
        {"has_site_id_code", !s.Text("site_id_code").empty()},
        {"has_icp", !s.Text("icp").empty()},
        {"has_police_record", !s.Text("police_record").empty()},
        {"has_contact", !s.Text("contact_phone").empty() || !s.Text("contact_email").empty()},
        {"has_sponsor", !s.Text("sponsor").empty()},
        {"has_contact_name", !s.Text("contact_name").empty()},
        {"has_contact_phone", !s.Text("contact_phone").empty()},
        {"has_contact_email", !s.Text("contact_email").empty()},
        {"has_error_report", false}};
    ZQ_ASSIGN_OR_RETURN(auto cols,
                        c.Query("SELECT id, parent_id, name, slug, type, update_class, link_url, "
                                "description, keywords, visible FROM columns WHERE site_id = ? "
                                "ORDER BY sort_order, id",
                                {site_id}));
    for (const auto& r : cols) {
      m->column_index[r.Int("id")] = m->columns.size();
      m->columns.push_back(Column{r.Int("id"),
                                  r.OptInt("parent_id"),
                                  r.Text("name"),
                                  r.Text("slug"),
                                  r.Text("type"),
                                  r.Text("update_class"),
                                  r.Text("link_url"),
                                  r.Text("description"),
                                  r.Text("keywords"),
                                  r.Int("visible") != 0,
                                  {}});
    }
    if (!with_articles) {
      ZQ_ASSIGN_OR_RETURN(m->newest, c.QueryInt("SELECT COALESCE(MAX(published_at), 0) FROM "
                                                "articles WHERE site_id = ? AND status = "
                                                "'published'",
                                                {site_id}));
      return {};
    }
    // The list order and what changes often; the texts come from the cache
    // when the article's version and update time are those cached (every
    // change to an article's text or attachments bumps both).
    // Sorted here: SQLite's ORDER BY over a temporary B-tree took 15 ms of a
    // 10,000-article site's 20.
    struct Listed {
      int64_t id, column_id, version, cover, pinned, sort_order, published_at, updated_at;
    };
    std::vector<Listed> arts;
    {
      ZQ_ASSIGN_OR_RETURN(auto rows,
                          c.Query("SELECT id, column_id, version, cover_media_id, pinned, "
                                  "sort_order, published_at, updated_at FROM articles WHERE "
                                  "site_id = ? AND status = 'published'",
                                  {site_id}));
      auto at = [](const Row& r, size_t i) -> int64_t {
        const auto* v = std::get_if<int64_t>(&r.values[i]);
        return v ? *v : 0;  // NULL cover: 0 (no media has id 0)
      };
      arts.reserve(rows.size());
      for (const auto& r : rows) {
        arts.push_back(
            {at(r, 0), at(r, 1), at(r, 2), at(r, 3), at(r, 4), at(r, 5), at(r, 6), at(r, 7)});
      }
      std::sort(arts.begin(), arts.end(), [](const Listed& a, const Listed& b) {
        return std::tie(a.pinned, a.sort_order, a.published_at, a.id) >
               std::tie(b.pinned, b.sort_order, b.published_at, b.id);
      });
    }
    std::vector<std::shared_ptr<const ArticleText>> texts(arts.size());  // as arts
    std::vector<int64_t> missing;
    std::unordered_map<int64_t, size_t> missing_at;  // id -> index in arts
    {
      std::lock_guard lock(cache_mu_);
      auto& cache = cache_[site_id];
      if (!cache) cache = std::make_unique<SiteCache>();
      for (size_t i = 0; i < arts.size(); ++i) {
        const Listed& r = arts[i];
        auto it = cache->texts.find(r.id);
        if (it != cache->texts.end() && it->second->version == r.version &&
            it->second->updated_at == r.updated_at) {
          texts[i] = it->second;
        } else {
          missing.push_back(r.id);
          missing_at[r.id] = i;
        }
      }
    }
    if (!missing.empty()) {
      std::unordered_map<int64_t, std::shared_ptr<ArticleText>> fetched;
      auto take = [&](const store::Rows& rows) {
        for (const auto& r : rows) {
          auto t = std::make_shared<ArticleText>();
          t->version = r.Int("version");
          t->updated_at = r.Int("updated_at");
          t->title = r.Text("title");
          t->subtitle = r.Text("subtitle");
          t->author = r.Text("author");
          t->source = r.Text("source");
          t->summary = r.Text("summary");
          fetched[r.Int("id")] = std::move(t);
        }
      };
      auto attach = [&](const store::Rows& rows) {
        for (const auto& r : rows) {
          auto it = fetched.find(r.Int("article_id"));
          if (it != fetched.end()) it->second->attachments.push_back(r.Int("media_id"));
        }
      };
      constexpr const char* kText =
          "SELECT id, version, updated_at, title, subtitle, author, source, summary FROM articles ";
      if (missing.size() * 4 > arts.size()) {
        ZQ_ASSIGN_OR_RETURN(
            auto rows,
            c.Query(std::string(kText) + "WHERE site_id = ? AND status = 'published'", {site_id}));
        take(rows);
        ZQ_ASSIGN_OR_RETURN(
            auto atts, c.Query("SELECT a.article_id, a.media_id FROM article_attachments a JOIN "
                               "articles x ON x.id = a.article_id WHERE x.site_id = ? AND "
                               "x.status = 'published' ORDER BY a.article_id, a.position",
                               {site_id}));
        attach(atts);
      } else {
        ZQ_TRY(
            ForIdChunks(missing, [&](const std::string& in, const store::Params& params) -> Status {
              ZQ_ASSIGN_OR_RETURN(auto rows,
                                  c.Query(std::string(kText) + "WHERE id IN (" + in + ")", params));
              take(rows);
              ZQ_ASSIGN_OR_RETURN(auto atts, c.Query("SELECT article_id, media_id FROM "
                                                     "article_attachments WHERE article_id IN (" +
                                                         in + ") ORDER BY article_id, position",
                                                     params));
              attach(atts);
              return {};
            }));
      }
      std::lock_guard lock(cache_mu_);
      auto& cache = cache_[site_id];
      // Drop texts of articles no longer published now and then.
      if (cache->texts.size() > arts.size() * 2 + 256) cache->texts.clear();
      for (auto& [id, t] : fetched) {
        auto at = missing_at.find(id);
        if (at == missing_at.end()) continue;  // (the whole-site query returns them all)
        cache->texts[id] = t;
        texts[at->second] = std::move(t);
      }
    }
    m->articles.reserve(arts.size());
    for (size_t i = 0; i < arts.size(); ++i) {
      const Listed& r = arts[i];
      if (!texts[i]) return Fail(Error::Internal("article text missing"));
      Article a{r.id,
                r.column_id,
                r.published_at,
                r.updated_at,
                r.pinned != 0,
                r.sort_order,
                r.cover ? std::optional<int64_t>(r.cover) : std::nullopt,
                std::move(texts[i]),
                0};
      m->newest = std::max(m->newest, a.published_at);
      m->article_index[a.id] = m->articles.size();
      auto col = m->column_index.find(a.column_id);
      if (col != m->column_index.end()) {
        a.pos = m->columns[col->second].items.size();
        m->columns[col->second].items.push_back(m->articles.size());
      }
      m->articles.push_back(std::move(a));
    }
    ZQ_ASSIGN_OR_RETURN(auto media, c.Query("SELECT id, hash, filename, mime, alt, size FROM media "
                                            "WHERE site_id = ?",
                                            {site_id}));
    for (const auto& r : media) {
      Media md{r.Int("id"),
               r.Text("hash"),
               r.Text("filename"),
               r.Text("mime"),
               r.Text("alt"),
               r.Int("size"),
               ""};
      md.url = MediaUrl(md.hash, md.mime, md.filename);
      m->media[md.id] = std::move(md);
    }
    return {};
  });
  if (!st) return Fail(std::move(st.error()));
  if (!theme.empty()) m->theme_name = theme;
  ZQ_ASSIGN_OR_RETURN(m->theme, themes_.Get(m->theme_name));
  m->site["theme_assets"] = "/_theme/" + m->theme_name;
  m->site["year"] = m->newest ? Date(m->newest).substr(0, 4) : "2026";
  // What every page shows besides its own content.
  Inputs in;
  in.Str(kRenderVersion).Str(kVersion).Str(m->theme->fingerprint()).Str(m->site.dump());
  for (const auto& c : m->columns) {
    in.Int(c.id).Int(c.parent.value_or(0)).Str(c.name).Str(c.slug).Str(c.type);
    in.Str(c.update_class).Str(c.link_url).Str(c.description).Str(c.keywords).Int(c.visible);
  }
  m->shared_inputs = in.Hash();
  return m;
}

namespace {

// Renders pages for one site from its model.
Value NewObject() { return Value(Value::type::object); }
Value NewList() { return Value(Value::type::list); }

// Appends an empty object to a list value and returns it to be filled in
// place: kainjow's push_back copies the whole value.
Value& Append(Value& list) {
  list.push_back(NewObject());
  return const_cast<Value&>(list.list_value().back());
}

int64_t MsSince(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t)
      .count();
}

// Nanoseconds since the previous lap.
class Stopwatch {
 public:
  int64_t Lap() {
    auto now = std::chrono::steady_clock::now();
    int64_t ns = std::chrono::duration_cast<std::chrono::nanoseconds>(now - last_).count();
    last_ = now;
    return ns;
  }

 private:
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
};

class Renderer {
 public:
  // What every page shares is built once here: the site, and the navigation
  // once for each column that can be current.
  Renderer(const Publisher::Model& m, store::Db& db)
      : m_(m), db_(db), site_name_(m.site["name"].get<std::string>()) {
    site_layer_["site"] = ToValue(m_.site);
    site_layer_["search_url"] = "/search";
    nav_none_["nav"] = NavList(nullptr);
    for (const auto& c : m_.columns) {
      std::string url = ColumnUrl(c);
      if (!navs_.count(url)) navs_[url]["nav"] = NavList(&url);
    }
  }

  std::string ColumnUrl(const Column& c) const {
    if (c.type == "link") return c.link_url;
    return "/" + c.slug + "/";
  }
  static std::string ListPageUrl(const Column& c, int page) {
    return page == 1 ? "/" + c.slug + "/" : "/" + c.slug + "/" + std::to_string(page) + ".html";
  }
  static std::string ListPagePath(const Column& c, int page) {
    return page == 1 ? "/" + c.slug + "/index.html"
                     : "/" + c.slug + "/" + std::to_string(page) + ".html";
  }
  static std::string ArticleUrl(int64_t id) { return "/a/" + std::to_string(id) + ".html"; }

  int PageCount(const Column& c) const {
    int size = m_.theme->list_page_size();
    return std::max<int>(1, static_cast<int>((c.items.size() + size - 1) / size));
  }

  // Everything List(c, page) uses beyond the shared inputs.
  std::string ListInputs(const Column& c, int page) const {
    Inputs in;
    in.Str("list").Str(m_.shared_inputs).Int(c.id).Int(page).Int(PageCount(c));
    in.Int(static_cast<int64_t>(c.items.size()));
    int size = m_.theme->list_page_size();
    for (size_t i = static_cast<size_t>((page - 1) * size);
         i < c.items.size() && i < static_cast<size_t>(page * size); ++i) {
      const Article& a = m_.articles[c.items[i]];
      in.Int(a.id).Str(a.t->title).Int(a.published_at).Int(a.pinned).Str(a.t->summary);
      const Media* cover = nullptr;
      if (a.cover) {
        auto it = m_.media.find(*a.cover);
        if (it != m_.media.end()) cover = &it->second;
      }
      in.Str(cover ? cover->url : "").Str(cover ? cover->alt : "");
    }
    return in.Hash();
  }

  Value Item(const Article& a) const {
    const Column* col = m_.ColumnOf(a.column_id);
    Value j = NewObject();
    j["title"] = a.t->title;
    j["url"] = ArticleUrl(a.id);
    j["date"] = Date(a.published_at);
    j["datetime"] = IsoTime(a.published_at);
    j["pinned"] = a.pinned;
    j["summary"] = a.t->summary;
    j["has_summary"] = !a.t->summary.empty();
    j["column_name"] = col ? col->name : "";
    SetCover(j, a);
    return j;
  }

  // "has_cover" and, when the article has one, "cover" {url, alt}.
  const Media* SetCover(Value& j, const Article& a) const {
    const Media* cover = nullptr;
    if (a.cover) {
      auto it = m_.media.find(*a.cover);
      if (it != m_.media.end()) cover = &it->second;
    }
    j["has_cover"] = cover != nullptr;
    if (cover) {
      Value c = NewObject();
      c["url"] = cover->url;
      c["alt"] = cover->alt;
      j["cover"] = std::move(c);
    }
    return cover;
  }

  // A page's own data: "page", "mode" and "breadcrumbs" (首页 first, then
  // `crumbs`, the last one marked). The site and the navigation are the
  // shared layers (Layers()).
  Value Base(const std::string& title, const std::string& path, const char* kind,
             std::initializer_list<std::pair<std::string, std::string>> crumbs = {}) const {
    std::string back = path;
    if (back.size() > 11 && back.substr(back.size() - 11) == "/index.html")
      back.resize(back.size() - 10);
    Value page = NewObject();
    page["title"] = title;
    page["description"] = "";
    page["keywords"] = "";
    page["path"] = path;
    Value& meta = page["meta"] = NewList();
    AddMeta(meta, "SiteName", site_name_);
    AddMeta(meta, "SiteDomain", m_.domain);
    AddMeta(meta, "SiteIDCode", m_.site["site_id_code"].get_ref<const std::string&>());
    const std::string_view k(kind);
    page["is_home"] = k == "home";
    page["is_list"] = k == "list";
    page["is_article"] = k == "article";
    page["is_page"] = k == "page";
    page["is_search"] = k == "search";
    page["is_404"] = k == "404";
    Value d = NewObject();
    d["page"] = std::move(page);
    Value& mode = d["mode"] = NewObject();
    mode["large_url"] = "/_zq/mode?set=large&back=" + back;
    mode["contrast_url"] = "/_zq/mode?set=contrast&back=" + back;
    mode["reset_url"] = "/_zq/mode?set=reset&back=" + back;
    Value& bc = d["breadcrumbs"] = NewList();
    Value& home = Append(bc);
    home["name"] = "首页";
    home["url"] = "/";
    home["last"] = crumbs.size() == 0;
    size_t i = 0;
    for (const auto& [name, url] : crumbs) {
      Value& c = Append(bc);
      c["name"] = name;
      c["url"] = url;
      c["last"] = ++i == crumbs.size();
    }
    return d;
  }

  static void AddMeta(Value& meta, const char* name, const std::string& content) {
    Value& m = Append(meta);
    m["name"] = name;
    m["content"] = content;
  }

  // The navigation layer, with the top-level column of `c` marked current
  // (none for pages outside the columns). The site is the layer under it.
  const Value* Nav(const Column* c) const {
    const Column* top = c;
    while (top && top->parent) {
      const Column* p = m_.ColumnOf(*top->parent);
      if (!p) break;
      top = p;
    }
    if (!top) return &nav_none_;
    auto it = navs_.find(ColumnUrl(*top));
    return it == navs_.end() ? &nav_none_ : &it->second;
  }

  void AddColumnMeta(Value& d, const Column& c) const {
    Value& page = d["page"];
    Value& meta = page["meta"];
    AddMeta(meta, "ColumnName", c.name);
    AddMeta(meta, "ColumnDescription", c.description);
    AddMeta(meta, "ColumnKeywords", c.keywords);
    static const std::map<std::string, std::string> kType = {{"news", "动态要闻"},
                                                             {"notice", "通知公告"},
                                                             {"planning", "规划计划"},
                                                             {"static", "基本信息"}};
    auto t = kType.find(c.update_class);
    AddMeta(meta, "ColumnType", t == kType.end() ? std::string() : t->second);
    page["description"] = c.description;
    page["keywords"] = c.keywords;
  }

  Result<std::string> Home() const {
    Value d = Base(site_name_, "/index.html", "home");
    Value& blocks = d["blocks"] = NewList();
    int per = m_.theme->home_items_per_column();
    for (const auto& c : m_.columns) {
      if (!c.visible || c.type != "list") continue;
      Value& b = Append(blocks);
      Value& col = b["column"] = NewObject();
      col["name"] = c.name;
      col["url"] = ColumnUrl(c);
      Value& items = b["items"] = NewList();
      for (size_t i = 0; i < c.items.size() && static_cast<int>(i) < per; ++i)
        Append(items) = Item(m_.articles[c.items[i]]);
      b["has_items"] = !c.items.empty();
    }
    // Headlines: the newest published items across the site.
    std::vector<size_t> order(m_.articles.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      if (m_.articles[a].published_at != m_.articles[b].published_at)
        return m_.articles[a].published_at > m_.articles[b].published_at;
      return m_.articles[a].id > m_.articles[b].id;
    });
    Value& headlines = d["headlines"] = NewList();
    for (size_t i = 0; i < order.size() && i < 5; ++i)
      Append(headlines) = Item(m_.articles[order[i]]);
    d["has_headlines"] = !order.empty();
    return m_.theme->Render("home", {&d, Nav(nullptr), &site_layer_});
  }

  Result<std::string> List(const Column& c, int page) const {
    int pages = PageCount(c);
    std::string title =
        c.name + (page > 1 ? "（第" + std::to_string(page) + "页）" : "") + " - " + site_name_;
    Value d = Base(title, ListPagePath(c, page), "list", {{c.name, ColumnUrl(c)}});
    AddColumnMeta(d, c);
    int size = m_.theme->list_page_size();
    Value& items = d["items"] = NewList();
    bool any = false;
    for (size_t i = static_cast<size_t>((page - 1) * size);
         i < c.items.size() && i < static_cast<size_t>(page * size); ++i) {
      Append(items) = Item(m_.articles[c.items[i]]);
      any = true;
    }
    Value& pag = d["pagination"] = NewObject();
    pag["current"] = std::to_string(page);
    pag["total_pages"] = std::to_string(pages);
    pag["total_items"] = std::to_string(c.items.size());
    pag["has_prev"] = page > 1;
    pag["has_next"] = page < pages;
    pag["prev_url"] = page > 1 ? ListPageUrl(c, page - 1) : "";
    pag["next_url"] = page < pages ? ListPageUrl(c, page + 1) : "";
    Value& nums = pag["pages"] = NewList();
    for (int p = 1; p <= pages; ++p) {
      // A window of pages around the current one keeps each page's bytes
      // independent of far-away pages.
      if (pages > 9 && std::abs(p - page) > 3 && p != 1 && p != pages) continue;
      Value& n = Append(nums);
      n["number"] = std::to_string(p);
      n["url"] = ListPageUrl(c, p);
      n["current"] = p == page;
    }
    Value& col = d["column"] = NewObject();
    col["name"] = c.name;
    col["description"] = c.description;
    col["url"] = ColumnUrl(c);
    col["update_class"] = c.update_class;
    col["has_description"] = !c.description.empty();
    d["has_items"] = any;
    d["has_pagination"] = pages > 1;
    return m_.theme->Render("list", {&d, Nav(&c), &site_layer_});
  }

  static std::string PrepareBody(std::string body) {
    auto replace_all = [&](const std::string& from, const std::string& to) {
      for (size_t p = 0; (p = body.find(from, p)) != std::string::npos; p += to.size())
        body.replace(p, from.size(), to);
    };
    // The page's title is its only h1.
    replace_all("<h1", "<h2");
    replace_all("</h1>", "</h2>");
    // Images without alt get an empty one (decorative) rather than none.
    for (size_t p = 0; (p = body.find("<img", p)) != std::string::npos; p += 4) {
      size_t end = body.find('>', p);
      if (end == std::string::npos) break;
      if (body.substr(p, end - p).find(" alt=") == std::string::npos)
        body.insert(p + 4, " alt=\"\"");
    }
    replace_all("<table",
                "<div class=\"table-wrap\" role=\"region\" tabindex=\"0\" "
                "aria-label=\"表格（可左右滚动）\"><table");
    replace_all("</table>", "</table></div>");
    return body;
  }

  // "article": the article's fields and its prepared body.
  Value ArticleData(const Article& a, const std::string& body, const Media** cover) const {
    Value j = NewObject();
    j["title"] = a.t->title;
    j["subtitle"] = a.t->subtitle;
    j["author"] = a.t->author;
    j["source"] = a.t->source;
    j["has_subtitle"] = !a.t->subtitle.empty();
    j["has_author"] = !a.t->author.empty();
    j["has_source"] = !a.t->source.empty();
    j["date"] = Date(a.published_at);
    j["datetime"] = IsoTime(a.published_at);
    j["url"] = ArticleUrl(a.id);
    j["body"] = body;
    j["summary"] = a.t->summary;
    j["has_attachments"] = !a.t->attachments.empty();
    Value& files = j["attachments"] = NewList();
    for (int64_t mid : a.t->attachments) {
      auto it = m_.media.find(mid);
      if (it == m_.media.end()) continue;
      Value& f = Append(files);
      f["name"] = it->second.filename;
      f["url"] = it->second.url;
      f["size_text"] = SizeText(it->second.size);
    }
    const Media* c = SetCover(j, a);
    if (cover) *cover = c;
    return j;
  }

  Result<std::string> ArticlePage(const Article& a, const std::string& raw_body) const {
    const Column* c = m_.ColumnOf(a.column_id);
    if (!c) return Fail(Error::Internal("article without column"));
    const std::string url = ArticleUrl(a.id);
    Value d = Base(a.t->title + " - " + site_name_, url, "article",
                   {{c->name, ColumnUrl(*c)}, {a.t->title, url}});
    const std::string body = PrepareBody(raw_body);
    const Media* cover = nullptr;
    d["article"] = ArticleData(a, body, &cover);
    Value& col = d["column"] = NewObject();
    col["name"] = c->name;
    col["url"] = ColumnUrl(*c);
    Value& page = d["page"];
    Value& meta = page["meta"];
    std::string desc = a.t->summary.empty() ? Cut(StripTags(raw_body), 80) : a.t->summary;
    const std::string date = Date(a.published_at);
    AddMeta(meta, "ArticleTitle", a.t->title);
    AddMeta(meta, "PubDate", date);
    AddMeta(meta, "ContentSource", a.t->source);
    AddMeta(meta, "Keywords", c->keywords);
    AddMeta(meta, "Author", a.t->author);
    AddMeta(meta, "Description", desc);
    AddMeta(meta, "Image", cover ? cover->url : std::string());
    AddMeta(meta, "Url", url);
    page["description"] = std::move(desc);
    // Neighbours in list order.
    const bool at_pos = a.pos < c->items.size() && m_.articles[c->items[a.pos]].id == a.id;
    for (size_t i = at_pos ? a.pos : 0; i < c->items.size(); ++i) {
      if (m_.articles[c->items[i]].id != a.id) continue;
      if (i > 0) d["prev"] = Link(m_.articles[c->items[i - 1]]);
      if (i + 1 < c->items.size()) d["next"] = Link(m_.articles[c->items[i + 1]]);
      break;
    }
    return m_.theme->Render("article", {&d, Nav(c), &site_layer_});
  }

  static Value Link(const Article& a) {
    Value l = NewObject();
    l["title"] = a.t->title;
    l["url"] = ArticleUrl(a.id);
    return l;
  }

  Result<std::string> SinglePage(const Column& c, const std::string* body) const {
    Value d =
        Base(c.name + " - " + site_name_, ListPagePath(c, 1), "page", {{c.name, ColumnUrl(c)}});
    AddColumnMeta(d, c);
    Value& col = d["column"] = NewObject();
    col["name"] = c.name;
    col["url"] = ColumnUrl(c);
    col["description"] = c.description;
    col["has_description"] = !c.description.empty();
    if (body && !c.items.empty()) {
      d["article"] = ArticleData(m_.articles[c.items.front()], PrepareBody(*body), nullptr);
    }
    return m_.theme->Render("page", {&d, Nav(&c), &site_layer_});
  }

  Result<std::string> NotFound() const {
    Value d = Base("页面不存在 - " + site_name_, "/404.html", "404", {{"页面不存在", "/404.html"}});
    return m_.theme->Render("404", {&d, Nav(nullptr), &site_layer_});
  }

  Result<std::string> Search(const json& extra) const {
    Value d = Base("搜索 - " + site_name_, "/search", "search", {{"站内搜索", "/search"}});
    for (auto it = extra.begin(); it != extra.end(); ++it) d[it.key()] = ToValue(it.value());
    auto q = extra.find("query");
    d["has_query"] =
        q != extra.end() && q->is_string() && !q->get_ref<const std::string&>().empty();
    return m_.theme->Render("search", {&d, Nav(nullptr), &site_layer_});
  }

  std::string Rss(const Column& c) const {
    std::string base = "http://" + m_.domain;
    std::string out =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel>\n<title>" +
        XmlEscape(c.name + " - " + site_name_) + "</title>\n<link>" +
        XmlEscape(base + ColumnUrl(c)) + "</link>\n<description>" + XmlEscape(c.description) +
        "</description>\n<language>zh-CN</language>\n";
    for (size_t i = 0; i < c.items.size() && i < 20; ++i) {
      const Article& a = m_.articles[c.items[i]];
      out += "<item><title>" + XmlEscape(a.t->title) + "</title><link>" +
             XmlEscape(base + ArticleUrl(a.id)) + "</link><guid>" +
             XmlEscape(base + ArticleUrl(a.id)) + "</guid><pubDate>" + Rfc822(a.published_at) +
             "</pubDate>" +
             (a.t->summary.empty() ? ""
                                   : "<description>" + XmlEscape(a.t->summary) + "</description>") +
             "</item>\n";
    }
    return out + "</channel></rss>\n";
  }

  std::string Sitemap() const {
    std::string base = "http://" + m_.domain;
    std::string out =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset "
        "xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n";
    out += "<url><loc>" + XmlEscape(base + "/") + "</loc></url>\n";
    for (const auto& c : m_.columns) {
      if (c.type == "link") continue;
      out += "<url><loc>" + XmlEscape(base + ColumnUrl(c)) + "</loc></url>\n";
    }
    std::vector<const Article*> by_id;
    for (const auto& a : m_.articles) by_id.push_back(&a);
    std::sort(by_id.begin(), by_id.end(), [](auto* a, auto* b) { return a->id < b->id; });
    // Article URLs need no escaping beyond the site's base.
    const std::string loc = "<url><loc>" + XmlEscape(base) + "/a/";
    out.reserve(out.size() + by_id.size() * (loc.size() + 48));
    for (const Article* a : by_id) {
      out += loc;
      out += std::to_string(a->id);
      out += ".html</loc><lastmod>";
      out += Date(std::max(a->published_at, a->updated_at));
      out += "</lastmod></url>\n";
    }
    return out + "</urlset>\n";
  }

  // Bodies for a set of article ids (one query).
  Result<std::map<int64_t, std::string>> Bodies(const std::vector<int64_t>& ids) const {
    std::map<int64_t, std::string> out;
    if (ids.empty()) return out;
    auto st = db_.Read([&](Conn& c) -> Status {
      return ForIdChunks(ids, [&](const std::string& in, const store::Params& params) -> Status {
        ZQ_ASSIGN_OR_RETURN(
            auto rows, c.Query("SELECT id, body FROM articles WHERE id IN (" + in + ")", params));
        for (const auto& r : rows) out[r.Int("id")] = r.Text("body");
        return {};
      });
    });
    if (!st) return Fail(std::move(st.error()));
    return out;
  }

 private:
  // The visible top-level columns; those linking to `current` marked current.
  Value NavList(const std::string* current) const {
    Value nav = NewList();
    for (const auto& c : m_.columns) {
      if (!c.visible || c.parent) continue;
      Value& n = Append(nav);
      n["name"] = c.name;
      n["url"] = ColumnUrl(c);
      n["external"] = c.type == "link";
      n["current"] = current && ColumnUrl(c) == *current;
    }
    return nav;
  }

  const Publisher::Model& m_;
  store::Db& db_;
  const std::string site_name_;
  Value site_layer_;                   // {site, search_url}
  Value nav_none_;                     // {nav} with no column current
  std::map<std::string, Value> navs_;  // column URL -> {nav} with it current
};

using FileMap = std::map<std::string, std::string>;  // site path -> bytes

// Media referenced from bodies as /_media/ab/<hash>.<ext>.
void CollectBodyMedia(const std::string& body, std::set<std::string>& hashes) {
  auto hex = [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); };
  constexpr std::string_view kPrefix = "/_media/";
  for (size_t p = 0; (p = body.find(kPrefix, p)) != std::string::npos; p += kPrefix.size()) {
    const size_t d = p + kPrefix.size();  // "ab/<64 hex>."
    if (d + 68 > body.size() || !hex(body[d]) || !hex(body[d + 1]) || body[d + 2] != '/' ||
        body[d + 67] != '.') {
      continue;
    }
    if (std::all_of(body.begin() + static_cast<std::ptrdiff_t>(d + 3),
                    body.begin() + static_cast<std::ptrdiff_t>(d + 67), hex)) {
      hashes.insert(body.substr(d + 3, 64));
    }
  }
}

std::vector<SearchDoc> Docs(const Publisher::Model& m, const std::map<int64_t, std::string>& bodies,
                            const std::vector<size_t>& which) {
  std::vector<SearchDoc> docs;
  for (size_t i : which) {
    const auto& a = m.articles[i];
    const Column* c = m.ColumnOf(a.column_id);
    auto b = bodies.find(a.id);
    SearchDoc d;
    d.id = a.id;
    d.title = a.t->title;
    d.body_text = b == bodies.end() ? "" : StripTags(b->second);
    d.column_name = c ? c->name : "";
    d.url = "/a/" + std::to_string(a.id) + ".html";
    d.date = Date(a.published_at);
    d.published_at = a.published_at;
    d.column_id = a.column_id;
    docs.push_back(std::move(d));
  }
  return docs;
}

}  // namespace

Result<PublishReport> Publisher::PublishSiteByCode(const std::string& code) {
  auto id = db_.ReadValue<int64_t>([&](Conn& c) -> Result<int64_t> {
    ZQ_ASSIGN_OR_RETURN(Row r, c.QueryOne("SELECT id FROM sites WHERE code = ?", {code}, "站点"));
    return r.Int("id");
  });
  if (!id) return Fail(std::move(id.error()));
  return PublishSite(*id);
}

Result<PublishReport> Publisher::PublishSite(int64_t site_id) {
  auto t0 = std::chrono::steady_clock::now();
  std::lock_guard lock(site_mu_);
  ZQ_ASSIGN_OR_RETURN(std::unique_ptr<Model> m, Load(site_id));
  Renderer r(*m, db_);
  PublishReport rep;
  rep.site_code = m->code;
  std::vector<int64_t> ids;
  for (const auto& a : m->articles) ids.push_back(a.id);
  ZQ_ASSIGN_OR_RETURN(const auto bodies, r.Bodies(ids));
  rep.load_ms = MsSince(t0);
  static const std::string kNoBody;
  auto body_of = [&](int64_t id) -> const std::string& {
    auto it = bodies.find(id);
    return it == bodies.end() ? kNoBody : it->second;
  };

  // The search index is rebuilt on its own thread while the pages render.
  std::future<void> indexing;
  struct Join {
    std::future<void>& f;
    ~Join() {
      if (f.valid()) f.wait();
    }
  } join{indexing};
  if (on_index) {
    indexing = std::async(std::launch::async, [&] {
      std::vector<size_t> all(m->articles.size());
      for (size_t i = 0; i < all.size(); ++i) all[i] = i;
      on_index(m->code, Docs(*m, bodies, all), true, {});
    });
  }

  // Every file of the new version: rendered pages, then files copied as they
  // are (theme assets and the media the pages use).
  struct Job {
    enum Kind { kHome, kNotFound, kSitemap, kList, kRss, kPage, kArticle, kCopy } kind;
    std::string path;
    const Column* col = nullptr;
    int page = 0;
    const Article* article = nullptr;
    fs::path src;
    std::string inputs;  // list pages: what they are rendered from
  };
  std::vector<Job> jobs;
  auto add = [&jobs](Job::Kind kind, std::string path, const Column* col = nullptr, int page = 0,
                     const Article* article = nullptr, fs::path src = {}, std::string inputs = {}) {
    jobs.push_back(
        Job{kind, std::move(path), col, page, article, std::move(src), std::move(inputs)});
  };
  add(Job::kHome, "/index.html");
  add(Job::kNotFound, "/404.html");
  add(Job::kSitemap, "/sitemap.xml");
  for (const auto& c : m->columns) {
    if (c.type == "list") {
      for (int p = 1; p <= r.PageCount(c); ++p) {
        add(Job::kList, Renderer::ListPagePath(c, p), &c, p, nullptr, {}, r.ListInputs(c, p));
      }
      add(Job::kRss, "/" + c.slug + "/rss.xml", &c);
    } else if (c.type == "page") {
      add(Job::kPage, Renderer::ListPagePath(c, 1), &c);
    }
  }
  std::set<std::string> used_hashes;
  for (const auto& a : m->articles) {
    add(Job::kArticle, Renderer::ArticleUrl(a.id), nullptr, 0, &a);
    CollectBodyMedia(body_of(a.id), used_hashes);
    if (a.cover) {
      auto it = m->media.find(*a.cover);
      if (it != m->media.end()) used_hashes.insert(it->second.hash);
    }
    for (int64_t mid : a.t->attachments) {
      auto it = m->media.find(mid);
      if (it != m->media.end()) used_hashes.insert(it->second.hash);
    }
  }
  const size_t rendered = jobs.size();
  std::error_code ec;
  {
    std::map<std::string, fs::path> copies;
    fs::path assets = fs::path(m->theme->dir()) / "assets";
    for (auto it = fs::recursive_directory_iterator(assets, ec); !ec && it != fs::end(it);
         it.increment(ec)) {
      if (!it->is_regular_file()) continue;
      std::string rel = fs::relative(it->path(), assets).generic_string();
      if (rel.empty() || rel[0] == '.') continue;
      copies["/_theme/" + m->theme_name + "/" + rel] = it->path();
    }
    for (const auto& [id, md] : m->media) {
      if (!used_hashes.count(md.hash)) continue;
      copies[md.url] =
          fs::path(options_.data_dir) / "media" / md.hash.substr(0, 2) / md.hash.substr(2);
    }
    for (auto& [path, src] : copies) add(Job::kCopy, path, nullptr, 0, nullptr, src);
  }
  rep.pages = static_cast<int64_t>(rendered);

  // Build the new version next to the live one.
  fs::path publish_dir = fs::path(options_.data_dir) / "publish";
  fs::path versions = publish_dir / ".versions" / m->code;
  fs::create_directories(versions, ec);
  fs::path live = publish_dir / m->code;
  fs::path current = fs::is_symlink(live, ec) ? fs::read_symlink(live, ec) : fs::path();
  if (!current.empty() && current.is_relative()) current = publish_dir / current;
  const Manifest old = current.empty() ? Manifest{} : TakeManifest(site_id, current.string());
  int64_t seq = 1;
  for (const auto& e : fs::directory_iterator(versions, ec)) {
    try {
      seq = std::max<int64_t>(seq, std::stoll(e.path().filename().string()) + 1);
    } catch (...) {
    }
  }
  fs::path next = versions / std::to_string(seq);
  fs::remove_all(next, ec);
  fs::create_directories(next, ec);
  {
    std::set<fs::path> dirs;
    for (const auto& j : jobs) dirs.insert((next / j.path.substr(1)).parent_path());
    for (const auto& d : dirs) fs::create_directories(d, ec);
  }

  std::vector<Manifest::Entry> entries(jobs.size());
  std::vector<char> written(jobs.size(), 0);
  const int brotli_quality = options_.brotli_quality;
  auto make = [&](const Job& j) -> Result<std::string> {
    switch (j.kind) {
      case Job::kHome:
        return r.Home();
      case Job::kNotFound:
        return r.NotFound();
      case Job::kSitemap:
        return r.Sitemap();
      case Job::kList:
        return r.List(*j.col, j.page);
      case Job::kRss:
        return r.Rss(*j.col);
      case Job::kPage: {
        const std::string* body =
            j.col->items.empty() ? nullptr : &body_of(m->articles[j.col->items.front()].id);
        return r.SinglePage(*j.col, body);
      }
      case Job::kArticle:
        return r.ArticlePage(*j.article, body_of(j.article->id));
      case Job::kCopy: {
        std::string data;
        if (!ReadAll(j.src, data)) return Fail(Error::Internal("read " + j.src.string()));
        return data;
      }
    }
    return Fail(Error::Internal("unknown job"));
  };
  std::atomic<int64_t> render_ns{0}, compress_ns{0}, write_ns{0};
  auto place = [&](size_t i) -> Status {
    const Job& j = jobs[i];
    const std::string rel = j.path.substr(1);
    const std::string dest = (next / rel).string();
    auto prev_it = current.empty() ? old.files.end() : old.files.find(j.path);
    const Manifest::Entry* prev = prev_it == old.files.end() ? nullptr : &prev_it->second;
    // Unchanged files are hard links to the previous version's.
    auto link_prev = [&]() -> bool {
      const std::string from = (current / rel).string();
      if (::link(from.c_str(), dest.c_str()) != 0) return false;
      for (const char* ext : {".gz", ".br"}) {
        (void)::link((from + ext).c_str(), (dest + ext).c_str());
      }
      return true;
    };
    if (prev && !j.inputs.empty() && prev->inputs == j.inputs && link_prev()) {
      entries[i] = *prev;
      return {};
    }
    Stopwatch sw;
    ZQ_ASSIGN_OR_RETURN(std::string bytes, make(j));
    entries[i] = {static_cast<int64_t>(bytes.size()), Sha256(bytes), j.inputs};
    render_ns += sw.Lap();
    if (prev && prev->sha256 == entries[i].sha256 && link_prev()) return {};
    written[i] = 1;
    std::string gz, br;
    if (Compressible(j.path) && bytes.size() >= 256) {
      gz = Gzip(bytes);
      br = Brotli(bytes, brotli_quality);
      compress_ns += sw.Lap();
    }
    ZQ_TRY(WriteFileNew(dest, bytes));
    if (!gz.empty()) ZQ_TRY(WriteFileNew(dest + ".gz", gz));
    if (!br.empty()) ZQ_TRY(WriteFileNew(dest + ".br", br));
    write_ns += sw.Lap();
    return {};
  };
  {
    // Pages are independent: render, hash, compress and write them on every core.
    int threads = options_.threads > 0 ? options_.threads
                                       : static_cast<int>(std::thread::hardware_concurrency());
    threads = std::clamp(threads, 1, 16);
    std::atomic<size_t> next_job{0};
    std::atomic<bool> failed{false};
    std::mutex err_mu;
    std::optional<Error> first_error;
    auto work = [&] {
      for (size_t i; !failed && (i = next_job.fetch_add(1)) < jobs.size();) {
        Status st = place(i);
        if (!st) {
          std::lock_guard l(err_mu);
          if (!first_error) first_error = std::move(st.error());
          failed = true;
        }
      }
    };
    std::vector<std::thread> pool;
    for (int t = 1; t < threads; ++t) pool.emplace_back(work);
    work();
    for (auto& t : pool) t.join();
    if (first_error) {
      fs::remove_all(next, ec);
      return Fail(std::move(*first_error));
    }
  }
  // Files an operator put into /.well-known/ (security.txt, ACME tokens) are
  // not the publisher's: the new version keeps them (hard links).
  if (!current.empty() && fs::is_directory(current / ".well-known", ec)) {
    fs::copy(current / ".well-known", next / ".well-known",
             fs::copy_options::recursive | fs::copy_options::create_hard_links, ec);
    if (ec) spdlog::warn("publish {}: .well-known not carried over: {}", m->code, ec.message());
  }
  Manifest manifest;
  for (size_t i = 0; i < jobs.size(); ++i) {
    manifest.files[jobs[i].path] = std::move(entries[i]);
    if (written[i]) rep.written.push_back(jobs[i].path);
  }
  std::sort(rep.written.begin(), rep.written.end());
  for (const auto& [path, e] : old.files) {
    if (!manifest.files.count(path)) rep.removed.push_back(path);
  }
  ZQ_TRY(WriteFileNew((next / "manifest.json").string(), ManifestText(m->code, manifest)));
  rep.render_ms = render_ns / 1'000'000;
  rep.compress_ms = compress_ns / 1'000'000;
  rep.write_ms = write_ns / 1'000'000;
  // Everything of the new version on disk before it goes live.
  const auto sync_start = std::chrono::steady_clock::now();
  int dfd = ::open(next.c_str(), O_RDONLY | O_DIRECTORY);
  if (dfd >= 0) {
    ::syncfs(dfd);
    ::close(dfd);
  }
  rep.sync_ms = MsSince(sync_start);
  fs::path tmp_link = publish_dir / ("." + m->code + ".link");
  fs::remove(tmp_link, ec);
  fs::create_directory_symlink(fs::path(".versions") / m->code / std::to_string(seq), tmp_link, ec);
  if (ec) return Fail(Error::Internal("symlink: " + ec.message()));
  if (fs::exists(live, ec) && !fs::is_symlink(live, ec)) {
    // An older layout kept a plain directory: move it aside once.
    fs::rename(live, versions / "legacy", ec);
  }
  fs::rename(tmp_link, live, ec);
  if (ec) return Fail(Error::Internal("swap: " + ec.message()));
  // Keep the previous version for a quick rollback; drop older ones.
  for (const auto& e : fs::directory_iterator(versions, ec)) {
    std::string name = e.path().filename().string();
    if (name == std::to_string(seq) || (!current.empty() && e.path() == current)) continue;
    fs::remove_all(e.path(), ec);
  }
  rep.files = static_cast<int64_t>(manifest.files.size());
  KeepManifest(site_id, next.string(), std::move(manifest));
  if (indexing.valid()) indexing.get();
  if (on_published) on_published(m->code);
  rep.ms = MsSince(t0);
  return rep;
}

Result<PublishReport> Publisher::PublishArticle(int64_t article_id) {
  auto t0 = std::chrono::steady_clock::now();
  auto loc = db_.ReadValue<std::pair<int64_t, int64_t>>(
      [&](Conn& c) -> Result<std::pair<int64_t, int64_t>> {
        ZQ_ASSIGN_OR_RETURN(
            Row r, c.QueryOne("SELECT site_id, column_id FROM articles WHERE id = ?", {article_id},
                              "信息"));
        return std::make_pair(r.Int("site_id"), r.Int("column_id"));
      });
  if (!loc) return Fail(std::move(loc.error()));
  std::string code;
  {
    auto c = db_.ReadValue<std::string>([&](Conn& cn) -> Result<std::string> {
      ZQ_ASSIGN_OR_RETURN(Row r,
                          cn.QueryOne("SELECT code FROM sites WHERE id = ?", {loc->first}, "站点"));
      return r.Text("code");
    });
    if (!c) return Fail(std::move(c.error()));
    code = *c;
  }
  fs::path live = SiteRoot(code);
  std::error_code ec;
  // Not published yet, or an interrupted incremental publish: do it whole.
  if (!fs::is_symlink(live, ec) || fs::exists(live / "manifest.next", ec))
    return PublishSite(loc->first);

  std::lock_guard lock(site_mu_);
  ZQ_ASSIGN_OR_RETURN(std::unique_ptr<Model> m, Load(loc->first));
  Renderer r(*m, db_);
  PublishReport rep;
  rep.site_code = m->code;
  const Column* col = m->ColumnOf(loc->second);
  FileMap files;
  std::vector<std::string> gone;
  auto ai = m->article_index.find(article_id);
  bool published = ai != m->article_index.end();
  // The article and its neighbours (their prev/next links), the column's
  // pages and feed, the home page and the sitemap.
  std::vector<int64_t> render_ids;
  if (col) {
    for (size_t i = 0; i < col->items.size(); ++i) {
      if (m->articles[col->items[i]].id != article_id) continue;
      render_ids.push_back(article_id);
      if (i > 0) render_ids.push_back(m->articles[col->items[i - 1]].id);
      if (i + 1 < col->items.size()) render_ids.push_back(m->articles[col->items[i + 1]].id);
    }
  }
  Manifest manifest = TakeManifest(loc->first, live.string());
  if (!published) {
    gone.push_back(Renderer::ArticleUrl(article_id));
    // Its former neighbours: every article page of the column whose links may change.
    if (col) {
      for (size_t idx : col->items) render_ids.push_back(m->articles[idx].id);
    }
  }
  ZQ_ASSIGN_OR_RETURN(auto bodies, r.Bodies(render_ids));
  for (int64_t id : render_ids) {
    const Article& a = m->articles[m->article_index.at(id)];
    ZQ_ASSIGN_OR_RETURN(files[Renderer::ArticleUrl(id)], r.ArticlePage(a, bodies[id]));
  }
  std::map<std::string, std::string> inputs;  // list pages rendered: path -> inputs
  ZQ_ASSIGN_OR_RETURN(files["/index.html"], r.Home());
  files["/sitemap.xml"] = r.Sitemap();
  if (col && col->type == "list") {
    int pages = r.PageCount(*col);
    for (int p = 1; p <= pages; ++p) {
      // Only the pages whose items (or anything else they show) changed.
      std::string path = Renderer::ListPagePath(*col, p);
      std::string in = r.ListInputs(*col, p);
      auto it = manifest.files.find(path);
      if (it != manifest.files.end() && it->second.inputs == in) continue;
      ZQ_ASSIGN_OR_RETURN(files[path], r.List(*col, p));
      inputs[path] = std::move(in);
    }
    for (int p = pages + 1;; ++p) {
      std::string path = Renderer::ListPagePath(*col, p);
      if (!manifest.files.count(path)) break;
      gone.push_back(path);
    }
    files["/" + col->slug + "/rss.xml"] = r.Rss(*col);
  } else if (col && col->type == "page") {
    std::map<int64_t, std::string> page_body;
    if (!col->items.empty()) {
      ZQ_ASSIGN_OR_RETURN(page_body, r.Bodies({m->articles[col->items.front()].id}));
    }
    const std::string* b =
        col->items.empty() ? nullptr : &page_body[m->articles[col->items.front()].id];
    ZQ_ASSIGN_OR_RETURN(files[Renderer::ListPagePath(*col, 1)], r.SinglePage(*col, b));
  }
  rep.pages = static_cast<int64_t>(files.size());
  // Media the article uses that is not yet published.
  std::map<std::string, fs::path> copies;
  if (published) {
    const Article& a = m->articles[ai->second];
    std::set<std::string> hashes;
    auto b = bodies.find(article_id);
    if (b != bodies.end()) CollectBodyMedia(b->second, hashes);
    if (a.cover && m->media.count(*a.cover)) hashes.insert(m->media[*a.cover].hash);
    for (int64_t mid : a.t->attachments)
      if (m->media.count(mid)) hashes.insert(m->media[mid].hash);
    for (const auto& [id, md] : m->media) {
      if (hashes.count(md.hash) && !manifest.files.count(md.url)) {
        copies[md.url] =
            fs::path(options_.data_dir) / "media" / md.hash.substr(0, 2) / md.hash.substr(2);
      }
    }
  }
  // The manifest is updated in place (taken out of the cache: if this
  // publish fails, the next one reads the file again).
  Manifest& next = manifest;
  std::vector<std::pair<std::string, std::string>> to_write;  // path, bytes
  for (auto& [path, bytes] : files) {
    std::string hash = Sha256(bytes);
    auto& e = next.files[path];
    auto in = inputs.find(path);
    if (in != inputs.end()) e.inputs = in->second;
    if (e.sha256 == hash) continue;
    e.size = static_cast<int64_t>(bytes.size());
    e.sha256 = std::move(hash);
    to_write.emplace_back(path, std::move(bytes));
  }
  for (const auto& [path, src] : copies) {
    std::string data;
    if (!ReadAll(src, data)) return Fail(Error::Internal("read " + src.string()));
    next.files[path] = {static_cast<int64_t>(data.size()), Sha256(data), {}};
    to_write.emplace_back(path, std::move(data));
  }
  for (const auto& g : gone) {
    if (next.files.erase(g)) rep.removed.push_back(g);
  }
  // Stage the manifest first: if this publish dies, the next one sees
  // manifest.next and redoes the site whole.
  ZQ_TRY(WriteFileAtomic((live / "manifest.next").string(), ManifestText(code, next)));
  // Each file is renamed into place whole; one syncfs below makes the lot
  // durable, instead of an fsync per file (10 ms each on a busy disk).
  for (const auto& [path, bytes] : to_write) {
    std::string dest = (live / path.substr(1)).string();
    if (Compressible(path) && bytes.size() >= 256) {
      std::string gz = Gzip(bytes);
      if (!gz.empty()) ZQ_TRY(WriteFileAtomic(dest + ".gz", gz, false));
      std::string br = Brotli(bytes, options_.brotli_quality);
      if (!br.empty()) ZQ_TRY(WriteFileAtomic(dest + ".br", br, false));
    }
    ZQ_TRY(WriteFileAtomic(dest, bytes, false));
    rep.written.push_back(path);
  }
  for (const auto& g : rep.removed) {
    fs::path p = live / g.substr(1);
    fs::remove(p, ec);
    fs::remove(p.string() + ".gz", ec);
    fs::remove(p.string() + ".br", ec);
  }
  fs::rename(live / "manifest.next", live / "manifest.json", ec);
  if (ec) return Fail(Error::Internal("manifest: " + ec.message()));
  if (int dfd = ::open(live.c_str(), O_RDONLY | O_DIRECTORY); dfd >= 0) {
    ::syncfs(dfd);
    ::close(dfd);
  }
  rep.files = static_cast<int64_t>(next.files.size());
  KeepManifest(loc->first, live.string(), std::move(next));
  if (on_index) {
    std::vector<size_t> which;
    if (published) which.push_back(ai->second);
    on_index(code, Docs(*m, bodies, which), false,
             published ? std::vector<int64_t>{} : std::vector<int64_t>{article_id});
  }
  if (on_published) on_published(code);
  rep.ms = MsSince(t0);
  return rep;
}

Result<std::vector<int64_t>> Publisher::PublishDue(int64_t now_ms) {
  auto due = db_.WriteValue<std::vector<int64_t>>([&](Conn& c) -> Result<std::vector<int64_t>> {
    ZQ_ASSIGN_OR_RETURN(auto rows, c.Query("SELECT id FROM articles WHERE status = 'approved' AND "
                                           "publish_at IS NOT NULL AND publish_at <= ? ORDER BY id",
                                           {now_ms}));
    std::vector<int64_t> ids;
    for (const auto& r : rows) {
      int64_t id = r.Int("id");
      ZQ_TRY(
          c.Exec("UPDATE articles SET status = 'published', published_at = publish_at, "
                 "publish_at = NULL, updated_at = ? WHERE id = ? AND status = 'approved'",
                 {now_ms, id}));
      ids.push_back(id);
    }
    return ids;
  });
  if (!due) return due;
  for (int64_t id : *due) {
    auto r = PublishArticle(id);
    if (!r) return Fail(std::move(r.error()));
  }
  return due;
}

Result<std::string> Publisher::RenderSearchPage(const std::string& site_code, const json& extra) {
  auto id = db_.ReadValue<int64_t>([&](Conn& c) -> Result<int64_t> {
    ZQ_ASSIGN_OR_RETURN(Row r,
                        c.QueryOne("SELECT id FROM sites WHERE code = ?", {site_code}, "站点"));
    return r.Int("id");
  });
  if (!id) return Fail(std::move(id.error()));
  ZQ_ASSIGN_OR_RETURN(std::unique_ptr<Model> m, Load(*id, "", /*with_articles=*/false));
  Renderer r(*m, db_);
  return r.Search(extra);
}

Result<std::string> Publisher::RenderPreview(int64_t site_id, const json& spec) {
  std::string theme = spec.value("theme", "");
  auto loaded = Load(site_id, theme);
  if (!loaded) {
    Error e = std::move(loaded.error());
    if (e.code == Code::kInvalidArgument) {
      std::string where = e.field.empty() || e.field == "theme" ? "" : "（" + e.field + "）";
      return Fail(Error::Invalid("theme", "主题不可用：" + e.message + where));
    }
    return Fail(std::move(e));
  }
  std::unique_ptr<Model> m = std::move(*loaded);
  std::string body;
  const Article* shown = nullptr;
  if (spec.contains("article") && spec["article"].is_object()) {
    const json& j = spec["article"];
    auto text = std::make_shared<ArticleText>();
    text->title = j["title"].get<std::string>();
    text->subtitle = j["subtitle"].get<std::string>();
    text->author = j["author"].get<std::string>();
    text->source = j["source"].get<std::string>();
    text->summary = j["summary"].get<std::string>();
    text->attachments = j["attachments"].get<std::vector<int64_t>>();
    Article a{j["id"].get<int64_t>(),
              j["column_id"].get<int64_t>(),
              j["published_at"].get<int64_t>(),
              j["published_at"].get<int64_t>(),
              j["pinned"].get<bool>(),
              j["sort_order"].get<int64_t>(),
              j["cover_media_id"].is_number_integer()
                  ? std::optional<int64_t>(j["cover_media_id"].get<int64_t>())
                  : std::nullopt,
              std::move(text),
              0};
    body = j["body"].get<std::string>();
    // The unsaved version takes the stored one's place in the lists (or
    // heads its column when it is not published yet).
    auto old = m->article_index.find(a.id);
    if (a.id != 0 && old != m->article_index.end()) {
      size_t idx = old->second;
      if (m->articles[idx].column_id != a.column_id) {
        auto from = m->column_index.find(m->articles[idx].column_id);
        if (from != m->column_index.end()) std::erase(m->columns[from->second].items, idx);
        auto to = m->column_index.find(a.column_id);
        if (to != m->column_index.end()) {
          auto& items = m->columns[to->second].items;
          items.insert(items.begin(), idx);
        }
      }
      m->articles[idx] = a;
      shown = &m->articles[idx];
    } else {
      size_t idx = m->articles.size();
      m->articles.push_back(a);
      m->article_index[a.id] = idx;
      auto to = m->column_index.find(a.column_id);
      if (to != m->column_index.end()) {
        auto& items = m->columns[to->second].items;
        items.insert(items.begin(), idx);
      }
      shown = &m->articles[idx];
    }
  }
  Renderer r(*m, db_);
  std::string page = spec.value("page", "home");
  if (page == "home") return r.Home();
  if (page == "article") {
    if (!shown) return Fail(Error::Invalid("article", "预览信息页需要提供 article"));
    const Column* c = m->ColumnOf(shown->column_id);
    if (c && c->type == "page") return r.SinglePage(*c, &body);
    return r.ArticlePage(*shown, body);
  }
  const Column* c = m->ColumnOf(spec.value("column_id", int64_t{0}));
  if (!c || c->type == "link") return Fail(Error::Invalid("page", "page 中的栏目不是本站点的栏目"));
  if (c->type == "list") return r.List(*c, 1);
  std::map<int64_t, std::string> stored;
  const std::string* page_body = nullptr;
  if (!c->items.empty()) {
    int64_t first = m->articles[c->items.front()].id;
    if (shown && first == shown->id) {
      page_body = &body;
    } else {
      ZQ_ASSIGN_OR_RETURN(stored, r.Bodies({first}));
      page_body = &stored[first];
    }
  }
  return r.SinglePage(*c, page_body);
}

std::vector<Publisher::ThemeInfo> Publisher::ListThemes() {
  std::vector<ThemeInfo> out;
  std::error_code ec;
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(options_.themes_dir, ec)) {
    std::string name = e.path().filename().string();
    if (name.empty() || name[0] == '.' || !e.is_directory(ec)) continue;
    names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  for (const auto& name : names) {
    ThemeInfo info;
    info.name = name;
    info.title = name;
    auto t = themes_.Get(name);
    if (t) {
      info.ok = true;
      info.title = (*t)->title();
      info.description = (*t)->description();
    } else {
      info.error =
          t.error().field.empty() ? t.error().message : t.error().field + "：" + t.error().message;
    }
    out.push_back(std::move(info));
  }
  return out;
}

}  // namespace zhanqun::publish
