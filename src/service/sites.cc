#include <set>

#include "core/text.h"
#include "service/internal.h"

namespace zhanqun::service {

using namespace internal;

namespace {

const std::vector<std::string_view> kSiteFields = {
    "code",         "name",          "domains",      "school_id",     "theme",
    "status",       "site_id_code",  "icp",          "police_record", "sponsor",
    "contact_name", "contact_phone", "contact_email"};

struct SiteInput {
  std::optional<std::string> code, name, theme, status, site_id_code, icp, police_record, sponsor,
      contact_name, contact_phone, contact_email;
  std::optional<std::vector<std::string>> domains;
  std::optional<std::optional<int64_t>> school_id;
};

Result<SiteInput> ParseSite(const json& body, bool create) {
  ZQ_ASSIGN_OR_RETURN(Input in, Input::FromBody(body));
  ZQ_TRY(in.OnlyKnown(kSiteFields));
  SiteInput s;
  ZQ_ASSIGN_OR_RETURN(s.code, in.NonEmptyText("code", TextKind::kCode, 64));
  if (create && !s.code) return Fail(Error::Invalid("code", "code 不能为空"));
  ZQ_ASSIGN_OR_RETURN(s.name, in.NonEmptyText("name", TextKind::kName, 100));
  if (create && !s.name) return Fail(Error::Invalid("name", "name 不能为空"));
  ZQ_ASSIGN_OR_RETURN(s.domains, in.TextList("domains", TextKind::kDomain, 10, 253, create));
  ZQ_ASSIGN_OR_RETURN(s.school_id, in.NullableInt("school_id", 1, INT64_MAX));
  ZQ_ASSIGN_OR_RETURN(s.theme, in.NonEmptyText("theme", TextKind::kCode, 64));
  ZQ_ASSIGN_OR_RETURN(s.status, in.Enum("status", {"open", "closed"}, false));
  ZQ_ASSIGN_OR_RETURN(s.site_id_code, in.Text("site_id_code", TextKind::kCode, 32, false));
  ZQ_ASSIGN_OR_RETURN(s.icp, in.Text("icp", TextKind::kLine, 64, false));
  ZQ_ASSIGN_OR_RETURN(s.police_record, in.Text("police_record", TextKind::kLine, 64, false));
  ZQ_ASSIGN_OR_RETURN(s.sponsor, in.Text("sponsor", TextKind::kName, 100, false));
  ZQ_ASSIGN_OR_RETURN(s.contact_name, in.Text("contact_name", TextKind::kName, 50, false));
  ZQ_ASSIGN_OR_RETURN(s.contact_phone, in.Text("contact_phone", TextKind::kLine, 32, false));
  ZQ_ASSIGN_OR_RETURN(s.contact_email, in.Text("contact_email", TextKind::kEmail, 100, false));
  if (s.domains) {
    std::set<std::string> seen;
    for (const auto& d : *s.domains) {
      if (!seen.insert(d).second) {
        return Fail(Error::Invalid("domains", "domains 中域名 " + d + " 重复"));
      }
    }
    if (s.domains->empty()) return Fail(Error::Invalid("domains", "domains 至少需要一项"));
  }
  return s;
}

Status CheckSchool(Conn& c, const std::optional<std::optional<int64_t>>& school_id) {
  if (!school_id || !*school_id) return {};
  auto kind = c.Query("SELECT kind FROM departments WHERE id = ?", {**school_id});
  if (!kind) return Fail(std::move(kind.error()));
  if (kind->empty() || kind->front().Text("kind") != "school") {
    return Fail(Error::Invalid("school_id", "school_id 不是已有的学校"));
  }
  return {};
}

Status CheckDomainsFree(Conn& c, const std::vector<std::string>& domains, int64_t site_id) {
  for (const auto& d : domains) {
    auto rows = c.Query(
        "SELECT s.code FROM site_domains d JOIN sites s ON s.id = d.site_id WHERE d.domain = ? "
        "AND d.site_id <> ?",
        {d, site_id});
    if (!rows) return Fail(std::move(rows.error()));
    if (!rows->empty()) {
      return Fail(Error::Conflict(
          "domains", "域名 " + d + " 已被站点 " + rows->front().Text("code") + " 使用"));
    }
  }
  return {};
}

Status WriteDomains(Conn& c, int64_t site_id, const std::vector<std::string>& domains) {
  ZQ_TRY(c.Exec("DELETE FROM site_domains WHERE site_id = ?", {site_id}));
  int64_t pos = 0;
  for (const auto& d : domains) {
    auto r = c.Exec("INSERT INTO site_domains (domain, site_id, position) VALUES (?, ?, ?)",
                    {d, site_id, pos++});
    if (!r) {
      if (r.error().code == Code::kConflict) r.error().field = "domains";
      return Fail(std::move(r.error()));
    }
  }
  return {};
}

Result<json> LoadSiteJson(Conn& c, int64_t id) {
  ZQ_ASSIGN_OR_RETURN(Row r, LoadSite(c, id));
  ZQ_ASSIGN_OR_RETURN(auto domains, LoadDomains(c, id));
  return SiteJson(r, domains);
}

}  // namespace

Result<json> Service::ListSites(const Principal& p, const Page& page, const std::string& q) {
  if (!p.IsSysadmin() && p.grants.empty()) {
    if (!p.platform_role.empty()) return Fail(Error::Forbidden("该角色不管理站点"));
  }
  return db_->ReadValue<json>([&](Conn& c) -> Result<json> {
    std::string where = " WHERE 1=1";
    store::Params params;
    if (!p.IsSysadmin()) {
      where += " AND id IN (SELECT site_id FROM grants WHERE user_id = ?)";
      params.push_back(p.user_id);
    }
    if (!q.empty()) {
      where += std::string(" AND (name LIKE ?") + kLikeEscape + " OR code LIKE ?" + kLikeEscape +
               " OR id IN (SELECT site_id FROM site_domains WHERE domain LIKE ?" + kLikeEscape +
               "))";
      std::string like = LikeContains(q);
      params.insert(params.end(), {like, like, like});
    }
    ZQ_ASSIGN_OR_RETURN(int64_t total, c.QueryInt("SELECT COUNT(*) FROM sites" + where, params));
    params.push_back(page.page_size);
    params.push_back((page.page - 1) * page.page_size);
    auto rows = c.Query(std::string("SELECT ") + kSiteCols + " FROM sites" + where +
                            " ORDER BY code LIMIT ? OFFSET ?",
                        params);
    if (!rows) return Fail(std::move(rows.error()));
    json items = json::array();
    for (const auto& r : *rows) {
      ZQ_ASSIGN_OR_RETURN(auto domains, LoadDomains(c, r.Int("id")));
      items.push_back(SiteJson(r, domains));
    }
    return json{{"items", items}, {"total", total}};
  });
}

Result<json> Service::GetSite(const Principal& p, int64_t id) {
  return db_->ReadValue<json>([&](Conn& c) -> Result<json> {
    ZQ_TRY(LoadSite(c, id));
    ZQ_TRY(CanReadSite(p, id));
    return LoadSiteJson(c, id);
  });
}

Result<json> Service::CreateSite(const Principal& p, const json& body) {
  if (!p.IsSysadmin()) return Fail(Error::Forbidden("只有系统管理员可以创建站点"));
  ZQ_ASSIGN_OR_RETURN(SiteInput s, ParseSite(body, true));
  int64_t now = Now();
  auto r = db_->WriteValue<json>([&](Conn& c) -> Result<json> {
    ZQ_ASSIGN_OR_RETURN(int64_t dup,
                        c.QueryInt("SELECT COUNT(*) FROM sites WHERE code = ?", {*s.code}));
    if (dup > 0) return Fail(Error::Conflict("code", "站点代码 " + *s.code + " 已存在"));
    ZQ_TRY(CheckSchool(c, s.school_id));
    ZQ_TRY(CheckDomainsFree(c, *s.domains, 0));
    if (options_.check_theme)
      ZQ_TRY(options_.check_theme(s.theme.value_or(options_.default_theme)));
    auto rows = c.Query(
        "INSERT INTO sites (school_id, code, name, theme, status, site_id_code, icp, "
        "police_record, sponsor, contact_name, contact_phone, contact_email, created_at, "
        "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        {s.school_id ? store::Opt(*s.school_id) : store::Null(), *s.code, *s.name,
         s.theme.value_or(options_.default_theme), s.status.value_or("open"),
         s.site_id_code.value_or(""), s.icp.value_or(""), s.police_record.value_or(""),
         s.sponsor.value_or(""), s.contact_name.value_or(""), s.contact_phone.value_or(""),
         s.contact_email.value_or(""), now, now});
    if (!rows) return Fail(std::move(rows.error()));
    int64_t id = rows->front().Int("id");
    ZQ_TRY(WriteDomains(c, id, *s.domains));
    ZQ_ASSIGN_OR_RETURN(json site, LoadSiteJson(c, id));
    ZQ_TRY(AppendAudit(c, now, p, "site.create", "site", std::to_string(id), "success",
                       {{"before", nullptr}, {"after", site}}));
    return site;
  });
  if (r) Announce({ContentChange::What::kSite, ContentChange::How::kCreated, (*r)["id"].get<int64_t>(), (*r)["id"].get<int64_t>()});
  return r;
}

