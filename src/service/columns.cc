#include <map>
#include <set>

#include "service/internal.h"

namespace zhanqun::service {

using namespace internal;

namespace {

const std::vector<std::string_view> kColumnFields = {
    "name",     "slug",        "type",     "update_class", "parent_id",
    "link_url", "description", "keywords", "sort_order",   "visible"};

struct ColumnInput {
  std::optional<std::string> name, slug, type, update_class, link_url, description, keywords;
  std::optional<std::optional<int64_t>> parent_id;
  std::optional<int64_t> sort_order;
  std::optional<bool> visible;
};

Result<ColumnInput> ParseColumn(const json& body, bool create) {
  ZQ_ASSIGN_OR_RETURN(Input in, Input::FromBody(body));
  ZQ_TRY(in.OnlyKnown(kColumnFields));
  ColumnInput s;
  ZQ_ASSIGN_OR_RETURN(s.name, in.NonEmptyText("name", TextKind::kName, 50));
  if (create && !s.name) return Fail(Error::Invalid("name", "name 不能为空"));
  ZQ_ASSIGN_OR_RETURN(s.slug, in.NonEmptyText("slug", TextKind::kCode, 64));
  ZQ_ASSIGN_OR_RETURN(s.type, in.Enum("type", {"list", "page", "link"}, create));
  ZQ_ASSIGN_OR_RETURN(s.update_class,
                      in.Enum("update_class", {"news", "notice", "planning", "static"}, false));
  ZQ_ASSIGN_OR_RETURN(s.parent_id, in.NullableInt("parent_id", 1, INT64_MAX));
  ZQ_ASSIGN_OR_RETURN(s.link_url, in.Text("link_url", TextKind::kOptionalUrl, 2000, false));
  ZQ_ASSIGN_OR_RETURN(s.description, in.Text("description", TextKind::kMultiline, 500, false));
  ZQ_ASSIGN_OR_RETURN(s.keywords, in.Text("keywords", TextKind::kLine, 200, false));
  ZQ_ASSIGN_OR_RETURN(s.sort_order, in.Int("sort_order", false, -1000000, 1000000));
  ZQ_ASSIGN_OR_RETURN(s.visible, in.Bool("visible", false));
  return s;
}

// The parent must be a column of the same site and must not be the column
// itself or one of its descendants.
Status CheckParent(Conn& c, int64_t site_id, int64_t column_id, int64_t parent_id) {
  int64_t cur = parent_id;
  for (int depth = 0; cur != 0; ++depth) {
    if (depth > 16) return Fail(Error::Invalid("parent_id", "栏目层级过深（最多 16 级）"));
    if (cur == column_id) return Fail(Error::Invalid("parent_id", "不能把栏目移到它自己的下级"));
    auto rows = c.Query("SELECT site_id, parent_id FROM columns WHERE id = ?", {cur});
    if (!rows) return Fail(std::move(rows.error()));
    if (rows->empty() || rows->front().Int("site_id") != site_id) {
      return Fail(Error::Invalid("parent_id", "parent_id 不是本站点的栏目"));
    }
    cur = rows->front().Int("parent_id");
  }
  return {};
}

Result<Row> LoadColumn(Conn& c, int64_t id) {
  return c.QueryOne(std::string("SELECT ") + kColumnCols + " FROM columns WHERE id = ?", {id},
                    "栏目");
}

}  // namespace

Result<json> Service::ListColumns(const Principal& p, int64_t site_id) {
  return db_->ReadValue<json>([&](Conn& c) -> Result<json> {
    ZQ_TRY(LoadSite(c, site_id));
    ZQ_TRY(CanReadSite(p, site_id));
    auto rows = c.Query(std::string("SELECT ") + kColumnCols +
                            " FROM columns WHERE site_id = ? ORDER BY sort_order, id",
                        {site_id});
    if (!rows) return Fail(std::move(rows.error()));
    json items = json::array();
    for (const auto& r : *rows) items.push_back(ColumnJson(r));
    return json{{"items", items}, {"total", items.size()}};
  });
}

Result<json> Service::CreateColumn(const Principal& p, int64_t site_id, const json& body) {
  auto exists = db_->Read([&](Conn& c) -> Status { return LoadSite(c, site_id).map([](Row) {}); });
  if (!exists) return Fail(std::move(exists.error()));
  ZQ_TRY(CanManageSite(p, site_id));
  ZQ_ASSIGN_OR_RETURN(ColumnInput s, ParseColumn(body, true));
  if (*s.type == "link" && (!s.link_url || s.link_url->empty())) {
    return Fail(Error::Invalid("link_url", "外部链接栏目必须填写 link_url"));
  }
  int64_t now = Now();
  auto r = db_->WriteValue<json>([&](Conn& c) -> Result<json> {
    if (s.parent_id && *s.parent_id) ZQ_TRY(CheckParent(c, site_id, 0, **s.parent_id));
    std::string slug = s.slug.value_or("");
    if (slug.empty()) {
      ZQ_ASSIGN_OR_RETURN(int64_t n,
                          c.QueryInt("SELECT COUNT(*) FROM columns WHERE site_id = ?", {site_id}));
      for (;; ++n) {
        slug = "col" + std::to_string(n + 1);
        ZQ_ASSIGN_OR_RETURN(
            int64_t taken, c.QueryInt("SELECT COUNT(*) FROM columns WHERE site_id = ? AND slug = ?",
                                      {site_id, slug}));
        if (taken == 0) break;
      }
    } else {
      ZQ_ASSIGN_OR_RETURN(int64_t taken,
                          c.QueryInt("SELECT COUNT(*) FROM columns WHERE site_id = ? AND slug = ?",
                                     {site_id, slug}));
      if (taken > 0) return Fail(Error::Conflict("slug", "栏目路径 " + slug + " 已存在"));
    }
    auto rows = c.Query(
        "INSERT INTO columns (site_id, parent_id, name, slug, type, update_class, link_url, "
        "description, keywords, sort_order, visible, created_at, updated_at) VALUES (?, ?, ?, ?, "
        "?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        {site_id, s.parent_id ? store::Opt(*s.parent_id) : store::Null(), *s.name, slug, *s.type,
         s.update_class.value_or(*s.type == "list" ? "news" : "static"), s.link_url.value_or(""),
         s.description.value_or(""), s.keywords.value_or(""), s.sort_order.value_or(0),
         int64_t{s.visible.value_or(true) ? 1 : 0}, now, now});
    if (!rows) return Fail(std::move(rows.error()));
    int64_t id = rows->front().Int("id");
    ZQ_ASSIGN_OR_RETURN(Row r, LoadColumn(c, id));
    json out = ColumnJson(r);
    ZQ_TRY(AppendAudit(c, now, p, "column.create", "column", std::to_string(id), "success",
                       {{"before", nullptr}, {"after", out}}));
    return out;
  });
  if (r) Announce({ContentChange::What::kColumn, ContentChange::How::kCreated, site_id, (*r)["id"].get<int64_t>()});
  return r;
}

