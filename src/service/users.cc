#include "security/crypto.h"
#include "security/password.h"
#include "core/text.h"
#include "service/internal.h"

namespace zhanqun::service {

using namespace internal;

Result<json> Service::ListUsers(const Principal& p, const Page& page, const json& f) {
  if (!p.IsSysadmin() && !p.IsSecadmin()) {
    return Fail(Error::Forbidden("只有系统管理员或安全管理员可以查看账号列表"));
  }
  return db_->ReadValue<json>([&](Conn& c) -> Result<json> {
    std::string where = " WHERE 1=1";
    store::Params params;
    std::string q = f.value("q", "");
    if (!q.empty()) {
      where += std::string(" AND (username LIKE ?") + kLikeEscape + " OR display_name LIKE ?" +
               kLikeEscape + ")";
      params.emplace_back(LikeContains(q));
      params.emplace_back(LikeContains(q));
    }
    if (f.contains("department_id")) {
      where += " AND department_id = ?";
      params.push_back(f["department_id"].get<int64_t>());
    }
    if (f.contains("platform")) {
      where += f["platform"].get<int64_t>() != 0 ? " AND platform_role IS NOT NULL"
                                                 : " AND platform_role IS NULL";
    }
    ZQ_ASSIGN_OR_RETURN(int64_t total, c.QueryInt("SELECT COUNT(*) FROM users" + where, params));
    params.push_back(page.page_size);
    params.push_back((page.page - 1) * page.page_size);
    auto rows = c.Query(std::string("SELECT ") + kUserCols + " FROM users" + where +
                            " ORDER BY username LIMIT ? OFFSET ?",
                        params);
    if (!rows) return Fail(std::move(rows.error()));
    json items = json::array();
    for (const auto& r : *rows) items.push_back(UserJson(r));
    return json{{"items", items}, {"total", total}};
  });
}

Result<json> Service::GetUser(const Principal& p, int64_t id) {
  if (!p.IsSysadmin() && !p.IsSecadmin() && p.user_id != id) {
    return Fail(Error::Forbidden("没有权限查看该账号"));
  }
  return db_->ReadValue<json>([&](Conn& c) -> Result<json> {
    ZQ_ASSIGN_OR_RETURN(Row r, LoadUser(c, id));
    return UserJson(r);
  });
}

Result<json> Service::CreateUser(const Principal& p, const json& body) {
  if (!p.IsSysadmin()) return Fail(Error::Forbidden("只有系统管理员可以创建账号"));
  ZQ_ASSIGN_OR_RETURN(Input in, Input::FromBody(body));
  ZQ_TRY(
      in.OnlyKnown({"username", "display_name", "department_id", "email", "phone", "expires_at"}));
  ZQ_ASSIGN_OR_RETURN(auto username, in.Text("username", TextKind::kCode, 64, true));
  ZQ_ASSIGN_OR_RETURN(auto display, in.Text("display_name", TextKind::kName, 50, true));
  ZQ_ASSIGN_OR_RETURN(auto dept, in.Int("department_id", true, 1, INT64_MAX));
  ZQ_ASSIGN_OR_RETURN(auto email, in.Text("email", TextKind::kEmail, 100, false));
  ZQ_ASSIGN_OR_RETURN(auto phone, in.Text("phone", TextKind::kLine, 32, false));
  ZQ_ASSIGN_OR_RETURN(auto expires, in.NullableInt("expires_at", 0, 253402300799000));
  if (*username == "admin" || *username == "root" || *username == "administrator") {
    return Fail(Error::Invalid("username", "不能使用默认账号名 " + *username));
  }
  ZQ_ASSIGN_OR_RETURN(security::PasswordPolicy policy, Policy());
  std::string temp = security::GenerateTemporaryPassword(policy, *username);
  ZQ_ASSIGN_OR_RETURN(std::string hash, security::HashPassword(temp));
  int64_t now = Now();
  auto created = db_->WriteValue<json>([&](Conn& c) -> Result<json> {
    ZQ_ASSIGN_OR_RETURN(int64_t dup,
                        c.QueryInt("SELECT COUNT(*) FROM users WHERE username = ?", {*username}));
    if (dup > 0) return Fail(Error::Conflict("username", "用户名 " + *username + " 已存在"));
    ZQ_ASSIGN_OR_RETURN(int64_t dept_ok,
                        c.QueryInt("SELECT COUNT(*) FROM departments WHERE id = ?", {*dept}));
    if (dept_ok == 0) return Fail(Error::Invalid("department_id", "department_id 不是已有的部门"));
    auto rows = c.Query(
        "INSERT INTO users (username, display_name, department_id, password_hash, "
        "password_changed_at, must_change_password, email, phone, expires_at, created_at, "
        "updated_at) VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?) RETURNING id",
        {*username, *display, *dept, hash, now, email.value_or(""), phone.value_or(""),
         expires ? store::Opt(*expires) : store::Null(), now, now});
    if (!rows) return Fail(std::move(rows.error()));
    int64_t id = rows->front().Int("id");
    ZQ_TRY(c.Exec("INSERT INTO password_history (user_id, hash, created_at) VALUES (?, ?, ?)",
                  {id, hash, now}));
    ZQ_ASSIGN_OR_RETURN(Row r, LoadUser(c, id));
    json out = UserJson(r);
    ZQ_TRY(AppendAudit(c, now, p, "user.create", "user", std::to_string(id), "success",
                       {{"before", nullptr}, {"after", out}}));
    return out;
  });
  if (!created) return Fail(std::move(created.error()));
  json out = {{"user", *created}, {"temporary_password", temp}};
  security::Wipe(temp);
  return out;
}

Result<json> Service::UpdateUser(const Principal& p, int64_t id, const json& body) {
  bool self = p.user_id == id;
  if (!p.IsSysadmin() && !self) return Fail(Error::Forbidden("没有权限修改该账号"));
  ZQ_ASSIGN_OR_RETURN(Input in, Input::FromBody(body));
  ZQ_TRY(in.OnlyKnown({"display_name", "department_id", "email", "phone", "status", "expires_at"}));
  ZQ_ASSIGN_OR_RETURN(auto display, in.NonEmptyText("display_name", TextKind::kName, 50));
  ZQ_ASSIGN_OR_RETURN(auto dept, in.Int("department_id", false, 1, INT64_MAX));
  ZQ_ASSIGN_OR_RETURN(auto email, in.Text("email", TextKind::kEmail, 100, false));
  ZQ_ASSIGN_OR_RETURN(auto phone, in.Text("phone", TextKind::kLine, 32, false));
  ZQ_ASSIGN_OR_RETURN(auto status, in.Enum("status", {"active", "disabled"}, false));
  ZQ_ASSIGN_OR_RETURN(auto expires, in.NullableInt("expires_at", 0, 253402300799000));
  int64_t now = Now();
  return db_->WriteValue<json>([&](Conn& c) -> Result<json> {
    ZQ_ASSIGN_OR_RETURN(Row before_row, LoadUser(c, id));
    if (body.empty()) return UserJson(before_row);
    bool platform = !before_row.IsNull("platform_role");
    if ((dept || status || expires) && (!p.IsSysadmin() || platform)) {
      return Fail(Error::Forbidden(platform ? "三员账号的部门、状态和有效期不能修改"
                                            : "只有系统管理员可以修改部门、状态和有效期"));
    }
    if (platform && !self) return Fail(Error::Forbidden("三员账号只能由本人修改资料"));
    if (dept) {
      ZQ_ASSIGN_OR_RETURN(int64_t ok,
                          c.QueryInt("SELECT COUNT(*) FROM departments WHERE id = ?", {*dept}));
      if (ok == 0) return Fail(Error::Invalid("department_id", "department_id 不是已有的部门"));
    }
    json before = UserJson(before_row);
    auto set = [&](const char* col, const store::Value& v) -> Status {
      return c.Exec(std::string("UPDATE users SET ") + col + " = ? WHERE id = ?", {v, id})
          .map([](int64_t) {});
    };
    if (display) ZQ_TRY(set("display_name", *display));
    if (dept) ZQ_TRY(set("department_id", *dept));
    if (email) ZQ_TRY(set("email", *email));
    if (phone) ZQ_TRY(set("phone", *phone));
    if (status) ZQ_TRY(set("status", *status));
    if (expires) ZQ_TRY(set("expires_at", store::Opt(*expires)));
    ZQ_TRY(set("updated_at", now));
    if (status && *status == "disabled") {
      ZQ_TRY(c.Exec("DELETE FROM sessions WHERE user_id = ?", {id}));
    }
    ZQ_ASSIGN_OR_RETURN(Row after_row, LoadUser(c, id));
    json after = UserJson(after_row);
    json b = before, a = after;
    b.erase("updated_at");
    a.erase("updated_at");
    ZQ_TRY(
        AppendAudit(c, now, p, "user.update", "user", std::to_string(id), "success", Diff(b, a)));
    return after;
  });
}

Result<json> Service::ListGrants(const Principal& p, int64_t user_id) {
  if (!p.IsSysadmin() && p.user_id != user_id) return Fail(Error::Forbidden("没有权限查看授权"));
  return db_->ReadValue<json>([&](Conn& c) -> Result<json> {
    ZQ_TRY(LoadUser(c, user_id));
    auto rows = c.Query(
        "SELECT g.id, g.user_id, g.site_id, g.column_id, g.role, g.created_at, s.code AS "
        "site_code, s.name AS site_name FROM grants g JOIN sites s ON s.id = g.site_id WHERE "
        "g.user_id = ? ORDER BY g.site_id, g.id",
        {user_id});
    if (!rows) return Fail(std::move(rows.error()));
    json items = json::array();
    for (const auto& r : *rows) {
      items.push_back(
          {{"id", r.Int("id")},
           {"user_id", r.Int("user_id")},
           {"site_id", r.Int("site_id")},
           {"site_code", r.Text("site_code")},
           {"site_name", r.Text("site_name")},
           {"column_id", r.IsNull("column_id") ? json(nullptr) : json(r.Int("column_id"))},
           {"role", r.Text("role")},
           {"created_at", r.Int("created_at")}});
    }
    return json{{"items", items}, {"total", items.size()}};
  });
}

Result<json> Service::AddGrant(const Principal& p, int64_t user_id, const json& body) {
  if (!p.IsSysadmin()) return Fail(Error::Forbidden("只有系统管理员可以分配站点权限"));
  ZQ_ASSIGN_OR_RETURN(Input in, Input::FromBody(body));
  ZQ_TRY(in.OnlyKnown({"site_id", "column_id", "role"}));
  ZQ_ASSIGN_OR_RETURN(auto site_id, in.Int("site_id", true, 1, INT64_MAX));
  ZQ_ASSIGN_OR_RETURN(auto column_id, in.NullableInt("column_id", 1, INT64_MAX));
  ZQ_ASSIGN_OR_RETURN(auto role, in.Enum("role", {"site_admin", "editor", "reviewer"}, true));
  std::optional<int64_t> col = column_id ? *column_id : std::nullopt;
  if (col && *role == "site_admin") {
    return Fail(Error::Invalid("column_id", "站点管理员只能按整个站点授权"));
  }
  int64_t now = Now();
  return db_->WriteValue<json>([&](Conn& c) -> Result<json> {
    ZQ_ASSIGN_OR_RETURN(Row u, LoadUser(c, user_id));
    if (!u.IsNull("platform_role")) {
      return Fail(Error::Invalid("user_id", "三员账号不能再授予站点角色（三员分立）"));
    }
    ZQ_ASSIGN_OR_RETURN(int64_t site_ok,
                        c.QueryInt("SELECT COUNT(*) FROM sites WHERE id = ?", {*site_id}));
    if (site_ok == 0) return Fail(Error::Invalid("site_id", "site_id 不是已有的站点"));
    if (col) {
      ZQ_ASSIGN_OR_RETURN(int64_t ok, c.QueryInt("SELECT COUNT(*) FROM columns WHERE id = ? AND "
                                                 "site_id = ?",
                                                 {*col, *site_id}));
      if (ok == 0) return Fail(Error::Invalid("column_id", "column_id 不是该站点的栏目"));
    }
    ZQ_ASSIGN_OR_RETURN(int64_t dup,
                        c.QueryInt("SELECT COUNT(*) FROM grants WHERE user_id = ? AND site_id = ? "
                                   "AND COALESCE(column_id, 0) = ? AND role = ?",
                                   {user_id, *site_id, col.value_or(0), *role}));
    if (dup > 0) return Fail(Error::Conflict("role", "该授权已存在"));
    auto rows = c.Query(
        "INSERT INTO grants (user_id, site_id, column_id, role, created_at) VALUES (?, ?, ?, ?, "
        "?) RETURNING id",
        {user_id, *site_id, store::Opt(col), *role, now});
    if (!rows) return Fail(std::move(rows.error()));
    int64_t id = rows->front().Int("id");
    json out = {{"id", id},
                {"user_id", user_id},
                {"site_id", *site_id},
                {"column_id", col ? json(*col) : json(nullptr)},
                {"role", *role},
                {"created_at", now}};
    ZQ_TRY(AppendAudit(c, now, p, "grant.create", "grant", std::to_string(id), "success",
                       {{"before", nullptr}, {"after", out}}));
    return out;
  });
}

Status Service::RemoveGrant(const Principal& p, int64_t grant_id) {
  if (!p.IsSysadmin()) return Fail(Error::Forbidden("只有系统管理员可以撤销站点权限"));
  int64_t now = Now();
  return db_->Write([&](Conn& c) -> Status {
    ZQ_ASSIGN_OR_RETURN(Row g, c.QueryOne("SELECT id, user_id, site_id, column_id, role FROM "
                                          "grants WHERE id = ?",
                                          {grant_id}, "授权"));
    ZQ_TRY(c.Exec("DELETE FROM grants WHERE id = ?", {grant_id}));
    return AppendAudit(
        c, now, p, "grant.delete", "grant", std::to_string(grant_id), "success",
        {{"before",
          {{"user_id", g.Int("user_id")},
           {"site_id", g.Int("site_id")},
           {"column_id", g.IsNull("column_id") ? json(nullptr) : json(g.Int("column_id"))},
           {"role", g.Text("role")}}},
         {"after", nullptr}});
  });
}

}  // namespace zhanqun::service