Result<json> Service::UpdateSite(const Principal& p, int64_t id, const json& body) {
  auto exists = db_->Read([&](Conn& c) -> Status { return LoadSite(c, id).map([](Row) {}); });
  if (!exists) return Fail(std::move(exists.error()));
  ZQ_TRY(CanManageSite(p, id));
  ZQ_ASSIGN_OR_RETURN(SiteInput s, ParseSite(body, false));
  if (body.empty()) return GetSite(p, id);  // nothing to change, nothing to audit
  if ((s.code || s.domains || s.school_id || s.status) && !p.IsSysadmin()) {
    return Fail(Error::Forbidden("站点代码、域名、所属学校和开关状态只能由系统管理员修改"));
  }
  int64_t now = Now();
  auto r = db_->WriteValue<json>([&](Conn& c) -> Result<json> {
    ZQ_ASSIGN_OR_RETURN(json before, LoadSiteJson(c, id));
    if (s.code && *s.code != before["code"]) {
      ZQ_ASSIGN_OR_RETURN(int64_t dup, c.QueryInt("SELECT COUNT(*) FROM sites WHERE code = ? AND "
                                                  "id <> ?",
                                                  {*s.code, id}));
      if (dup > 0) return Fail(Error::Conflict("code", "站点代码 " + *s.code + " 已存在"));
    }
    ZQ_TRY(CheckSchool(c, s.school_id));
    if (s.domains) ZQ_TRY(CheckDomainsFree(c, *s.domains, id));
    if (s.theme && options_.check_theme) ZQ_TRY(options_.check_theme(*s.theme));
    auto set_text = [&](const char* col, const std::optional<std::string>& v) -> Status {
      if (!v) return {};
      return c.Exec(std::string("UPDATE sites SET ") + col + " = ? WHERE id = ?", {*v, id})
          .map([](int64_t) {});
    };
    ZQ_TRY(set_text("code", s.code));
    ZQ_TRY(set_text("name", s.name));
    ZQ_TRY(set_text("theme", s.theme));
    ZQ_TRY(set_text("status", s.status));
    ZQ_TRY(set_text("site_id_code", s.site_id_code));
    ZQ_TRY(set_text("icp", s.icp));
    ZQ_TRY(set_text("police_record", s.police_record));
    ZQ_TRY(set_text("sponsor", s.sponsor));
    ZQ_TRY(set_text("contact_name", s.contact_name));
    ZQ_TRY(set_text("contact_phone", s.contact_phone));
    ZQ_TRY(set_text("contact_email", s.contact_email));
    if (s.school_id) {
      ZQ_TRY(c.Exec("UPDATE sites SET school_id = ? WHERE id = ?", {store::Opt(*s.school_id), id}));
    }
    if (s.domains) ZQ_TRY(WriteDomains(c, id, *s.domains));
    ZQ_TRY(c.Exec("UPDATE sites SET updated_at = ? WHERE id = ?", {now, id}));
    ZQ_ASSIGN_OR_RETURN(json after, LoadSiteJson(c, id));
    json b = before, a = after;
    b.erase("updated_at");
    a.erase("updated_at");
    ZQ_TRY(
        AppendAudit(c, now, p, "site.update", "site", std::to_string(id), "success", Diff(b, a)));
    return after;
  });
  if (r) Announce({ContentChange::What::kSite, ContentChange::How::kUpdated, id, id});
  return r;
}

