#include "service/service.h"

#include <chrono>

#include "security/crypto.h"
#include "security/password.h"
#include "service/internal.h"

namespace zhanqun::service {

using internal::Conn;
using internal::Row;

std::string_view SiteRoleName(SiteRole r) {
  switch (r) {
    case SiteRole::kSiteAdmin:
      return "site_admin";
    case SiteRole::kEditor:
      return "editor";
    case SiteRole::kReviewer:
      return "reviewer";
  }
  return "editor";
}

std::optional<SiteRole> ParseSiteRole(std::string_view s) {
  if (s == "site_admin") return SiteRole::kSiteAdmin;
  if (s == "editor") return SiteRole::kEditor;
  if (s == "reviewer") return SiteRole::kReviewer;
  return std::nullopt;
}

bool Principal::HasSite(int64_t site_id) const {
  for (const auto& g : grants) {
    if (g.site_id == site_id) return true;
  }
  return false;
}

bool Principal::HasRole(int64_t site_id, SiteRole role, std::optional<int64_t> column_id) const {
  for (const auto& g : grants) {
    if (g.site_id != site_id) continue;
    // A 站点管理员 holds every role on the site.
    if (g.role == SiteRole::kSiteAdmin && !g.column_id) return true;
    if (g.role != role) continue;
    if (!g.column_id) return true;
    if (column_id && *g.column_id == *column_id) return true;
  }
  return false;
}

bool Principal::HasRoleSomewhere(int64_t site_id, SiteRole role) const {
  for (const auto& g : grants) {
    if (g.site_id != site_id) continue;
    if (g.role == role || (g.role == SiteRole::kSiteAdmin && !g.column_id)) return true;
  }
  return false;
}

Principal Principal::System(std::string what) {
  Principal p;
  p.username = "system:" + what;
  p.ip = "local";
  return p;
}

Service::Service(std::unique_ptr<store::Db> db, ServiceOptions options)
    : db_(std::move(db)), options_(std::move(options)) {}

Service::~Service() = default;

int64_t Service::Now() const {
  if (options_.now_ms) return options_.now_ms();
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

Result<std::vector<std::pair<std::string, std::string>>> Service::Bootstrap(
    std::string district_name) {
  std::vector<std::pair<std::string, std::string>> created;
  // Hash outside the transaction: Argon2id is slow on purpose.
  struct Account {
    const char* username;
    const char* display;
    const char* role;
    std::string password;
    std::string hash;
  };
  std::vector<Account> accounts = {{"sysadmin", "系统管理员", "sysadmin", {}, {}},
                                   {"secadmin", "安全管理员", "secadmin", {}, {}},
                                   {"auditor", "审计管理员", "auditor", {}, {}}};
  for (auto& a : accounts) {
    a.password = security::GenerateTemporaryPassword();
    auto h = security::HashPassword(a.password);
    if (!h) return Fail(std::move(h.error()));
    a.hash = *h;
  }
  auto st = db_->Write([&](Conn& c) -> Status {
    int64_t now = Now();
    Principal sys = Principal::System("init");
    auto district = c.QueryInt("SELECT id FROM departments WHERE kind = 'district' LIMIT 1");
    if (!district) return Fail(std::move(district.error()));
    int64_t district_id = *district;
    if (district_id == 0) {
      auto rows = c.Query(
          "INSERT INTO departments (parent_id, kind, name, code, sort_order, created_at, "
          "updated_at) VALUES (NULL, 'district', ?, 'district', 0, ?, ?) RETURNING id",
          {district_name, now, now});
      if (!rows) return Fail(std::move(rows.error()));
      district_id = rows->front().Int("id");
      ZQ_TRY(AppendAudit(c, now, sys, "department.create", "department",
                         std::to_string(district_id), "success",
                         {{"after", {{"name", district_name}, {"kind", "district"}}}}));
    }
    for (auto& a : accounts) {
      auto have =
          c.QueryInt("SELECT COUNT(*) FROM users WHERE platform_role = ?", {std::string(a.role)});
      if (!have) return Fail(std::move(have.error()));
      if (*have > 0) continue;
      auto rows = c.Query(
          "INSERT INTO users (username, display_name, department_id, platform_role, "
          "password_hash, password_changed_at, must_change_password, created_at, updated_at) "
          "VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING id",
          {std::string(a.username), std::string(a.display), district_id, std::string(a.role),
           a.hash, now, now, now});
      if (!rows) return Fail(std::move(rows.error()));
      int64_t id = rows->front().Int("id");
      ZQ_TRY(c.Exec("INSERT INTO password_history (user_id, hash, created_at) VALUES (?, ?, ?)",
                    {id, a.hash, now}));
      ZQ_TRY(AppendAudit(c, now, sys, "user.create", "user", std::to_string(id), "success",
                         {{"after", {{"username", a.username}, {"platform_role", a.role}}}}));
      created.emplace_back(a.username, a.password);
    }
    return {};
  });
  for (auto& a : accounts) security::Wipe(a.password);
  if (!st) return Fail(std::move(st.error()));
  return created;
}

}  // namespace zhanqun::service