Result<json> Service::UpdateColumn(const Principal& p, int64_t column_id, const json& body) {
  auto site = db_->ReadValue<int64_t>([&](Conn& c) -> Result<int64_t> {
    ZQ_ASSIGN_OR_RETURN(Row r, LoadColumn(c, column_id));
    return r.Int("site_id");
  });
  if (!site) return Fail(std::move(site.error()));
  int64_t site_id = *site;
  ZQ_TRY(CanManageSite(p, site_id));
  ZQ_ASSIGN_OR_RETURN(ColumnInput s, ParseColumn(body, false));
  int64_t now = Now();
  auto r = db_->WriteValue<json>([&](Conn& c) -> Result<json> {
    ZQ_ASSIGN_OR_RETURN(Row before_row, LoadColumn(c, column_id));
    if (body.empty()) return ColumnJson(before_row);
    json before = ColumnJson(before_row);
    if (s.parent_id && *s.parent_id) ZQ_TRY(CheckParent(c, site_id, column_id, **s.parent_id));
    if (s.slug && *s.slug != before["slug"]) {
      ZQ_ASSIGN_OR_RETURN(int64_t taken,
                          c.QueryInt("SELECT COUNT(*) FROM columns WHERE site_id = ? AND slug = ? "
                                     "AND id <> ?",
                                     {site_id, *s.slug, column_id}));
      if (taken > 0) return Fail(Error::Conflict("slug", "栏目路径 " + *s.slug + " 已存在"));
    }
    std::string type = s.type.value_or(before["type"].get<std::string>());
    std::string link = s.link_url.value_or(before["link_url"].get<std::string>());
    if (type == "link" && link.empty()) {
      return Fail(Error::Invalid("link_url", "外部链接栏目必须填写 link_url"));
    }
    auto set = [&](const char* col, const store::Value& v) -> Status {
      return c.Exec(std::string("UPDATE columns SET ") + col + " = ? WHERE id = ?", {v, column_id})
          .map([](int64_t) {});
    };
    if (s.name) ZQ_TRY(set("name", *s.name));
    if (s.slug) ZQ_TRY(set("slug", *s.slug));
    if (s.type) ZQ_TRY(set("type", *s.type));
    if (s.update_class) ZQ_TRY(set("update_class", *s.update_class));
    if (s.link_url) ZQ_TRY(set("link_url", *s.link_url));
    if (s.description) ZQ_TRY(set("description", *s.description));
    if (s.keywords) ZQ_TRY(set("keywords", *s.keywords));
    if (s.sort_order) ZQ_TRY(set("sort_order", *s.sort_order));
    if (s.visible) ZQ_TRY(set("visible", int64_t{*s.visible ? 1 : 0}));
    if (s.parent_id) ZQ_TRY(set("parent_id", store::Opt(*s.parent_id)));
    ZQ_TRY(set("updated_at", now));
    ZQ_ASSIGN_OR_RETURN(Row after_row, LoadColumn(c, column_id));
    json after = ColumnJson(after_row);
    json b = before, a = after;
    b.erase("updated_at");
    a.erase("updated_at");
    ZQ_TRY(AppendAudit(c, now, p, "column.update", "column", std::to_string(column_id), "success",
                       Diff(b, a)));
    return after;
  });
  if (r && !body.empty()) Announce({ContentChange::What::kColumn, ContentChange::How::kUpdated, site_id, column_id});
  return r;
}

