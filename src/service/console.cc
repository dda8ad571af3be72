// What the admin console needs beyond plain CRUD: the 工作台 aggregates, a
// site's members, preview requests and media access on the admin listener.
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <set>

#include "content/sanitizer.h"
#include "core/text.h"
#include "service/internal.h"

namespace zhanqun::service {

using namespace internal;
namespace fs = std::filesystem;

namespace {

constexpr int64_t kShanghaiOffsetMs = 8 * 3600 * 1000;

// [start, end) of the calendar month containing now, in Asia/Shanghai (UTC+8,
// no daylight saving).
std::pair<int64_t, int64_t> MonthOf(int64_t now_ms) {
  using namespace std::chrono;
  sys_time<milliseconds> local{milliseconds(now_ms + kShanghaiOffsetMs)};
  year_month_day ymd{floor<days>(local)};
  year_month first = ymd.year() / ymd.month();
  sys_days start{first / 1};
  sys_days end{(first + months(1)) / 1};
  auto ms = [](sys_days d) {
    return duration_cast<milliseconds>(d.time_since_epoch()).count() - kShanghaiOffsetMs;
  };
  return {ms(start), ms(end)};
}

std::string InList(const std::vector<int64_t>& ids, store::Params& params) {
  std::string in;
  for (int64_t id : ids) {
    in += in.empty() ? "?" : ", ?";
    params.emplace_back(id);
  }
  return in;
}

// Errors of a nested object name the member as "article.<field>".
Error Nested(Error e, const std::string& prefix) {
  e.field = e.field.empty() ? prefix : prefix + "." + e.field;
  return e;
}

}  // namespace

Result<json> Service::Dashboard(const Principal& p) {
  if (p.IsSecadmin() || p.IsAuditor()) {
    return Fail(Error::Forbidden("安全管理员和审计管理员没有工作台，请使用各自的页面"));
  }
  const auto month = MonthOf(Now());
  const int64_t month_start = month.first, month_end = month.second;
  return db_->ReadValue<json>([&](Conn& c) -> Result<json> {
    std::vector<int64_t> granted;
    for (const auto& g : p.grants) {
      if (std::find(granted.begin(), granted.end(), g.site_id) == granted.end())
        granted.push_back(g.site_id);
    }
    json out = {{"sites", json::array()},
                {"totals", {{"sites", 0}, {"open", 0}, {"pending", 0}, {"articles_this_month", 0}}},
                {"my", {{"drafts", 0}, {"pending_review", 0}, {"rejected", 0}}}};
    if (!p.IsSysadmin() && granted.empty()) return out;
    // Sysadmin: every site; others: the sites they hold a grant on.
    store::Params site_params;
    std::string site_filter =
        p.IsSysadmin() ? "" : " WHERE id IN (" + InList(granted, site_params) + ")";
    std::string art_filter;
    store::Params art_params;
    if (!p.IsSysadmin()) art_filter = " AND site_id IN (" + InList(granted, art_params) + ")";

    ZQ_ASSIGN_OR_RETURN(auto sites, c.Query("SELECT id, code, name, status, theme FROM sites" +
                                                site_filter + " ORDER BY id",
                                            site_params));
    std::map<int64_t, json> by_id;
    for (const auto& r : sites) {
      by_id[r.Int("id")] = {{"id", r.Int("id")},
                            {"code", r.Text("code")},
                            {"name", r.Text("name")},
                            {"status", r.Text("status")},
                            {"theme", r.Text("theme")},
                            {"last_published_at", nullptr},
                            {"pending", 0},
                            {"drafts", 0},
                            {"published", 0},
                            {"articles_this_month", 0}};
    }
    ZQ_ASSIGN_OR_RETURN(auto counts,
                        c.Query("SELECT site_id, status, COUNT(*) AS n FROM articles WHERE 1 = 1" +
                                    art_filter + " GROUP BY site_id, status",
                                art_params));
    for (const auto& r : counts) {
      auto it = by_id.find(r.Int("site_id"));
      if (it == by_id.end()) continue;
      std::string status = r.Text("status");
      if (status == "pending") it->second["pending"] = r.Int("n");
      if (status == "draft") it->second["drafts"] = r.Int("n");
      if (status == "published") it->second["published"] = r.Int("n");
    }
    store::Params pub_params = {month_start, month_end};
    pub_params.insert(pub_params.end(), art_params.begin(), art_params.end());
    ZQ_ASSIGN_OR_RETURN(
        auto pubs,
        c.Query("SELECT site_id, MAX(published_at) AS last_at, SUM(CASE WHEN published_at >= ? "
                "AND published_at < ? THEN 1 ELSE 0 END) AS month_n FROM articles WHERE status = "
                "'published'" +
                    art_filter + " GROUP BY site_id",
                pub_params));
    for (const auto& r : pubs) {
      auto it = by_id.find(r.Int("site_id"));
      if (it == by_id.end()) continue;
      if (!r.IsNull("last_at")) it->second["last_published_at"] = r.Int("last_at");
      it->second["articles_this_month"] = r.Int("month_n");
    }
    json& totals = out["totals"];
    for (auto& [id, s] : by_id) {
      totals["sites"] = totals["sites"].get<int64_t>() + 1;
      if (s["status"] == "open") totals["open"] = totals["open"].get<int64_t>() + 1;
      totals["pending"] = totals["pending"].get<int64_t>() + s["pending"].get<int64_t>();
      totals["articles_this_month"] =
          totals["articles_this_month"].get<int64_t>() + s["articles_this_month"].get<int64_t>();
      out["sites"].push_back(s);
    }
    ZQ_ASSIGN_OR_RETURN(int64_t drafts,
                        c.QueryInt("SELECT COUNT(*) FROM articles WHERE created_by = ? AND status "
                                   "= 'draft'",
                                   {p.user_id}));
    ZQ_ASSIGN_OR_RETURN(int64_t rejected,
                        c.QueryInt("SELECT COUNT(*) FROM articles WHERE created_by = ? AND status "
                                   "= 'draft' AND review_comment <> ''",
                                   {p.user_id}));
    int64_t can_review = 0;
    if (!granted.empty()) {
      store::Params pp;
      std::string in = InList(granted, pp);
      ZQ_ASSIGN_OR_RETURN(auto pending,
                          c.Query("SELECT site_id, column_id, created_by, submitted_by FROM "
                                  "articles WHERE status = 'pending' AND site_id IN (" +
                                      in + ")",
                                  pp));
      for (const auto& r : pending) {
        if (!p.HasRole(r.Int("site_id"), SiteRole::kReviewer, r.Int("column_id"))) continue;
        if (r.OptInt("created_by") == p.user_id || r.OptInt("submitted_by") == p.user_id) continue;
        ++can_review;
      }
    }
    out["my"] = {{"drafts", drafts}, {"pending_review", can_review}, {"rejected", rejected}};
    return out;
  });
}

Result<json> Service::ListSiteGrants(const Principal& p, int64_t site_id) {
  return db_->ReadValue<json>([&](Conn& c) -> Result<json> {
    ZQ_TRY(LoadSite(c, site_id));
    ZQ_TRY(CanManageSite(p, site_id));
    ZQ_ASSIGN_OR_RETURN(
        auto rows,
        c.Query("SELECT g.id, g.user_id, u.username, u.display_name, g.site_id, g.column_id, "
                "g.role, g.created_at FROM grants g JOIN users u ON u.id = g.user_id WHERE "
                "g.site_id = ? ORDER BY u.username, g.id",
                {site_id}));
    json items = json::array();
    for (const auto& r : rows) {
      items.push_back(
          {{"id", r.Int("id")},
           {"user_id", r.Int("user_id")},
           {"username", r.Text("username")},
           {"display_name", r.Text("display_name")},
           {"site_id", r.Int("site_id")},
           {"column_id", r.IsNull("column_id") ? json(nullptr) : json(r.Int("column_id"))},
           {"role", r.Text("role")},
           {"created_at", r.Int("created_at")}});
    }
    return json{{"items", items}, {"total", items.size()}};
  });
}

Result<json> Service::PreparePreview(const Principal& p, int64_t site_id, const json& body) {
  auto site = db_->ReadValue<Row>([&](Conn& c) { return LoadSite(c, site_id); });
  if (!site) return Fail(std::move(site.error()));
  ZQ_TRY(CanReadSite(p, site_id));
  const json args = body.is_null() ? json::object() : body;
  ZQ_ASSIGN_OR_RETURN(Input in, Input::FromBody(args));
  ZQ_TRY(in.OnlyKnown({"theme", "page", "article"}));
  ZQ_ASSIGN_OR_RETURN(auto theme, in.Text("theme", TextKind::kCode, 64, false));
  if (theme && !theme->empty() && options_.check_theme) ZQ_TRY(options_.check_theme(*theme));
  ZQ_ASSIGN_OR_RETURN(auto page, in.Text("page", TextKind::kLine, 40, false));
  bool has_article = args.contains("article") && !args["article"].is_null();
  std::string kind = has_article ? "article" : "home";
  int64_t page_column = 0;
  if (page && !page->empty()) {
    if (*page == "home" || *page == "article") {
      kind = *page;
    } else if (page->rfind("column:", 0) == 0 && page->size() > 7 && page->size() < 20 &&
               page->find_first_not_of("0123456789", 7) == std::string::npos) {
      kind = "column";
      page_column = std::stoll(page->substr(7));
    } else {
      return Fail(Error::Invalid("page", "page 必须是 home、article 或 column:<栏目编号>"));
    }
  }
  if (kind == "article" && !has_article) {
    return Fail(Error::Invalid("article", "预览信息页需要提供 article"));
  }
  json out = {{"theme", theme.value_or("")}, {"page", kind}, {"column_id", page_column}};
  return db_->ReadValue<json>([&](Conn& c) -> Result<json> {
    auto column_of_site = [&](int64_t id) -> Result<std::string> {
      ZQ_ASSIGN_OR_RETURN(
          auto rows,
          c.Query("SELECT type FROM columns WHERE id = ? AND site_id = ?", {id, site_id}));
      if (rows.empty()) return std::string();
      return rows.front().Text("type");
    };
    if (kind == "column") {
      ZQ_ASSIGN_OR_RETURN(std::string type, column_of_site(page_column));
      if (type.empty()) return Fail(Error::Invalid("page", "page 中的栏目不是本站点的栏目"));
      if (type == "link") return Fail(Error::Invalid("page", "外部链接栏目没有页面可预览"));
    }
    if (!has_article) return out;
    const json& aj = args["article"];
    if (!aj.is_object()) return Fail(Error::Invalid("article", "article 必须是 JSON 对象"));
    Input a(aj);
    auto nested = [](Error e) { return Fail(Nested(std::move(e), "article")); };
    if (auto st = a.OnlyKnown({"id", "column_id", "title", "subtitle", "author", "source",
                               "summary", "body", "attachments", "cover_media_id", "published_at"});
        !st)
      return nested(st.error());
    json art = {{"id", 0},
                {"column_id", 0},
                {"title", ""},
                {"subtitle", ""},
                {"author", ""},
                {"source", ""},
                {"summary", ""},
                {"body", ""},
                {"attachments", json::array()},
                {"cover_media_id", nullptr},
                {"published_at", Now()},
                {"pinned", false},
                {"sort_order", 0}};
    auto id = a.Int("id", false, 1, INT64_MAX);
    if (!id) return nested(id.error());
    if (*id) {
      // The stored article (any status) is the base; given members override it.
      ZQ_ASSIGN_OR_RETURN(auto rows,
                          c.Query("SELECT id, column_id, title, subtitle, author, source, summary, "
                                  "body, cover_media_id, published_at, pinned, sort_order FROM "
                                  "articles WHERE id = ? AND site_id = ?",
                                  {**id, site_id}));
      if (rows.empty()) return Fail(Error{Code::kNotFound, "信息不存在", "article.id", {}});
      const Row& r = rows.front();
      for (const char* k : {"title", "subtitle", "author", "source", "summary", "body"})
        art[k] = r.Text(k);
      art["id"] = r.Int("id");
      art["column_id"] = r.Int("column_id");
      art["pinned"] = r.Int("pinned") != 0;
      art["sort_order"] = r.Int("sort_order");
      if (!r.IsNull("cover_media_id")) art["cover_media_id"] = r.Int("cover_media_id");
      if (!r.IsNull("published_at")) art["published_at"] = r.Int("published_at");
      ZQ_ASSIGN_OR_RETURN(auto atts, c.Query("SELECT media_id FROM article_attachments WHERE "
                                             "article_id = ? ORDER BY position",
                                             {**id}));
      for (const auto& m : atts) art["attachments"].push_back(m.Int("media_id"));
    }
    auto column = a.Int("column_id", !*id, 1, INT64_MAX);
    if (!column) return nested(column.error());
    if (*column) art["column_id"] = **column;
    ZQ_ASSIGN_OR_RETURN(std::string type, column_of_site(art["column_id"].get<int64_t>()));
    if (type.empty() || type == "link") {
      return Fail(Error::Invalid("article.column_id", "column_id 不是本站点可发布信息的栏目"));
    }
    static const std::pair<const char*, size_t> kLines[] = {
        {"title", 200}, {"subtitle", 200}, {"author", 100}, {"source", 100}};
    for (auto [k, max] : kLines) {
      auto v = a.Text(k, TextKind::kLine, max, false);
      if (!v) return nested(v.error());
      if (*v) art[k] = **v;
    }
    auto summary = a.Text("summary", TextKind::kMultiline, 500, false);
    if (!summary) return nested(summary.error());
    if (*summary) art["summary"] = **summary;
    auto html = a.Text("body", TextKind::kMultiline, 2'000'000, false);
    if (!html) return nested(html.error());
    if (*html) art["body"] = **html;
    // Sanitized exactly as on save, so the preview shows what will be published.
    art["body"] = content::SanitizeHtml(art["body"].get<std::string>());
    if (art["title"].get<std::string>().empty()) art["title"] = "（未填写标题）";
    auto cover = a.NullableInt("cover_media_id", 1, INT64_MAX);
    if (!cover) return nested(cover.error());
    if (*cover) art["cover_media_id"] = **cover ? json(***cover) : json(nullptr);
    auto when = a.NullableInt("published_at", 0, 253402300799000);
    if (!when) return nested(when.error());
    if (*when && **when) art["published_at"] = ***when;
    if (aj.contains("attachments") && !aj["attachments"].is_null()) {
      const json& list = aj["attachments"];
      if (!list.is_array() || list.size() > 50) {
        return Fail(
            Error::Invalid("article.attachments", "attachments 必须是最多 50 项的整数数组"));
      }
      art["attachments"] = json::array();
      for (const auto& e : list) {
        if (!e.is_number_integer() || e.get<int64_t>() < 1) {
          return Fail(Error::Invalid("article.attachments", "attachments 必须是整数数组"));
        }
        art["attachments"].push_back(e.get<int64_t>());
      }
    }
    std::vector<std::pair<int64_t, const char*>> media;
    for (const auto& m : art["attachments"]) media.emplace_back(m.get<int64_t>(), "attachments");
    if (art["cover_media_id"].is_number_integer())
      media.emplace_back(art["cover_media_id"].get<int64_t>(), "cover_media_id");
    for (auto [mid, field] : media) {
      ZQ_ASSIGN_OR_RETURN(int64_t n, c.QueryInt("SELECT COUNT(*) FROM media WHERE id = ? AND "
                                                "site_id = ?",
                                                {mid, site_id}));
      if (n == 0) {
        return Fail(Error::Invalid(std::string("article.") + field,
                                   std::string(field) + " 不是本站点的媒体文件"));
      }
    }
    out["article"] = art;
    if (kind == "column" && page_column == 0) out["column_id"] = art["column_id"];
    return out;
  });
}

Result<MediaFile> Service::MediaForViewer(const Principal& p, const std::string& hash,
                                          const std::string& ext) {
  return db_->ReadValue<MediaFile>([&](Conn& c) -> Result<MediaFile> {
    ZQ_ASSIGN_OR_RETURN(
        auto rows, c.Query("SELECT site_id, mime, filename FROM media WHERE hash = ?", {hash}));
    for (const auto& r : rows) {
      if (!p.IsSysadmin() && !p.HasSite(r.Int("site_id"))) continue;
      if (MediaExt(r.Text("mime"), r.Text("filename")) != ext) continue;
      fs::path file = fs::path(options_.data_dir) / "media" / hash.substr(0, 2) / hash.substr(2);
      return MediaFile{file.string(), r.Text("mime")};
    }
    return Fail(Error::NotFound("文件不存在"));
  });
}

}  // namespace zhanqun::service
