#include "publish/publisher.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "core/text.h"
#include "publish/files.h"

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

std::string Date(int64_t ms) { return FormatTime(ms, kShanghaiOffsetMs, "%Y-%m-%d"); }
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

struct Article {
  int64_t id, column_id, published_at, updated_at;
  bool pinned;
  int64_t sort_order;
  std::string title, subtitle, author, source, summary;
  std::optional<int64_t> cover;
  std::vector<int64_t> attachments;
};

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

  const Column* ColumnOf(int64_t id) const {
    auto it = column_index.find(id);
    return it == column_index.end() ? nullptr : &columns[it->second];
  }
};

Publisher::Publisher(store::Db& db, PublishOptions options)
    : db_(db), options_(std::move(options)), themes_(options_.themes_dir) {}

Publisher::~Publisher() = default;

std::string Publisher::SiteRoot(const std::string& code) const {
  return (fs::path(options_.data_dir) / "publish" / code).string();
}

Result<std::unique_ptr<Publisher::Model>> Publisher::Load(int64_t site_id,
                                                          const std::string& theme) {
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
    ZQ_ASSIGN_OR_RETURN(auto arts,
                        c.Query("SELECT id, column_id, title, subtitle, author, source, summary, "
                                "cover_media_id, pinned, sort_order, published_at, updated_at "
                                "FROM articles WHERE site_id = ? AND status = 'published' ORDER BY "
                                "pinned DESC, sort_order DESC, published_at DESC, id DESC",
                                {site_id}));
    for (const auto& r : arts) {
      Article a{r.Int("id"),
                r.Int("column_id"),
                r.Int("published_at"),
                r.Int("updated_at"),
                r.Int("pinned") != 0,
                r.Int("sort_order"),
                r.Text("title"),
                r.Text("subtitle"),
                r.Text("author"),
                r.Text("source"),
                r.Text("summary"),
                r.OptInt("cover_media_id"),
                {}};
      m->newest = std::max(m->newest, a.published_at);
      m->article_index[a.id] = m->articles.size();
      auto col = m->column_index.find(a.column_id);
      if (col != m->column_index.end()) m->columns[col->second].items.push_back(m->articles.size());
      m->articles.push_back(std::move(a));
    }
    ZQ_ASSIGN_OR_RETURN(auto atts,
                        c.Query("SELECT a.article_id, a.media_id FROM article_attachments a JOIN "
                                "articles x ON x.id = a.article_id WHERE x.site_id = ? AND "
                                "x.status = 'published' ORDER BY a.article_id, a.position",
                                {site_id}));
    for (const auto& r : atts) {
      auto it = m->article_index.find(r.Int("article_id"));
      if (it != m->article_index.end())
        m->articles[it->second].attachments.push_back(r.Int("media_id"));
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
  return m;
}

namespace {

// Renders pages for one site from its model.
class Renderer {
 public:
  Renderer(const Publisher::Model& m, store::Db& db) : m_(m), db_(db) {}

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

  json Item(const Article& a) const {
    const Column* col = m_.ColumnOf(a.column_id);
    json j = {{"title", a.title},
              {"url", ArticleUrl(a.id)},
              {"date", Date(a.published_at)},
              {"datetime", IsoTime(a.published_at)},
              {"pinned", a.pinned},
              {"summary", a.summary},
              {"has_summary", !a.summary.empty()},
              {"column_name", col ? col->name : ""},
              {"has_cover", false}};
    if (a.cover) {
      auto it = m_.media.find(*a.cover);
      if (it != m_.media.end()) {
        j["has_cover"] = true;
        j["cover"] = {{"url", it->second.url}, {"alt", it->second.alt}};
      }
    }
    return j;
  }

  json Base(const std::string& title, const std::string& path, const char* kind) const {
    json nav = json::array();
    for (const auto& c : m_.columns) {
      if (!c.visible || c.parent) continue;
      nav.push_back({{"name", c.name},
                     {"url", ColumnUrl(c)},
                     {"external", c.type == "link"},
                     {"current", false}});
    }
    std::string back = path;
    if (back.size() > 11 && back.substr(back.size() - 11) == "/index.html")
      back.resize(back.size() - 10);
    json meta = json::array({{{"name", "SiteName"}, {"content", m_.site["name"]}},
                             {{"name", "SiteDomain"}, {"content", m_.domain}},
                             {{"name", "SiteIDCode"}, {"content", m_.site["site_id_code"]}}});
    json page = {{"title", title},
                 {"description", ""},
                 {"keywords", ""},
                 {"path", path},
                 {"meta", meta},
                 {"is_home", std::string(kind) == "home"},
                 {"is_list", std::string(kind) == "list"},
                 {"is_article", std::string(kind) == "article"},
                 {"is_page", std::string(kind) == "page"},
                 {"is_search", std::string(kind) == "search"},
                 {"is_404", std::string(kind) == "404"}};
    return {
        {"site", m_.site},
        {"nav", nav},
        {"page", page},
        {"mode",
         {{"large_url", "/_zq/mode?set=large&back=" + back},
          {"contrast_url", "/_zq/mode?set=contrast&back=" + back},
          {"reset_url", "/_zq/mode?set=reset&back=" + back}}},
        {"search_url", "/search"},
        {"breadcrumbs",
         json::array({{{"name", "首页"}, {"url", "/"}, {"last", kind == std::string("home")}}})}};
  }

  void MarkNav(json& d, const Column& c) const {
    const Column* top = &c;
    while (top->parent) {
      const Column* p = m_.ColumnOf(*top->parent);
      if (!p) break;
      top = p;
    }
    for (auto& n : d["nav"]) n["current"] = n["url"] == ColumnUrl(*top);
  }

  void AddColumnMeta(json& d, const Column& c) const {
    d["page"]["meta"].push_back({{"name", "ColumnName"}, {"content", c.name}});
    d["page"]["meta"].push_back({{"name", "ColumnDescription"}, {"content", c.description}});
    d["page"]["meta"].push_back({{"name", "ColumnKeywords"}, {"content", c.keywords}});
    static const std::map<std::string, std::string> kType = {{"news", "动态要闻"},
                                                             {"notice", "通知公告"},
                                                             {"planning", "规划计划"},
                                                             {"static", "基本信息"}};
    auto t = kType.find(c.update_class);
    d["page"]["meta"].push_back(
        {{"name", "ColumnType"}, {"content", t == kType.end() ? "" : t->second}});
    d["page"]["description"] = c.description;
    d["page"]["keywords"] = c.keywords;
  }

  Result<std::string> Home() const {
    json d = Base(m_.site["name"].get<std::string>(), "/index.html", "home");
    json blocks = json::array();
    int per = m_.theme->home_items_per_column();
    for (const auto& c : m_.columns) {
      if (!c.visible || c.type != "list") continue;
      json items = json::array();
      for (size_t i = 0; i < c.items.size() && static_cast<int>(i) < per; ++i)
        items.push_back(Item(m_.articles[c.items[i]]));
      blocks.push_back({{"column", {{"name", c.name}, {"url", ColumnUrl(c)}}},
                        {"items", items},
                        {"has_items", !items.empty()}});
    }
    // Headlines: the newest published items across the site.
    std::vector<size_t> order(m_.articles.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      if (m_.articles[a].published_at != m_.articles[b].published_at)
        return m_.articles[a].published_at > m_.articles[b].published_at;
      return m_.articles[a].id > m_.articles[b].id;
    });
    json headlines = json::array();
    for (size_t i = 0; i < order.size() && i < 5; ++i)
      headlines.push_back(Item(m_.articles[order[i]]));
    d["blocks"] = blocks;
    d["headlines"] = headlines;
    d["has_headlines"] = !headlines.empty();
    return m_.theme->Render("home", d);
  }

  Result<std::string> List(const Column& c, int page) const {
    int pages = PageCount(c);
    std::string title = c.name + (page > 1 ? "（第" + std::to_string(page) + "页）" : "") + " - " +
                        m_.site["name"].get<std::string>();
    json d = Base(title, ListPagePath(c, page), "list");
    MarkNav(d, c);
    AddColumnMeta(d, c);
    d["breadcrumbs"][0]["last"] = false;
    d["breadcrumbs"].push_back({{"name", c.name}, {"url", ColumnUrl(c)}, {"last", true}});
    int size = m_.theme->list_page_size();
    json items = json::array();
    for (size_t i = static_cast<size_t>((page - 1) * size);
         i < c.items.size() && i < static_cast<size_t>(page * size); ++i) {
      items.push_back(Item(m_.articles[c.items[i]]));
    }
    json pag = {{"current", page},
                {"total_pages", pages},
                {"total_items", c.items.size()},
                {"has_prev", page > 1},
                {"has_next", page < pages},
                {"prev_url", page > 1 ? ListPageUrl(c, page - 1) : ""},
                {"next_url", page < pages ? ListPageUrl(c, page + 1) : ""},
                {"pages", json::array()}};
    for (int p = 1; p <= pages; ++p) {
      // A window of pages around the current one keeps each page's bytes
      // independent of far-away pages.
      if (pages > 9 && std::abs(p - page) > 3 && p != 1 && p != pages) continue;
      pag["pages"].push_back({{"number", p}, {"url", ListPageUrl(c, p)}, {"current", p == page}});
    }
    d["column"] = {{"name", c.name},
                   {"description", c.description},
                   {"url", ColumnUrl(c)},
                   {"update_class", c.update_class},
                   {"has_description", !c.description.empty()}};
    d["items"] = items;
    d["has_items"] = !items.empty();
    d["pagination"] = pag;
    d["has_pagination"] = pages > 1;
    return m_.theme->Render("list", d);
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

  Result<json> ArticleData(const Article& a, const std::string& raw_body) const {
    std::string body = PrepareBody(raw_body);
    json j = {{"title", a.title},
              {"subtitle", a.subtitle},
              {"author", a.author},
              {"source", a.source},
              {"has_subtitle", !a.subtitle.empty()},
              {"has_author", !a.author.empty()},
              {"has_source", !a.source.empty()},
              {"date", Date(a.published_at)},
              {"datetime", IsoTime(a.published_at)},
              {"url", ArticleUrl(a.id)},
              {"body", body},
              {"summary", a.summary},
              {"has_attachments", !a.attachments.empty()},
              {"attachments", json::array()},
              {"has_cover", false}};
    for (int64_t mid : a.attachments) {
      auto it = m_.media.find(mid);
      if (it == m_.media.end()) continue;
      j["attachments"].push_back({{"name", it->second.filename},
                                  {"url", it->second.url},
                                  {"size_text", SizeText(it->second.size)}});
    }
    if (a.cover) {
      auto it = m_.media.find(*a.cover);
      if (it != m_.media.end()) {
        j["has_cover"] = true;
        j["cover"] = {{"url", it->second.url}, {"alt", it->second.alt}};
      }
    }
    return j;
  }

  Result<std::string> ArticlePage(const Article& a, const std::string& body) const {
    const Column* c = m_.ColumnOf(a.column_id);
    if (!c) return Fail(Error::Internal("article without column"));
    json d =
        Base(a.title + " - " + m_.site["name"].get<std::string>(), ArticleUrl(a.id), "article");
    MarkNav(d, *c);
    d["breadcrumbs"][0]["last"] = false;
    d["breadcrumbs"].push_back({{"name", c->name}, {"url", ColumnUrl(*c)}, {"last", false}});
    d["breadcrumbs"].push_back({{"name", a.title}, {"url", ArticleUrl(a.id)}, {"last", true}});
    ZQ_ASSIGN_OR_RETURN(json art, ArticleData(a, body));
    d["article"] = art;
    d["column"] = {{"name", c->name}, {"url", ColumnUrl(*c)}};
    auto& meta = d["page"]["meta"];
    std::string desc = a.summary.empty() ? Cut(StripTags(body), 80) : a.summary;
    meta.push_back({{"name", "ArticleTitle"}, {"content", a.title}});
    meta.push_back({{"name", "PubDate"}, {"content", Date(a.published_at)}});
    meta.push_back({{"name", "ContentSource"}, {"content", a.source}});
    meta.push_back({{"name", "Keywords"}, {"content", c->keywords}});
    meta.push_back({{"name", "Author"}, {"content", a.author}});
    meta.push_back({{"name", "Description"}, {"content", desc}});
    meta.push_back(
        {{"name", "Image"}, {"content", art["has_cover"].get<bool>() ? art["cover"]["url"] : ""}});
    meta.push_back({{"name", "Url"}, {"content", ArticleUrl(a.id)}});
    d["page"]["description"] = desc;
    // Neighbours in list order.
    for (size_t i = 0; i < c->items.size(); ++i) {
      if (m_.articles[c->items[i]].id != a.id) continue;
      if (i > 0) {
        const Article& p = m_.articles[c->items[i - 1]];
        d["prev"] = {{"title", p.title}, {"url", ArticleUrl(p.id)}};
      }
      if (i + 1 < c->items.size()) {
        const Article& n = m_.articles[c->items[i + 1]];
        d["next"] = {{"title", n.title}, {"url", ArticleUrl(n.id)}};
      }
    }
    return m_.theme->Render("article", d);
  }

  Result<std::string> SinglePage(const Column& c, const std::string* body) const {
    json d = Base(c.name + " - " + m_.site["name"].get<std::string>(), ListPagePath(c, 1), "page");
    MarkNav(d, c);
    AddColumnMeta(d, c);
    d["breadcrumbs"][0]["last"] = false;
    d["breadcrumbs"].push_back({{"name", c.name}, {"url", ColumnUrl(c)}, {"last", true}});
    d["column"] = {{"name", c.name},
                   {"url", ColumnUrl(c)},
                   {"description", c.description},
                   {"has_description", !c.description.empty()}};
    if (body && !c.items.empty()) {
      ZQ_ASSIGN_OR_RETURN(json art, ArticleData(m_.articles[c.items.front()], *body));
      d["article"] = art;
    }
    return m_.theme->Render("page", d);
  }

  Result<std::string> NotFound() const {
    json d = Base("页面不存在 - " + m_.site["name"].get<std::string>(), "/404.html", "404");
    d["breadcrumbs"][0]["last"] = false;
    d["breadcrumbs"].push_back({{"name", "页面不存在"}, {"url", "/404.html"}, {"last", true}});
    return m_.theme->Render("404", d);
  }

  Result<std::string> Search(const json& extra) const {
    json d = Base("搜索 - " + m_.site["name"].get<std::string>(), "/search", "search");
    d["breadcrumbs"][0]["last"] = false;
    d["breadcrumbs"].push_back({{"name", "站内搜索"}, {"url", "/search"}, {"last", true}});
    for (auto it = extra.begin(); it != extra.end(); ++it) d[it.key()] = it.value();
    d["has_query"] = d.contains("query") && !d["query"].get<std::string>().empty();
    return m_.theme->Render("search", d);
  }

  std::string Rss(const Column& c) const {
    std::string base = "http://" + m_.domain;
    std::string out =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel>\n<title>" +
        XmlEscape(c.name + " - " + m_.site["name"].get<std::string>()) + "</title>\n<link>" +
        XmlEscape(base + ColumnUrl(c)) + "</link>\n<description>" + XmlEscape(c.description) +
        "</description>\n<language>zh-CN</language>\n";
    for (size_t i = 0; i < c.items.size() && i < 20; ++i) {
      const Article& a = m_.articles[c.items[i]];
      out += "<item><title>" + XmlEscape(a.title) + "</title><link>" +
             XmlEscape(base + ArticleUrl(a.id)) + "</link><guid>" +
             XmlEscape(base + ArticleUrl(a.id)) + "</guid><pubDate>" + Rfc822(a.published_at) +
             "</pubDate>" +
             (a.summary.empty() ? "" : "<description>" + XmlEscape(a.summary) + "</description>") +
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
    for (const Article* a : by_id) {
      out += "<url><loc>" + XmlEscape(base + ArticleUrl(a->id)) + "</loc><lastmod>" +
             Date(std::max(a->published_at, a->updated_at)) + "</lastmod></url>\n";
    }
    return out + "</urlset>\n";
  }

  // Bodies for a set of article ids (one query).
  Result<std::map<int64_t, std::string>> Bodies(const std::vector<int64_t>& ids) const {
    std::map<int64_t, std::string> out;
    if (ids.empty()) return out;
    auto st = db_.Read([&](Conn& c) -> Status {
      for (size_t i = 0; i < ids.size(); i += 500) {
        std::string in;
        store::Params params;
        for (size_t j = i; j < ids.size() && j < i + 500; ++j) {
          in += in.empty() ? "?" : ",?";
          params.push_back(ids[j]);
        }
        ZQ_ASSIGN_OR_RETURN(
            auto rows, c.Query("SELECT id, body FROM articles WHERE id IN (" + in + ")", params));
        for (const auto& r : rows) out[r.Int("id")] = r.Text("body");
      }
      return {};
    });
    if (!st) return Fail(std::move(st.error()));
    return out;
  }

 private:
  const Publisher::Model& m_;
  store::Db& db_;
};

using FileMap = std::map<std::string, std::string>;  // site path -> bytes

json ReadManifest(const fs::path& root) {
  std::string text;
  if (!ReadAll(root / "manifest.json", text)) return json::object();
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.contains("files")) return json::object();
  return j["files"];
}

std::string ManifestText(const std::string& code, const json& files) {
  json m = {{"site", code}, {"files", files}};
  return m.dump(1) + "\n";
}

// Media referenced from bodies as /_media/ab/<hash>.<ext>.
void CollectBodyMedia(const std::string& body, std::set<std::string>& hashes) {
  static const std::regex kRef("/_media/[0-9a-f]{2}/([0-9a-f]{64})\\.");
  for (std::sregex_iterator it(body.begin(), body.end(), kRef), end; it != end; ++it) {
    hashes.insert((*it)[1]);
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
    d.title = a.title;
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
  FileMap files;
  std::vector<int64_t> ids;
  for (const auto& a : m->articles) ids.push_back(a.id);
  ZQ_ASSIGN_OR_RETURN(auto bodies, r.Bodies(ids));
  ZQ_ASSIGN_OR_RETURN(files["/index.html"], r.Home());
  ZQ_ASSIGN_OR_RETURN(files["/404.html"], r.NotFound());
  files["/sitemap.xml"] = r.Sitemap();
  for (const auto& c : m->columns) {
    if (c.type == "list") {
      for (int p = 1; p <= r.PageCount(c); ++p) {
        ZQ_ASSIGN_OR_RETURN(files[Renderer::ListPagePath(c, p)], r.List(c, p));
      }
      files["/" + c.slug + "/rss.xml"] = r.Rss(c);
    } else if (c.type == "page") {
      const std::string* body = nullptr;
      if (!c.items.empty()) body = &bodies[m->articles[c.items.front()].id];
      ZQ_ASSIGN_OR_RETURN(files[Renderer::ListPagePath(c, 1)], r.SinglePage(c, body));
    }
  }
  std::set<std::string> used_hashes;
  for (const auto& a : m->articles) {
    const std::string& body = bodies[a.id];
    ZQ_ASSIGN_OR_RETURN(files[Renderer::ArticleUrl(a.id)], r.ArticlePage(a, body));
    CollectBodyMedia(body, used_hashes);
    if (a.cover) {
      auto it = m->media.find(*a.cover);
      if (it != m->media.end()) used_hashes.insert(it->second.hash);
    }
    for (int64_t mid : a.attachments) {
      auto it = m->media.find(mid);
      if (it != m->media.end()) used_hashes.insert(it->second.hash);
    }
  }
  rep.pages = static_cast<int64_t>(files.size());
  // Files copied as they are: theme assets and the media the pages use.
  std::map<std::string, fs::path> copies;
  std::error_code ec;
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

  // Build the new version next to the live one.
  fs::path publish_dir = fs::path(options_.data_dir) / "publish";
  fs::path versions = publish_dir / ".versions" / m->code;
  fs::create_directories(versions, ec);
  fs::path live = publish_dir / m->code;
  fs::path current = fs::is_symlink(live, ec) ? fs::read_symlink(live, ec) : fs::path();
  if (!current.empty() && current.is_relative()) current = publish_dir / current;
  json old_manifest = current.empty() ? json::object() : ReadManifest(current);
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
  json manifest = json::object();
  auto place = [&](const std::string& path, const std::string* bytes,
                   const fs::path* src) -> Status {
    std::string data;
    if (bytes == nullptr) {
      if (!ReadAll(*src, data)) return Fail(Error::Internal("read " + src->string()));
      bytes = &data;
    }
    std::string hash = Sha256(*bytes);
    manifest[path] = {{"size", bytes->size()}, {"sha256", hash}};
    fs::path dest = next / path.substr(1);
    fs::create_directories(dest.parent_path(), ec);
    bool same =
        !current.empty() && old_manifest.contains(path) && old_manifest[path]["sha256"] == hash;
    if (same) {
      std::error_code lec;
      fs::create_hard_link(current / path.substr(1), dest, lec);
      if (!lec) {
        for (const char* ext : {".gz", ".br"}) {
          fs::path variant = current / (path.substr(1) + ext);
          if (fs::exists(variant, lec)) fs::create_hard_link(variant, dest.string() + ext, lec);
        }
        return {};
      }
    } else {
      rep.written.push_back(path);
    }
    {
      std::ofstream out(dest, std::ios::binary);
      out.write(bytes->data(), static_cast<std::streamsize>(bytes->size()));
      if (!out)
        return Fail(Error{Code::kUnavailable, "写入发布文件失败（磁盘已满？）", "", dest.string()});
    }
    if (Compressible(path) && bytes->size() >= 256) {
      std::ofstream(dest.string() + ".gz", std::ios::binary) << Gzip(*bytes);
      std::string br = Brotli(*bytes);
      if (!br.empty()) std::ofstream(dest.string() + ".br", std::ios::binary) << br;
    }
    return {};
  };
  for (const auto& [path, bytes] : files) ZQ_TRY(place(path, &bytes, nullptr));
  for (const auto& [path, src] : copies) ZQ_TRY(place(path, nullptr, &src));
  for (auto it = old_manifest.begin(); it != old_manifest.end(); ++it) {
    if (!manifest.contains(it.key())) rep.removed.push_back(it.key());
  }
  {
    std::ofstream out(next / "manifest.json", std::ios::binary);
    out << ManifestText(m->code, manifest);
  }
  // Everything of the new version on disk before it goes live.
  int dfd = ::open(next.c_str(), O_RDONLY | O_DIRECTORY);
  if (dfd >= 0) {
    ::syncfs(dfd);
    ::close(dfd);
  }
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
  rep.files = static_cast<int64_t>(manifest.size());
  if (on_index) {
    std::vector<size_t> all(m->articles.size());
    for (size_t i = 0; i < all.size(); ++i) all[i] = i;
    on_index(m->code, Docs(*m, bodies, all), true, {});
  }
  if (on_published) on_published(m->code);
  rep.ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
          .count();
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
  json manifest = ReadManifest(live);
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
  ZQ_ASSIGN_OR_RETURN(files["/index.html"], r.Home());
  files["/sitemap.xml"] = r.Sitemap();
  if (col && col->type == "list") {
    int pages = r.PageCount(*col);
    for (int p = 1; p <= pages; ++p) {
      ZQ_ASSIGN_OR_RETURN(files[Renderer::ListPagePath(*col, p)], r.List(*col, p));
    }
    for (int p = pages + 1;; ++p) {
      std::string path = Renderer::ListPagePath(*col, p);
      if (!manifest.contains(path)) break;
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
    for (int64_t mid : a.attachments)
      if (m->media.count(mid)) hashes.insert(m->media[mid].hash);
    for (const auto& [id, md] : m->media) {
      if (hashes.count(md.hash) && !manifest.contains(md.url)) {
        copies[md.url] =
            fs::path(options_.data_dir) / "media" / md.hash.substr(0, 2) / md.hash.substr(2);
      }
    }
  }
  json next = manifest;
  std::vector<std::pair<std::string, std::string>> to_write;  // path, bytes
  for (auto& [path, bytes] : files) {
    std::string hash = Sha256(bytes);
    if (manifest.contains(path) && manifest[path]["sha256"] == hash) continue;
    next[path] = {{"size", bytes.size()}, {"sha256", hash}};
    to_write.emplace_back(path, std::move(bytes));
  }
  for (const auto& [path, src] : copies) {
    std::string data;
    if (!ReadAll(src, data)) return Fail(Error::Internal("read " + src.string()));
    next[path] = {{"size", data.size()}, {"sha256", Sha256(data)}};
    to_write.emplace_back(path, std::move(data));
  }
  for (const auto& g : gone) {
    if (next.contains(g)) {
      next.erase(g);
      rep.removed.push_back(g);
    }
  }
  // Stage the manifest first: if this publish dies, the next one sees
  // manifest.next and redoes the site whole.
  ZQ_TRY(WriteFileAtomic((live / "manifest.next").string(), ManifestText(code, next)));
  // Each file is renamed into place whole; one syncfs below makes the lot
  // durable, instead of an fsync per file (10 ms each on a busy disk).
  for (const auto& [path, bytes] : to_write) {
    std::string dest = (live / path.substr(1)).string();
    if (Compressible(path) && bytes.size() >= 256) {
      ZQ_TRY(WriteFileAtomic(dest + ".gz", Gzip(bytes), false));
      std::string br = Brotli(bytes);
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
  rep.files = static_cast<int64_t>(next.size());
  if (on_index) {
    std::vector<size_t> which;
    if (published) which.push_back(ai->second);
    on_index(code, Docs(*m, bodies, which), false,
             published ? std::vector<int64_t>{} : std::vector<int64_t>{article_id});
  }
  if (on_published) on_published(code);
  rep.ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
          .count();
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
  ZQ_ASSIGN_OR_RETURN(std::unique_ptr<Model> m, Load(*id));
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
    Article a{j["id"].get<int64_t>(),
              j["column_id"].get<int64_t>(),
              j["published_at"].get<int64_t>(),
              j["published_at"].get<int64_t>(),
              j["pinned"].get<bool>(),
              j["sort_order"].get<int64_t>(),
              j["title"].get<std::string>(),
              j["subtitle"].get<std::string>(),
              j["author"].get<std::string>(),
              j["source"].get<std::string>(),
              j["summary"].get<std::string>(),
              j["cover_media_id"].is_number_integer()
                  ? std::optional<int64_t>(j["cover_media_id"].get<int64_t>())
                  : std::nullopt,
              j["attachments"].get<std::vector<int64_t>>()};
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