Status Service::DeleteColumn(const Principal& p, int64_t column_id) {
  auto site = db_->ReadValue<int64_t>([&](Conn& c) -> Result<int64_t> {
    ZQ_ASSIGN_OR_RETURN(Row r, LoadColumn(c, column_id));
    return r.Int("site_id");
  });
  if (!site) return Fail(std::move(site.error()));
  ZQ_TRY(CanManageSite(p, *site));
  int64_t now = Now();
  auto r = db_->Write([&](Conn& c) -> Status {
    ZQ_ASSIGN_OR_RETURN(Row r, LoadColumn(c, column_id));
    ZQ_ASSIGN_OR_RETURN(int64_t articles, c.QueryInt("SELECT COUNT(*) FROM articles WHERE "
                                                     "column_id = ?",
                                                     {column_id}));
    if (articles > 0) {
      return Fail(Error::Conflict("articles", "栏目下还有 " + std::to_string(articles) +
                                                  " 篇信息，请先移走或删除后再删除栏目"));
    }
    ZQ_ASSIGN_OR_RETURN(
        int64_t children,
        c.QueryInt("SELECT COUNT(*) FROM columns WHERE parent_id = ?", {column_id}));
    if (children > 0) {
      return Fail(Error::Conflict(
          "children", "栏目下还有 " + std::to_string(children) + " 个子栏目，请先删除子栏目"));
    }
    ZQ_TRY(c.Exec("DELETE FROM columns WHERE id = ?", {column_id}));
    return AppendAudit(c, now, p, "column.delete", "column", std::to_string(column_id), "success",
                       {{"before", ColumnJson(r)}, {"after", nullptr}});
  });
  if (r) Announce({ContentChange::What::kColumn, ContentChange::How::kDeleted, *site, column_id});
  return r;
}