Status Service::DeleteSite(const Principal& p, int64_t id) {
  if (!p.IsSysadmin()) {
    auto exists = db_->Read([&](Conn& c) -> Status { return LoadSite(c, id).map([](Row) {}); });
    if (!exists) return exists;
    return Fail(Error::Forbidden("只有系统管理员可以删除站点"));
  }
  int64_t now = Now();
  auto r = db_->Write([&](Conn& c) -> Status {
    ZQ_ASSIGN_OR_RETURN(json before, LoadSiteJson(c, id));
    ZQ_ASSIGN_OR_RETURN(int64_t articles,
                        c.QueryInt("SELECT COUNT(*) FROM articles WHERE site_id = ?", {id}));
    if (articles > 0) {
      return Fail(Error::Conflict(
          "id", "站点仍有 " + std::to_string(articles) + " 篇信息，不能删除；如需停用请关闭站点"));
    }
    ZQ_TRY(c.Exec("UPDATE columns SET parent_id = NULL WHERE site_id = ?", {id}));
    ZQ_TRY(c.Exec("DELETE FROM sites WHERE id = ?", {id}));
    return AppendAudit(c, now, p, "site.delete", "site", std::to_string(id), "success",
                       {{"before", before}, {"after", nullptr}});
  });
  if (r) Announce({ContentChange::What::kSite, ContentChange::How::kDeleted, id, id});
  return r;
}

