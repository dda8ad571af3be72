#include <map>
#include <set>

#include "content/sanitizer.h"
#include "core/text.h"
#include "service/internal.h"

namespace zhanqun::service {

using namespace internal;

namespace {

const std::vector<std::string_view> kArticleFields = {
    "column_id",      "title",  "subtitle",   "author",     "source",      "body",   "summary",
    "cover_media_id", "pinned", "sort_order", "publish_at", "attachments", "version"};

struct ArticleInput {
  std::optional<int64_t> column_id, sort_order, version;
  std::optional<std::string> title, subtitle, author, source, body, summary;
  std::optional<std::optional<int64_t>> cover_media_id, publish_at;
  std::optional<bool> pinned;
  std::optional<std::vector<int64_t>> attachments;
};

Result<ArticleInput> ParseArticle(const json& body, bool create) {
  ZQ_ASSIGN_OR_RETURN(Input in, Input::FromBody(body));
  ZQ_TRY(in.OnlyKnown(kArticleFields));
  ArticleInput a;
  ZQ_ASSIGN_OR_RETURN(a.column_id, in.Int("column_id", create, 1, INT64_MAX));
  ZQ_ASSIGN_OR_RETURN(a.title, in.NonEmptyText("title", TextKind::kLine, 200));
  if (create && !a.title) return Fail(Error::Invalid("title", "title 不能为空"));
  ZQ_ASSIGN_OR_RETURN(a.subtitle, in.Text("subtitle", TextKind::kLine, 200, false));
  ZQ_ASSIGN_OR_RETURN(a.author, in.Text("author", TextKind::kLine, 100, false));
  ZQ_ASSIGN_OR_RETURN(a.source, in.Text("source", TextKind::kLine, 100, false));
  ZQ_ASSIGN_OR_RETURN(a.body, in.Text("body", TextKind::kMultiline, 2'000'000, create));
  ZQ_ASSIGN_OR_RETURN(a.summary, in.Text("summary", TextKind::kMultiline, 500, false));
  ZQ_ASSIGN_OR_RETURN(a.cover_media_id, in.NullableInt("cover_media_id", 1, INT64_MAX));
  ZQ_ASSIGN_OR_RETURN(a.publish_at, in.NullableInt("publish_at", 0, 253402300799000));
  ZQ_ASSIGN_OR_RETURN(a.pinned, in.Bool("pinned", false));
  ZQ_ASSIGN_OR_RETURN(a.sort_order, in.Int("sort_order", false, -1000000, 1000000));
  ZQ_ASSIGN_OR_RETURN(a.version, in.Int("version", false, 1, INT64_MAX));
  if (body.contains("attachments") && !body["attachments"].is_null()) {
    const json& list = body["attachments"];
    if (!list.is_array()) return Fail(Error::Invalid("attachments", "attachments 必须是整数数组"));
    if (list.size() > 50) return Fail(Error::Invalid("attachments", "attachments 最多 50 项"));
    std::vector<int64_t> ids;
    for (const auto& e : list) {
      if (!e.is_number_integer() || e.get<int64_t>() < 1) {
        return Fail(Error::Invalid("attachments", "attachments 必须是整数数组"));
      }
      ids.push_back(e.get<int64_t>());
    }
    a.attachments = std::move(ids);
  }
  return a;
}

// created_by_name / reviewed_by_name: display names, so that editors (who may
// not look users up) can see who wrote and who reviewed; "" when the user is gone.
Status AddUserNames(Conn& c, std::vector<json*> articles) {
  std::set<int64_t> ids;
  for (json* a : articles) {
    for (const char* k : {"created_by", "reviewed_by"}) {
      if ((*a)[k].is_number_integer()) ids.insert((*a)[k].get<int64_t>());
    }
  }
  std::map<int64_t, std::string> names;
  if (!ids.empty()) {
    std::string in;
    store::Params params;
    for (int64_t id : ids) {
      in += in.empty() ? "?" : ", ?";
      params.push_back(id);
    }
    auto rows = c.Query("SELECT id, display_name FROM users WHERE id IN (" + in + ")", params);
    if (!rows) return Fail(std::move(rows.error()));
    for (const auto& r : *rows) names[r.Int("id")] = r.Text("display_name");
  }
  for (json* a : articles) {
    for (const char* k : {"created_by", "reviewed_by"}) {
      std::string name;
      if ((*a)[k].is_number_integer()) {
        auto it = names.find((*a)[k].get<int64_t>());
        if (it != names.end()) name = it->second;
      }
      (*a)[std::string(k) + "_name"] = name;
    }
  }
  return {};
}

Result<Row> LoadArticle(Conn& c, int64_t id) {
  return c.QueryOne(std::string("SELECT ") + kArticleCols + " FROM articles WHERE id = ?", {id},
                    "信息");
}

Status CheckColumnForArticles(Conn& c, int64_t site_id, int64_t column_id) {
  auto rows = c.Query("SELECT site_id, type FROM columns WHERE id = ?", {column_id});
  if (!rows) return Fail(std::move(rows.error()));
  if (rows->empty() || rows->front().Int("site_id") != site_id) {
    return Fail(Error::Invalid("column_id", "column_id 不是本站点的栏目"));
  }
  if (rows->front().Text("type") == "link") {
    return Fail(Error::Invalid("column_id", "外部链接栏目不能发布信息"));
  }
  return {};
}

Status CheckMedia(Conn& c, int64_t site_id, int64_t media_id, const char* field) {
  ZQ_ASSIGN_OR_RETURN(int64_t n, c.QueryInt("SELECT COUNT(*) FROM media WHERE id = ? AND "
                                            "site_id = ?",
                                            {media_id, site_id}));
  if (n == 0) return Fail(Error::Invalid(field, std::string(field) + " 不是本站点的媒体文件"));
  return {};
}

Result<json> FullArticle(Conn& c, int64_t id) {
  ZQ_ASSIGN_OR_RETURN(Row r, LoadArticle(c, id));
  json j = ArticleJson(r, true);
  auto rows = c.Query(
      "SELECT m.id, m.filename, m.mime, m.size, m.hash FROM article_attachments a JOIN media m ON "
      "m.id = a.media_id WHERE a.article_id = ? ORDER BY a.position",
      {id});
  if (!rows) return Fail(std::move(rows.error()));
  json att = json::array();
  for (const auto& m : *rows) {
    att.push_back({{"id", m.Int("id")},
                   {"filename", m.Text("filename")},
                   {"mime", m.Text("mime")},
                   {"size", m.Int("size")},
                   {"hash", m.Text("hash")}});
  }
  j["attachments"] = att;
  ZQ_TRY(AddUserNames(c, {&j}));
  return j;
}

// The fields a revision keeps (what an editor can change).
json Snapshot(const json& full) {
  json s = json::object();
  for (const char* k : {"column_id", "title", "subtitle", "author", "source", "body", "summary",
                        "cover_media_id", "pinned", "sort_order", "publish_at"}) {
    s[k] = full[k];
  }
  json ids = json::array();
  for (const auto& a : full["attachments"]) ids.push_back(a["id"]);
  s["attachments"] = ids;
  return s;
}

Status SaveRevision(Conn& c, int64_t now, int64_t article_id, int64_t editor,
                    const std::string& note) {
  ZQ_ASSIGN_OR_RETURN(json full, FullArticle(c, article_id));
  return c
      .Exec(
          "INSERT INTO article_revisions (article_id, version, snapshot, editor_id, note, "
          "created_at) VALUES (?, ?, ?, ?, ?, ?)",
          {article_id, full["version"].get<int64_t>(), Snapshot(full).dump(), editor, note, now})
      .map([](int64_t) {});
}

Status WriteAttachments(Conn& c, int64_t site_id, int64_t article_id,
                        const std::vector<int64_t>& ids) {
  ZQ_TRY(c.Exec("DELETE FROM article_attachments WHERE article_id = ?", {article_id}));
  int64_t pos = 0;
  for (int64_t m : ids) {
    ZQ_TRY(CheckMedia(c, site_id, m, "attachments"));
    auto r =
        c.Exec("INSERT INTO article_attachments (article_id, media_id, position) VALUES (?, ?, ?)",
               {article_id, m, pos++});
    if (!r) {
      if (r.error().code == Code::kConflict) {
        return Fail(Error::Invalid("attachments", "attachments 中有重复的文件"));
      }
      return Fail(std::move(r.error()));
    }
  }
  return {};
}

std::string Sanitize(const std::string& html) { return content::SanitizeHtml(html); }

}  // namespace

// The list reads a page from an index in the list's own order (migration 6)
// and joins the page's rows afterwards, so a deep page walks index entries
// only. The total comes from article_counts (kept by triggers) when the
// filters are the indexed ones; a title search or a time range counts.
Result<json> Service::ListArticles(const Principal& p, int64_t site_id, const Page& page,
                                   const json& f) {
  auto int_filter = [&](const char* k) -> std::optional<int64_t> {
    if (f.contains(k) && f[k].is_number_integer()) return f[k].get<int64_t>();
    return std::nullopt;
  };
  auto text_filter = [&](const char* k) -> std::optional<std::string> {
    if (f.contains(k) && f[k].is_string() && !f[k].get<std::string>().empty())
      return f[k].get<std::string>();
    return std::nullopt;
  };
  const auto column_id = int_filter("column_id"), created_by = int_filter("created_by"),
             from = int_filter("from"), to = int_filter("to");
  const auto status = text_filter("status"), q = text_filter("q");
  return db_->ReadValue<json>([&](Conn& c) -> Result<json> {
    ZQ_TRY(LoadSite(c, site_id));
    ZQ_TRY(CanReadSite(p, site_id));
    std::string where = " WHERE site_id = ?";
    store::Params params = {site_id};
    std::string count_where = where;
    store::Params count_params = params;
    if (column_id) {
      where += " AND column_id = ?";
      params.push_back(*column_id);
      count_where += " AND column_id = ?";
      count_params.push_back(*column_id);
    }
    if (status) {
      where += " AND status = ?";
      params.push_back(*status);
      count_where += " AND status = ?";
      count_params.push_back(*status);
    }
    bool counted = true;  // the total is a sum of article_counts rows
    if (created_by) {
      where += " AND created_by = ?";
      params.push_back(*created_by);
      counted = false;
    }
    if (q) {
      where += std::string(" AND title LIKE ?") + kLikeEscape;
      params.emplace_back(LikeContains(*q));
      counted = false;
    }
    // A title search that matches few articles: those, looked up by id and
    // sorted, rather than a walk of the site's whole list order.
    constexpr int64_t kFewMatches = 2000;
    if (from) {
      where += " AND COALESCE(published_at, updated_at) >= ?";
      params.push_back(*from);
      counted = false;
    }
    if (to) {
      where += " AND COALESCE(published_at, updated_at) < ?";
      params.push_back(*to);
      counted = false;
    }
    int64_t total = 0;
    if (counted) {
      ZQ_ASSIGN_OR_RETURN(
          total,
          c.QueryInt("SELECT COALESCE(SUM(n), 0) FROM article_counts" + count_where, count_params));
    } else {
      ZQ_ASSIGN_OR_RETURN(total, c.QueryInt("SELECT COUNT(*) FROM articles" + where, params));
    }
    json items = json::array();
    if (total > (page.page - 1) * page.page_size) {
      constexpr const char* kOrder =
          " ORDER BY pinned DESC, sort_order DESC, COALESCE(published_at, updated_at) DESC, id "
          "DESC";
      params.push_back(page.page_size);
      params.push_back((page.page - 1) * page.page_size);
      std::string ids =
          q && total <= kFewMatches
              ? std::string(
                    "SELECT id FROM articles WHERE id IN (SELECT id FROM "
                    "articles") +
                    where + ")" + kOrder + " LIMIT ? OFFSET ?"
              : std::string("SELECT id FROM articles") + where + kOrder + " LIMIT ? OFFSET ?";
      ZQ_ASSIGN_OR_RETURN(auto rows,
                          c.Query(std::string("SELECT ") + kArticleListCols +
                                      " FROM articles WHERE id IN (" + ids + ")" + kOrder,
                                  params));
      std::vector<json*> refs;
      for (const auto& r : rows) items.push_back(ArticleJson(r, false));
      for (auto& it : items) refs.push_back(&it);
      ZQ_TRY(AddUserNames(c, refs));
    }
    return json{{"items", items}, {"total", total}};
  });
}

Result<json> Service::GetArticle(const Principal& p, int64_t id) {
  return db_->ReadValue<json>([&](Conn& c) -> Result<json> {
    ZQ_ASSIGN_OR_RETURN(Row r, LoadArticle(c, id));
    ZQ_TRY(CanReadSite(p, r.Int("site_id")));
    return FullArticle(c, id);
  });
}

Result<json> Service::CreateArticle(const Principal& p, int64_t site_id, const json& body) {
  auto exists = db_->Read([&](Conn& c) -> Status { return LoadSite(c, site_id).map([](Row) {}); });
  if (!exists) return Fail(std::move(exists.error()));
  if (!p.HasRoleSomewhere(site_id, SiteRole::kEditor)) {
    return Fail(Error::Forbidden("没有权限在该站点撰写信息"));
  }
  ZQ_ASSIGN_OR_RETURN(ArticleInput a, ParseArticle(body, true));
  if (!p.HasRole(site_id, SiteRole::kEditor, *a.column_id)) {
    return Fail(Error::Forbidden("没有该栏目的编辑权限"));
  }
  std::string clean = Sanitize(*a.body);
  int64_t now = Now();
  auto r = db_->WriteValue<json>([&](Conn& c) -> Result<json> {
    ZQ_TRY(CheckColumnForArticles(c, site_id, *a.column_id));
    if (a.cover_media_id && *a.cover_media_id) {
      ZQ_TRY(CheckMedia(c, site_id, **a.cover_media_id, "cover_media_id"));
    }
    auto rows = c.Query(
        "INSERT INTO articles (site_id, column_id, title, subtitle, author, source, body, summary, "
        "cover_media_id, status, pinned, sort_order, publish_at, created_by, updated_by, version, "
        "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'draft', ?, ?, ?, ?, ?, 1, ?, "
        "?) RETURNING id",
        {site_id, *a.column_id, *a.title, a.subtitle.value_or(""), a.author.value_or(""),
         a.source.value_or(""), clean, a.summary.value_or(""),
         a.cover_media_id ? store::Opt(*a.cover_media_id) : store::Null(),
         int64_t{a.pinned.value_or(false) ? 1 : 0}, a.sort_order.value_or(0),
         a.publish_at ? store::Opt(*a.publish_at) : store::Null(), p.user_id, p.user_id, now, now});
    if (!rows) return Fail(std::move(rows.error()));
    int64_t id = rows->front().Int("id");
    if (a.attachments) ZQ_TRY(WriteAttachments(c, site_id, id, *a.attachments));
    ZQ_TRY(SaveRevision(c, now, id, p.user_id, "create"));
    ZQ_ASSIGN_OR_RETURN(json out, FullArticle(c, id));
    json after = Snapshot(out);
    after.erase("body");
    after["body_length"] = clean.size();
    ZQ_TRY(AppendAudit(c, now, p, "article.create", "article", std::to_string(id), "success",
                       {{"before", nullptr}, {"after", after}}));
    return out;
  });
  if (r)
    Announce({ContentChange::What::kArticle, ContentChange::How::kCreated, site_id,
              (*r)["id"].get<int64_t>(), false});
  return r;
}

Result<json> Service::UpdateArticle(const Principal& p, int64_t id, const json& body) {
  auto loc = db_->ReadValue<std::pair<int64_t, int64_t>>(
      [&](Conn& c) -> Result<std::pair<int64_t, int64_t>> {
        ZQ_ASSIGN_OR_RETURN(Row r, LoadArticle(c, id));
        return std::make_pair(r.Int("site_id"), r.Int("column_id"));
      });
  if (!loc) return Fail(std::move(loc.error()));
  const int64_t site_id = loc->first, column_id = loc->second;
  if (!p.HasRole(site_id, SiteRole::kEditor, column_id)) {
    return Fail(Error::Forbidden("没有该栏目的编辑权限"));
  }
  ZQ_ASSIGN_OR_RETURN(ArticleInput a, ParseArticle(body, false));
  if (body.empty()) return GetArticle(p, id);
  if (a.column_id && *a.column_id != column_id &&
      !p.HasRole(site_id, SiteRole::kEditor, *a.column_id)) {
    return Fail(Error{Code::kForbidden, "没有目标栏目的编辑权限", "column_id", {}});
  }
  std::optional<std::string> clean;
  if (a.body) clean = Sanitize(*a.body);
  int64_t now = Now();
  auto r = db_->WriteValue<json>([&](Conn& c) -> Result<json> {
    ZQ_ASSIGN_OR_RETURN(json before, FullArticle(c, id));
    std::string status = before["status"];
    // Someone who may both edit and review the column (a 审核员 with editing
    // rights, or the 站点管理员) and who could approve it corrects a
    // published article in place: it
    // stays published, the change is a revision and audited, and the page is
    // republished. Anyone else withdraws it first.
    // Not its author or submitter, who could not have approved it either.
    const bool live = status == "published" && p.HasRole(site_id, SiteRole::kReviewer, column_id) &&
                      before["created_by"] != p.user_id && before["submitted_by"] != p.user_id;
    if (status != "draft" && status != "withdrawn" && !live) {
      return Fail(Error::Conflict(
          "status", "信息处于“" + status + "”状态，不能直接修改；请先撤回（withdraw）"));
    }
    if (live && a.column_id && *a.column_id != column_id) {
      return Fail(
          Error::Conflict("column_id", "已发布的信息不能直接移动栏目；请先撤回（withdraw）"));
    }
    if (live && a.publish_at) {
      return Fail(
          Error::Conflict("publish_at", "已发布的信息不能设置定时发布；请先撤回（withdraw）"));
    }
    if (a.version && *a.version != before["version"].get<int64_t>()) {
      return Fail(Error::Conflict("version", "信息已被他人修改，请刷新后再编辑"));
    }
    if (a.column_id) ZQ_TRY(CheckColumnForArticles(c, site_id, *a.column_id));
    if (a.cover_media_id && *a.cover_media_id) {
      ZQ_TRY(CheckMedia(c, site_id, **a.cover_media_id, "cover_media_id"));
    }
    auto set = [&](const char* col, const store::Value& v) -> Status {
      return c.Exec(std::string("UPDATE articles SET ") + col + " = ? WHERE id = ?", {v, id})
          .map([](int64_t) {});
    };
    if (a.column_id) ZQ_TRY(set("column_id", *a.column_id));
    if (a.title) ZQ_TRY(set("title", *a.title));
    if (a.subtitle) ZQ_TRY(set("subtitle", *a.subtitle));
    if (a.author) ZQ_TRY(set("author", *a.author));
    if (a.source) ZQ_TRY(set("source", *a.source));
    if (clean) ZQ_TRY(set("body", *clean));
    if (a.summary) ZQ_TRY(set("summary", *a.summary));
    if (a.cover_media_id) ZQ_TRY(set("cover_media_id", store::Opt(*a.cover_media_id)));
    if (a.publish_at) ZQ_TRY(set("publish_at", store::Opt(*a.publish_at)));
    if (a.pinned) ZQ_TRY(set("pinned", int64_t{*a.pinned ? 1 : 0}));
    if (a.sort_order) ZQ_TRY(set("sort_order", *a.sort_order));
    if (a.attachments) ZQ_TRY(WriteAttachments(c, site_id, id, *a.attachments));
    ZQ_TRY(c.Exec(std::string("UPDATE articles SET ") + (live ? "" : "status = 'draft', ") +
                      "version = version + 1, updated_by = ?, updated_at = ? WHERE id = ?",
                  {p.user_id, now, id}));
    ZQ_TRY(SaveRevision(c, now, id, p.user_id, live ? "update-published" : "update"));
    ZQ_ASSIGN_OR_RETURN(json after, FullArticle(c, id));
    json b = Snapshot(before), af = Snapshot(after);
    b["status"] = before["status"];
    af["status"] = after["status"];
    json d = Diff(b, af);
    if (d["after"].contains("body")) {
      d["before"]["body"] =
          "（" + std::to_string(before["body"].get<std::string>().size()) + " 字节）";
      d["after"]["body"] =
          "（" + std::to_string(after["body"].get<std::string>().size()) + " 字节）";
    }
    if (live) d["published"] = true;
    ZQ_TRY(AppendAudit(c, now, p, "article.update", "article", std::to_string(id), "success", d));
    return after;
  });
  if (r) {
    Announce({ContentChange::What::kArticle, ContentChange::How::kUpdated,
              (*r)["site_id"].get<int64_t>(), id, (*r)["status"] == "published"});
  }
  return r;
}

Result<json> Service::ArticleAction(const Principal& p, int64_t id, const std::string& action,
                                    const json& body) {
  auto loaded = db_->ReadValue<Row>([&](Conn& c) { return LoadArticle(c, id); });
  if (!loaded) return Fail(std::move(loaded.error()));
  const Row& art = *loaded;
  int64_t site_id = art.Int("site_id"), column_id = art.Int("column_id");
  bool is_editor = p.HasRole(site_id, SiteRole::kEditor, column_id);
  bool is_reviewer = p.HasRole(site_id, SiteRole::kReviewer, column_id);
  if (action == "submit" && !is_editor) return Fail(Error::Forbidden("没有该栏目的编辑权限"));
  if (action != "submit" && !is_reviewer) return Fail(Error::Forbidden("没有该栏目的审核权限"));

  const json args = body.is_null() ? json::object() : body;  // Input keeps a reference
  ZQ_ASSIGN_OR_RETURN(Input in, Input::FromBody(args));
  std::string comment;
  std::optional<std::optional<int64_t>> publish_at;
  if (action == "reject" || action == "approve" || action == "withdraw" || action == "submit") {
    ZQ_TRY(in.OnlyKnown({"comment"}));
    ZQ_ASSIGN_OR_RETURN(auto cm, in.Text("comment", TextKind::kMultiline, 500, action == "reject"));
    comment = cm.value_or("");
  } else if (action == "publish") {
    ZQ_TRY(in.OnlyKnown({"publish_at"}));
    ZQ_ASSIGN_OR_RETURN(publish_at, in.NullableInt("publish_at", 0, 253402300799000));
  }
  const std::string status = art.Text("status");
  auto wrong_state = [&](const char* need) {
    return Fail(Error::Conflict("status", "信息当前为“" + status + "”状态，" + need));
  };
  int64_t now = Now();
  std::string next;
  if (action == "submit") {
    if (status != "draft") return wrong_state("只有草稿可以提交审核");
    next = "pending";
  } else if (action == "approve") {
    if (status != "pending") return wrong_state("只有待审核的信息可以审核通过");
    if (art.OptInt("created_by") == p.user_id || art.OptInt("submitted_by") == p.user_id) {
      return Fail(Error::Forbidden("不能审核自己撰写或提交的信息"));
    }
    next = "approved";
  } else if (action == "reject") {
    if (status != "pending") return wrong_state("只有待审核的信息可以退回");
    next = "draft";
  } else if (action == "publish") {
    if (status != "approved") return wrong_state("只有审核通过的信息可以发布");
    next = "published";
  } else if (action == "withdraw") {
    if (status != "published" && status != "approved" && status != "pending") {
      return wrong_state("只有待审核、已通过或已发布的信息可以撤回");
    }
    next = "withdrawn";
  } else {
    return Fail(Error::NotFound("未知操作 " + action));
  }
  auto r = db_->WriteValue<json>([&](Conn& c) -> Result<json> {
    // Re-check the state under the write lock: two reviewers may race.
    ZQ_ASSIGN_OR_RETURN(Row cur, LoadArticle(c, id));
    if (cur.Text("status") != status) return wrong_state("状态已变化，请刷新");
    std::string target = next;
    if (action == "submit") {
      ZQ_TRY(c.Exec(
          "UPDATE articles SET status = ?, submitted_by = ?, review_comment = '', updated_at = ? "
          "WHERE id = ?",
          {target, p.user_id, now, id}));
    } else if (action == "approve" || action == "reject") {
      ZQ_TRY(c.Exec(
          "UPDATE articles SET status = ?, reviewed_by = ?, review_comment = ?, updated_at = ? "
          "WHERE id = ?",
          {target, p.user_id, comment, now, id}));
    } else if (action == "publish") {
      int64_t when = now;
      if (publish_at && *publish_at)
        when = **publish_at;
      else if (!publish_at && !cur.IsNull("publish_at"))
        when = cur.Int("publish_at");
      if (when > now) {
        // Scheduled: stays approved until the scheduler publishes it.
        target = "approved";
        ZQ_TRY(c.Exec("UPDATE articles SET publish_at = ?, updated_at = ? WHERE id = ?",
                      {when, now, id}));
      } else {
        ZQ_TRY(c.Exec(
            "UPDATE articles SET status = 'published', published_at = COALESCE(published_at, ?), "
            "publish_at = NULL, updated_at = ? WHERE id = ?",
            {now, now, id}));
      }
    } else {
      ZQ_TRY(
          c.Exec("UPDATE articles SET status = ?, review_comment = ?, updated_at = ? WHERE id = ?",
                 {target, comment, now, id}));
    }
    json detail = {{"before", {{"status", status}}}, {"after", {{"status", target}}}};
    if (!comment.empty()) detail["comment"] = comment;
    if (action == "publish" && target == "approved") detail["scheduled"] = true;
    ZQ_TRY(AppendAudit(c, now, p, "article." + action, "article", std::to_string(id), "success",
                       detail));
    return FullArticle(c, id);
  });
  if (r) {
    // publish and withdraw change what visitors see (a scheduled publish too:
    // its pages are checked now and again when it goes live).
    Announce({ContentChange::What::kArticle, ContentChange::How::kUpdated, site_id, id,
              action == "publish" || action == "withdraw"});
  }
  return r;
}

Result<json> Service::ListRevisions(const Principal& p, int64_t article_id) {
  return db_->ReadValue<json>([&](Conn& c) -> Result<json> {
    ZQ_ASSIGN_OR_RETURN(Row r, LoadArticle(c, article_id));
    ZQ_TRY(CanReadSite(p, r.Int("site_id")));
    auto rows = c.Query(
        "SELECT r.id, r.version, r.snapshot, r.editor_id, u.username, r.note, r.created_at FROM "
        "article_revisions r LEFT JOIN users u ON u.id = r.editor_id WHERE r.article_id = ? "
        "ORDER BY r.version DESC",
        {article_id});
    if (!rows) return Fail(std::move(rows.error()));
    json items = json::array();
    for (const auto& x : *rows) {
      items.push_back(
          {{"id", x.Int("id")},
           {"version", x.Int("version")},
           {"snapshot", json::parse(x.Text("snapshot"), nullptr, false)},
           {"editor_id", x.IsNull("editor_id") ? json(nullptr) : json(x.Int("editor_id"))},
           {"editor", x.Text("username")},
           {"note", x.Text("note")},
           {"created_at", x.Int("created_at")}});
    }
    return json{{"items", items}, {"total", items.size()}};
  });
}

Result<json> Service::PinArticle(const Principal& p, int64_t id, const json& body) {
  auto loaded = db_->ReadValue<Row>([&](Conn& c) { return LoadArticle(c, id); });
  if (!loaded) return Fail(std::move(loaded.error()));
  int64_t site_id = loaded->Int("site_id"), column_id = loaded->Int("column_id");
  if (!p.HasRole(site_id, SiteRole::kReviewer, column_id)) {
    return Fail(Error::Forbidden("没有该栏目的审核权限，不能置顶或调整顺序"));
  }
  const json args = body.is_null() ? json::object() : body;
  ZQ_ASSIGN_OR_RETURN(Input in, Input::FromBody(args));
  ZQ_TRY(in.OnlyKnown({"pinned", "sort_order"}));
  ZQ_ASSIGN_OR_RETURN(auto pinned, in.Bool("pinned", false));
  ZQ_ASSIGN_OR_RETURN(auto sort_order, in.Int("sort_order", false, -1000000, 1000000));
  int64_t now = Now();
  auto r = db_->WriteValue<json>([&](Conn& c) -> Result<json> {
    ZQ_ASSIGN_OR_RETURN(json before, FullArticle(c, id));
    json b = {{"pinned", before["pinned"]}, {"sort_order", before["sort_order"]}};
    json a = {{"pinned", pinned ? json(*pinned) : before["pinned"]},
              {"sort_order", sort_order ? json(*sort_order) : before["sort_order"]}};
    if (a == b) return before;  // nothing changes: nothing to audit
    ZQ_TRY(c.Exec(
        "UPDATE articles SET pinned = ?, sort_order = ?, updated_at = ? WHERE id = ?",
        {int64_t{a["pinned"].get<bool>() ? 1 : 0}, a["sort_order"].get<int64_t>(), now, id}));
    json d = Diff(b, a);
    d["status"] = before["status"];
    ZQ_TRY(AppendAudit(c, now, p, "article.pin", "article", std::to_string(id), "success", d));
    return FullArticle(c, id);
  });
  if (r) {
    Announce({ContentChange::What::kArticle, ContentChange::How::kUpdated, site_id, id,
              (*r)["status"] == "published"});
  }
  return r;
}

}  // namespace zhanqun::service