Result<json> Service::ReorderColumns(const Principal& p, int64_t site_id, const json& body) {
  auto exists = db_->Read([&](Conn& c) -> Status { return LoadSite(c, site_id).map([](Row) {}); });
  if (!exists) return Fail(std::move(exists.error()));
  ZQ_TRY(CanManageSite(p, site_id));
  ZQ_ASSIGN_OR_RETURN(Input in, Input::FromBody(body));
  ZQ_TRY(in.OnlyKnown({"items"}));
  if (!body.contains("items") || !body["items"].is_array() || body["items"].empty()) {
    return Fail(Error::Invalid("items", "items 必须是非空数组"));
  }
  const json& list = body["items"];
  if (list.size() > 1000) return Fail(Error::Invalid("items", "items 最多 1000 项"));
  struct Move {
    int64_t id;
    std::optional<std::optional<int64_t>> parent_id;
    std::optional<int64_t> sort_order;
  };
  std::vector<Move> moves;
  std::set<int64_t> seen;
  for (size_t i = 0; i < list.size(); ++i) {
    std::string at = "items[" + std::to_string(i) + "]";
    auto named = [&](Error e) {
      e.field = e.field.empty() ? at : at + "." + e.field;
      e.message = at + "：" + e.message;
      return Fail(std::move(e));
    };
    if (!list[i].is_object()) return Fail(Error::Invalid(at, at + " 必须是对象"));
    Input item(list[i]);
    if (auto st = item.OnlyKnown({"id", "parent_id", "sort_order"}); !st) return named(st.error());
    auto id = item.Int("id", true, 1, INT64_MAX);
    if (!id) return named(id.error());
    auto parent = item.NullableInt("parent_id", 1, INT64_MAX);
    if (!parent) return named(parent.error());
    auto order = item.Int("sort_order", false, -1000000, 1000000);
    if (!order) return named(order.error());
    if (!seen.insert(**id).second) {
      return Fail(Error::Invalid(at + ".id", at + "：栏目 " + std::to_string(**id) + " 重复出现"));
    }
    moves.push_back(Move{**id, *parent, *order});
  }
  int64_t now = Now();
  auto r = db_->WriteValue<json>([&](Conn& c) -> Result<json> {
    auto rows =
        c.Query("SELECT id, parent_id, sort_order FROM columns WHERE site_id = ?", {site_id});
    if (!rows) return Fail(std::move(rows.error()));
    struct Pos {
      std::optional<int64_t> parent;
      int64_t sort_order;
    };
    std::map<int64_t, Pos> before, after;
    for (const auto& r : *rows)
      before[r.Int("id")] = Pos{r.OptInt("parent_id"), r.Int("sort_order")};
    after = before;
    for (size_t i = 0; i < moves.size(); ++i) {
      const Move& m = moves[i];
      std::string at = "items[" + std::to_string(i) + "]";
      if (!after.count(m.id)) {
        return Fail(Error::Conflict(at + ".id",
                                    at + "：栏目 " + std::to_string(m.id) + " 不是本站点的栏目"));
      }
      if (m.parent_id && *m.parent_id && !after.count(**m.parent_id)) {
        return Fail(Error::Conflict(
            at + ".parent_id",
            at + "：上级栏目 " + std::to_string(**m.parent_id) + " 不是本站点的栏目"));
      }
      if (m.parent_id) after[m.id].parent = *m.parent_id;
      if (m.sort_order) after[m.id].sort_order = *m.sort_order;
    }
    // The tree after every move: no column may end up below itself. A new
    // cycle contains a column whose parent this request changes, so walking
    // up from each of those finds it (and names the item that closed it).
    for (size_t i = 0; i < moves.size(); ++i) {
      if (!moves[i].parent_id) continue;
      int64_t cur = moves[i].id;
      for (size_t steps = 0; steps <= after.size(); ++steps) {
        auto parent = after[cur].parent;
        if (!parent) break;
        if (*parent == moves[i].id) {
          std::string at = "items[" + std::to_string(i) + "]";
          return Fail(Error::Conflict(
              at + ".parent_id", at + "：不能把栏目移到它自己的下级（形成循环），未做任何修改"));
        }
        cur = *parent;
      }
    }
    for (size_t i = 0; i < moves.size(); ++i) {
      int depth = 0;
      for (auto parent = after[moves[i].id].parent; parent; parent = after[*parent].parent) {
        if (++depth > 16) {
          std::string at = "items[" + std::to_string(i) + "]";
          return Fail(Error::Invalid(at + ".parent_id", at + "：栏目层级过深（最多 16 级）"));
        }
      }
    }
    json b = json::object(), a = json::object();
    for (const Move& m : moves) {
      const Pos& x = before[m.id];
      const Pos& y = after[m.id];
      if (x.parent == y.parent && x.sort_order == y.sort_order) continue;
      ZQ_TRY(c.Exec("UPDATE columns SET parent_id = ?, sort_order = ?, updated_at = ? WHERE id = ?",
                    {y.parent ? store::Value(*y.parent) : store::Null(), y.sort_order, now, m.id}));
      auto pos = [](const Pos& v) {
        return json{{"parent_id", v.parent ? json(*v.parent) : json(nullptr)},
                    {"sort_order", v.sort_order}};
      };
      b[std::to_string(m.id)] = pos(x);
      a[std::to_string(m.id)] = pos(y);
    }
    if (!a.empty()) {
      ZQ_TRY(AppendAudit(c, now, p, "column.reorder", "site", std::to_string(site_id), "success",
                         {{"before", b}, {"after", a}}));
    }
    auto out = c.Query(std::string("SELECT ") + kColumnCols +
                           " FROM columns WHERE site_id = ? ORDER BY sort_order, id",
                       {site_id});
    if (!out) return Fail(std::move(out.error()));
    json items = json::array();
    for (const auto& r : *out) items.push_back(ColumnJson(r));
    return json{{"items", items}, {"total", items.size()}};
  });
  if (r) Announce({ContentChange::What::kColumn, ContentChange::How::kUpdated, site_id, 0});
  return r;
}

}  // namespace zhanqun::service