Result<json> Service::ListDepartments(const Principal& p) {
  if (p.IsAuditor()) return Fail(Error::Forbidden("审计管理员只能查看审计日志"));
  return db_->ReadValue<json>([&](Conn& c) -> Result<json> {
    auto rows = c.Query(
        "SELECT id, parent_id, kind, name, code, school_type, sort_order FROM departments ORDER "
        "BY sort_order, id");
    if (!rows) return Fail(std::move(rows.error()));
    json items = json::array();
    for (const auto& r : *rows) {
      items.push_back(
          {{"id", r.Int("id")},
           {"parent_id", r.IsNull("parent_id") ? json(nullptr) : json(r.Int("parent_id"))},
           {"kind", r.Text("kind")},
           {"name", r.Text("name")},
           {"code", r.Text("code")},
           {"school_type", r.Text("school_type")},
           {"sort_order", r.Int("sort_order")}});
    }
    return json{{"items", items}, {"total", items.size()}};
  });
}

Result<json> Service::CreateDepartment(const Principal& p, const json& body) {
  if (!p.IsSysadmin()) return Fail(Error::Forbidden("只有系统管理员可以管理部门"));
  ZQ_ASSIGN_OR_RETURN(Input in, Input::FromBody(body));
  ZQ_TRY(in.OnlyKnown({"name", "kind", "parent_id", "code", "school_type", "sort_order"}));
  ZQ_ASSIGN_OR_RETURN(auto name, in.Text("name", TextKind::kName, 100, true));
  ZQ_ASSIGN_OR_RETURN(auto kind, in.Enum("kind", {"school", "department"}, true));
  ZQ_ASSIGN_OR_RETURN(auto parent_id, in.Int("parent_id", true, 1, INT64_MAX));
  ZQ_ASSIGN_OR_RETURN(auto code, in.Text("code", TextKind::kCode, 64, false));
  ZQ_ASSIGN_OR_RETURN(auto school_type,
                      in.Enum("school_type",
                              {"kindergarten", "primary", "middle", "nine_year", "high", "complete",
                               "vocational", "special", "other"},
                              false));
  ZQ_ASSIGN_OR_RETURN(auto sort_order, in.Int("sort_order", false, -1000000, 1000000));
  int64_t now = Now();
  return db_->WriteValue<json>([&](Conn& c) -> Result<json> {
    auto parent = c.Query("SELECT kind FROM departments WHERE id = ?", {*parent_id});
    if (!parent) return Fail(std::move(parent.error()));
    if (parent->empty()) return Fail(Error::Invalid("parent_id", "parent_id 不是已有的部门"));
    if (*kind == "school" && parent->front().Text("kind") != "district") {
      return Fail(Error::Invalid("parent_id", "学校必须直属于区（district）"));
    }
    if (code && !code->empty()) {
      ZQ_ASSIGN_OR_RETURN(int64_t dup,
                          c.QueryInt("SELECT COUNT(*) FROM departments WHERE code = ?", {*code}));
      if (dup > 0) return Fail(Error::Conflict("code", "部门代码 " + *code + " 已存在"));
    }
    auto rows = c.Query(
        "INSERT INTO departments (parent_id, kind, name, code, school_type, sort_order, "
        "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        {*parent_id, *kind, *name, code && !code->empty() ? store::Value(*code) : store::Null(),
         school_type ? store::Value(*school_type) : store::Null(), sort_order.value_or(0), now,
         now});
    if (!rows) return Fail(std::move(rows.error()));
    int64_t id = rows->front().Int("id");
    json out = {{"id", id},
                {"parent_id", *parent_id},
                {"kind", *kind},
                {"name", *name},
                {"code", code.value_or("")},
                {"school_type", school_type.value_or("")},
                {"sort_order", sort_order.value_or(0)}};
    ZQ_TRY(AppendAudit(c, now, p, "department.create", "department", std::to_string(id), "success",
                       {{"before", nullptr}, {"after", out}}));
    return out;
  });
}

}  // namespace zhanqun::service
