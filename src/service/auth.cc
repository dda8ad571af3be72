#include <algorithm>

#include "core/text.h"
#include "security/crypto.h"
#include "security/password.h"
#include "service/internal.h"

namespace zhanqun::service {

using namespace internal;

namespace {

constexpr int64_t kMinute = 60 * 1000;
constexpr int64_t kDay = 24 * 60 * kMinute;
// A session ends after this long even when in use.
constexpr int64_t kSessionMaxAge = 12 * 60 * kMinute;
// last_seen_at is refreshed at most this often, to keep reads cheap.
constexpr int64_t kTouchInterval = 15 * 1000;

const std::string& DummyHash() {
  // Verified against when the user does not exist, so timing does not tell.
  static const std::string h = [] {
    auto r = security::HashPassword("not-a-real-password-Zq9!");
    return r ? *r : std::string();
  }();
  return h;
}

std::string PasswordChangeReason(const Row& u, const security::PasswordPolicy& policy,
                                 int64_t now) {
  if (u.Int("must_change_password") != 0) {
    return u.IsNull("last_login_at") ? "first_login" : "reset";
  }
  if (u.Int("password_changed_at") + int64_t{policy.expiry_days} * kDay < now) return "expired";
  return {};
}

}  // namespace

namespace {

// The policy in force, read inside the caller's transaction.
Result<security::PasswordPolicy> LoadPolicy(Conn& c, const security::PasswordPolicy& fallback) {
  auto rows = c.Query("SELECT value FROM settings WHERE key = 'password_policy'");
  if (!rows) return Fail(std::move(rows.error()));
  if (rows->empty()) return fallback;
  json j = json::parse(rows->front().Text("value"), nullptr, false);
  if (j.is_discarded()) return fallback;
  auto p = security::PasswordPolicy::FromJson(j);
  if (!p) return fallback;
  return *p;
}

}  // namespace

Result<security::PasswordPolicy> Service::Policy() {
  return db_->ReadValue<security::PasswordPolicy>(
      [&](Conn& c) { return LoadPolicy(c, options_.default_policy); });
}

Result<LoginResult> Service::Login(const std::string& username, const std::string& password,
                                   const std::string& ip, const std::string& user_agent) {
  ZQ_TRY(CheckLine("username", username, 64, true));
  if (password.empty()) return Fail(Error::Invalid("password", "password 不能为空"));
  if (password.size() > 512) return Fail(Error::Invalid("password", "password 过长"));
  ZQ_ASSIGN_OR_RETURN(security::PasswordPolicy policy, Policy());

  auto user = db_->ReadValue<std::optional<Row>>([&](Conn& c) -> Result<std::optional<Row>> {
    auto rows = c.Query(
        std::string("SELECT ") + kUserCols + ", password_hash FROM users WHERE username = ?",
        {username});
    if (!rows) return Fail(std::move(rows.error()));
    if (rows->empty()) return std::optional<Row>();
    return std::optional<Row>(rows->front());
  });
  if (!user) return Fail(std::move(user.error()));
  int64_t now = Now();
  Principal who;
  who.username = username;
  who.ip = ip;
  auto refuse = [&](Error e, const std::string& reason) -> Result<LoginResult> {
    (void)RecordEvent(who, "auth.login", "user", who.user_id ? std::to_string(who.user_id) : "",
                      "failure", {{"reason", reason}, {"user_agent", user_agent}});
    return Fail(std::move(e));
  };
  Error bad{Code::kUnauthenticated, "用户名或密码错误", "password", {}};
  if (!*user) {
    (void)security::VerifyPassword(DummyHash(), password);
    return refuse(bad, "unknown_user");
  }
  const Row& u = **user;
  who.user_id = u.Int("id");
  if (u.Int("locked_until") > now) {
    int64_t minutes = (u.Int("locked_until") - now + kMinute - 1) / kMinute;
    return refuse(
        Error{Code::kLocked,
              "账号已被锁定，请 " + std::to_string(minutes) + " 分钟后再试或联系安全管理员解锁",
              "username",
              {}},
        "locked");
  }
  if (!security::VerifyPassword(u.Text("password_hash"), password)) {
    bool now_locked = false;
    auto st = db_->Write([&](Conn& c) -> Status {
      auto rows = c.Query(
          "UPDATE users SET failed_logins = failed_logins + 1 WHERE id = ? RETURNING failed_logins",
          {who.user_id});
      if (!rows) return Fail(std::move(rows.error()));
      int64_t failures = rows->empty() ? 0 : rows->front().Int("failed_logins");
      json detail = {{"reason", "bad_password"}, {"failed_logins", failures}};
      if (failures >= policy.max_failures) {
        now_locked = true;
        int64_t until = now + int64_t{policy.lockout_minutes} * kMinute;
        ZQ_TRY(c.Exec("UPDATE users SET locked_until = ?, failed_logins = 0 WHERE id = ?",
                      {until, who.user_id}));
        detail["locked_until"] = until;
      }
      return AppendAudit(c, now, who, "auth.login", "user", std::to_string(who.user_id), "failure",
                         detail);
    });
    if (!st) return Fail(std::move(st.error()));
    if (now_locked) {
      return Fail(Error{Code::kLocked,
                        "密码连续错误 " + std::to_string(policy.max_failures) + " 次，账号已锁定 " +
                            std::to_string(policy.lockout_minutes) + " 分钟",
                        "username",
                        {}});
    }
    return Fail(bad);
  }
  if (u.Text("status") != "active") return refuse(Error::Forbidden("账号已停用"), "disabled");
  if (!u.IsNull("expires_at") && u.Int("expires_at") < now) {
    return refuse(Error::Forbidden("账号已过期，请联系系统管理员"), "expired_account");
  }

  LoginResult out;
  out.token = security::RandomToken(32);
  out.csrf = security::RandomToken(32);
  out.password_change_reason = PasswordChangeReason(u, policy, now);
  out.password_change_required = !out.password_change_reason.empty();
  std::string token_hash = security::Sha256Hex(out.token);
  auto st = db_->Write([&](Conn& c) -> Status {
    ZQ_TRY(
        c.Exec("UPDATE users SET failed_logins = 0, locked_until = 0, last_login_at = ?, "
               "last_login_ip = ? WHERE id = ?",
               {now, ip, who.user_id}));
    ZQ_TRY(
        c.Exec("INSERT INTO sessions (token_hash, user_id, csrf, created_at, last_seen_at, ip, "
               "user_agent) VALUES (?, ?, ?, ?, ?, ?, ?)",
               {token_hash, who.user_id, out.csrf, now, now, ip, user_agent.substr(0, 256)}));
    // Sessions idle past the timeout are of no use to anyone.
    ZQ_TRY(c.Exec("DELETE FROM sessions WHERE last_seen_at < ? OR created_at < ?",
                  {now - int64_t{policy.idle_timeout_minutes} * kMinute, now - kSessionMaxAge}));
    return AppendAudit(c, now, who, "auth.login", "user", std::to_string(who.user_id), "success",
                       {{"user_agent", user_agent.substr(0, 256)},
                        {"password_change_required", out.password_change_required}});
  });
  if (!st) return Fail(std::move(st.error()));
  out.user = UserJson(u);
  out.user["must_change_password"] = out.password_change_required;
  return out;
}

Result<Session> Service::Authenticate(const std::string& token, const std::string& ip) {
  if (token.empty() || token.size() > 128) return Fail(Error::Unauthenticated());
  std::string token_hash = security::Sha256Hex(token);
  int64_t now = Now();
  bool touch = false;
  // One read transaction for the policy, the session and the grants: every
  // API request passes here.
  auto loaded =
      db_->ReadValue<std::optional<Session>>([&](Conn& c) -> Result<std::optional<Session>> {
        ZQ_ASSIGN_OR_RETURN(security::PasswordPolicy policy,
                            LoadPolicy(c, options_.default_policy));
        int64_t idle = int64_t{policy.idle_timeout_minutes} * kMinute;
        auto rows = c.Query(
            "SELECT s.csrf, s.last_seen_at, s.created_at AS session_created, u.id, u.username, "
            "u.platform_role, u.department_id, u.status, u.expires_at, u.must_change_password, "
            "u.password_changed_at, u.last_login_at FROM sessions s JOIN users u ON u.id = "
            "s.user_id WHERE s.token_hash = ?",
            {token_hash});
        if (!rows) return Fail(std::move(rows.error()));
        if (rows->empty()) return std::optional<Session>();
        const Row& r = rows->front();
        if (r.Int("last_seen_at") + idle < now || r.Int("session_created") + kSessionMaxAge < now)
          return std::optional<Session>();
        if (r.Text("status") != "active") return std::optional<Session>();
        if (!r.IsNull("expires_at") && r.Int("expires_at") < now) return std::optional<Session>();
        Session s;
        s.csrf = r.Text("csrf");
        s.token_hash = token_hash;
        s.principal.user_id = r.Int("id");
        s.principal.username = r.Text("username");
        s.principal.platform_role = r.Text("platform_role");
        s.principal.department_id = r.Int("department_id");
        s.principal.ip = ip;
        s.principal.must_change_password = !PasswordChangeReason(r, policy, now).empty();
        ZQ_TRY(LoadGrants(c, s.principal));
        touch = now - r.Int("last_seen_at") > kTouchInterval;
        return std::optional<Session>(std::move(s));
      });
  if (!loaded) return Fail(std::move(loaded.error()));
  if (!*loaded) {
    (void)db_->Write([&](Conn& c) -> Status {
      return c.Exec("DELETE FROM sessions WHERE token_hash = ?", {token_hash}).map([](int64_t) {});
    });
    return Fail(Error::Unauthenticated("会话已失效或超时，请重新登录"));
  }
  Session s = std::move(**loaded);
  if (touch) {
    (void)db_->Write([&](Conn& c) -> Status {
      return c
          .Exec("UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?", {now, s.token_hash})
          .map([](int64_t) {});
    });
  }
  return s;
}

Status Service::Logout(const Session& session) {
  return db_->Write([&](Conn& c) -> Status {
    ZQ_TRY(c.Exec("DELETE FROM sessions WHERE token_hash = ?", {session.token_hash}));
    return AppendAudit(c, Now(), session.principal, "auth.logout", "user",
                       std::to_string(session.principal.user_id), "success", json::object());
  });
}

namespace {

// Validates a new password against the policy and the user's history; returns
// its hash. Argon2id work happens here, outside any transaction.
Result<std::string> PrepareNewPassword(store::Db& db, const security::PasswordPolicy& policy,
                                       int64_t user_id, const std::string& username,
                                       const std::string& password, const char* field) {
  auto strength = security::CheckPasswordStrength(policy, username, password);
  if (!strength) {
    strength.error().field = field;
    return Fail(std::move(strength.error()));
  }
  auto history =
      db.ReadValue<std::vector<std::string>>([&](Conn& c) -> Result<std::vector<std::string>> {
        auto rows =
            c.Query("SELECT hash FROM password_history WHERE user_id = ? ORDER BY id DESC LIMIT ?",
                    {user_id, int64_t{policy.history}});
        if (!rows) return Fail(std::move(rows.error()));
        std::vector<std::string> out;
        for (const auto& r : *rows) out.push_back(r.Text("hash"));
        return out;
      });
  if (!history) return Fail(std::move(history.error()));
  for (const auto& h : *history) {
    if (security::VerifyPassword(h, password)) {
      return Fail(Error::Invalid(
          field, "新密码不能与最近 " + std::to_string(policy.history) + " 次使用过的密码相同"));
    }
  }
  return security::HashPassword(password);
}

Status StorePassword(Conn& c, int64_t now, int64_t user_id, const std::string& hash, bool temporary,
                     int history) {
  ZQ_TRY(c.Exec(
      "UPDATE users SET password_hash = ?, password_changed_at = ?, must_change_password = ?, "
      "failed_logins = 0, locked_until = 0, updated_at = ? WHERE id = ?",
      {hash, now, int64_t{temporary ? 1 : 0}, now, user_id}));
  ZQ_TRY(c.Exec("INSERT INTO password_history (user_id, hash, created_at) VALUES (?, ?, ?)",
                {user_id, hash, now}));
  ZQ_TRY(
      c.Exec("DELETE FROM password_history WHERE user_id = ? AND id NOT IN (SELECT id FROM "
             "password_history WHERE user_id = ? ORDER BY id DESC LIMIT ?)",
             {user_id, user_id, int64_t{std::max(history, 24)}}));
  return {};
}

}  // namespace

Status Service::ChangeOwnPassword(const Session& session, const json& body) {
  ZQ_ASSIGN_OR_RETURN(Input in, Input::FromBody(body));
  ZQ_TRY(in.OnlyKnown({"old_password", "new_password"}));
  ZQ_ASSIGN_OR_RETURN(auto old_pw, in.Text("old_password", TextKind::kLine, 128, true));
  auto new_pw_field = body.find("new_password");
  if (new_pw_field == body.end() || !new_pw_field->is_string() ||
      new_pw_field->get_ref<const std::string&>().empty()) {
    return Fail(Error::Invalid("new_password", "new_password 不能为空"));
  }
  std::string new_pw = new_pw_field->get<std::string>();
  ZQ_ASSIGN_OR_RETURN(security::PasswordPolicy policy, Policy());
  const Principal& p = session.principal;
  auto current = db_->ReadValue<std::string>([&](Conn& c) -> Result<std::string> {
    auto r = c.QueryOne("SELECT password_hash FROM users WHERE id = ?", {p.user_id}, "用户");
    if (!r) return Fail(std::move(r.error()));
    return r->Text("password_hash");
  });
  if (!current) return Fail(std::move(current.error()));
  if (!security::VerifyPassword(*current, *old_pw)) {
    (void)RecordEvent(p, "auth.password_change", "user", std::to_string(p.user_id), "failure",
                      {{"reason", "bad_old_password"}});
    return Fail(Error::Invalid("old_password", "原密码不正确"));
  }
  if (*old_pw == new_pw) return Fail(Error::Invalid("new_password", "新密码不能与原密码相同"));
  ZQ_ASSIGN_OR_RETURN(std::string hash, PrepareNewPassword(*db_, policy, p.user_id, p.username,
                                                           new_pw, "new_password"));
  security::Wipe(new_pw);
  int64_t now = Now();
  return db_->Write([&](Conn& c) -> Status {
    ZQ_TRY(StorePassword(c, now, p.user_id, hash, false, policy.history));
    // Other sessions of this user end with the old password.
    ZQ_TRY(c.Exec("DELETE FROM sessions WHERE user_id = ? AND token_hash <> ?",
                  {p.user_id, session.token_hash}));
    return AppendAudit(c, now, p, "auth.password_change", "user", std::to_string(p.user_id),
                       "success", json::object());
  });
}

Status Service::SetPasswordByName(const std::string& username, const std::string& password,
                                  bool temporary) {
  ZQ_ASSIGN_OR_RETURN(security::PasswordPolicy policy, Policy());
  auto id = db_->ReadValue<int64_t>([&](Conn& c) -> Result<int64_t> {
    auto r = c.QueryOne("SELECT id FROM users WHERE username = ?", {username}, "用户");
    if (!r) return Fail(std::move(r.error()));
    return r->Int("id");
  });
  if (!id) return Fail(std::move(id.error()));
  ZQ_ASSIGN_OR_RETURN(std::string hash,
                      PrepareNewPassword(*db_, policy, *id, username, password, "password"));
  int64_t now = Now();
  Principal sys = Principal::System("cli");
  return db_->Write([&](Conn& c) -> Status {
    ZQ_TRY(StorePassword(c, now, *id, hash, temporary, policy.history));
    ZQ_TRY(c.Exec("DELETE FROM sessions WHERE user_id = ?", {*id}));
    return AppendAudit(c, now, sys, "user.set_password", "user", std::to_string(*id), "success",
                       {{"username", username}, {"temporary", temporary}});
  });
}

Result<json> Service::ResetPassword(const Principal& p, int64_t id) {
  if (!p.IsSysadmin()) return Fail(Error::Forbidden("只有系统管理员可以重置密码"));
  auto target = db_->ReadValue<Row>([&](Conn& c) { return LoadUser(c, id); });
  if (!target) return Fail(std::move(target.error()));
  if (!target->IsNull("platform_role")) {
    return Fail(Error::Forbidden(
        "三员账号的密码不能在控制台重置，请在服务器上使用 zhanqun user set-password"));
  }
  ZQ_ASSIGN_OR_RETURN(security::PasswordPolicy policy, Policy());
  std::string temp = security::GenerateTemporaryPassword(policy, target->Text("username"));
  ZQ_ASSIGN_OR_RETURN(std::string hash, security::HashPassword(temp));
  int64_t now = Now();
  auto st = db_->Write([&](Conn& c) -> Status {
    ZQ_TRY(StorePassword(c, now, id, hash, true, policy.history));
    ZQ_TRY(c.Exec("DELETE FROM sessions WHERE user_id = ?", {id}));
    return AppendAudit(c, now, p, "user.reset_password", "user", std::to_string(id), "success",
                       {{"username", target->Text("username")}});
  });
  if (!st) return Fail(std::move(st.error()));
  json out = {{"user_id", id}, {"temporary_password", temp}, {"must_change_password", true}};
  security::Wipe(temp);
  return out;
}

Result<json> Service::UnlockUser(const Principal& p, int64_t id) {
  if (!p.IsSecadmin()) return Fail(Error::Forbidden("只有安全管理员可以解锁账号"));
  int64_t now = Now();
  return db_->WriteValue<json>([&](Conn& c) -> Result<json> {
    ZQ_ASSIGN_OR_RETURN(Row before, LoadUser(c, id));
    ZQ_TRY(
        c.Exec("UPDATE users SET locked_until = 0, failed_logins = 0, updated_at = ? WHERE id = ?",
               {now, id}));
    ZQ_TRY(AppendAudit(c, now, p, "user.unlock", "user", std::to_string(id), "success",
                       {{"before",
                         {{"locked_until", before.Int("locked_until")},
                          {"failed_logins", before.Int("failed_logins")}}},
                        {"after", {{"locked_until", 0}, {"failed_logins", 0}}}}));
    ZQ_ASSIGN_OR_RETURN(Row after, LoadUser(c, id));
    return UserJson(after);
  });
}

Result<json> Service::GetSecuritySettings(const Principal& p) {
  if (!p.IsSecadmin()) return Fail(Error::Forbidden("只有安全管理员可以查看安全设置"));
  ZQ_ASSIGN_OR_RETURN(security::PasswordPolicy policy, Policy());
  return json{{"password_policy", policy.ToJson()},
              {"session",
               {{"idle_timeout_minutes", policy.idle_timeout_minutes},
                {"absolute_timeout_hours", kSessionMaxAge / (60 * kMinute)}}}};
}

Result<json> Service::UpdateSecuritySettings(const Principal& p, const json& body) {
  if (!p.IsSecadmin()) return Fail(Error::Forbidden("只有安全管理员可以修改安全设置"));
  ZQ_ASSIGN_OR_RETURN(Input in, Input::FromBody(body));
  ZQ_TRY(in.OnlyKnown({"password_policy"}));
  if (!body.contains("password_policy") || !body["password_policy"].is_object()) {
    return Fail(Error::Invalid("password_policy", "password_policy 必须是对象"));
  }
  ZQ_ASSIGN_OR_RETURN(security::PasswordPolicy current, Policy());
  json merged = current.ToJson();
  for (auto it = body["password_policy"].begin(); it != body["password_policy"].end(); ++it) {
    if (!merged.contains(it.key())) {
      return Fail(Error::Invalid(it.key(), "未知字段 " + it.key()));
    }
    merged[it.key()] = it.value();
  }
  ZQ_ASSIGN_OR_RETURN(security::PasswordPolicy next, security::PasswordPolicy::FromJson(merged));
  int64_t now = Now();
  auto st = db_->Write([&](Conn& c) -> Status {
    ZQ_TRY(c.Exec(
        "INSERT INTO settings (key, value, updated_at) VALUES ('password_policy', ?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        {next.ToJson().dump(), now}));
    return AppendAudit(c, now, p, "settings.update", "settings", "password_policy", "success",
                       Diff(current.ToJson(), next.ToJson()));
  });
  if (!st) return Fail(std::move(st.error()));
  return json{{"password_policy", next.ToJson()}};
}

Result<json> Service::Me(const Principal& p) {
  return db_->ReadValue<json>([&](Conn& c) -> Result<json> {
    ZQ_ASSIGN_OR_RETURN(Row u, LoadUser(c, p.user_id));
    json j = UserJson(u);
    j["must_change_password"] = p.must_change_password;
    json grants = json::array();
    auto rows = c.Query(
        "SELECT g.id, g.site_id, g.column_id, g.role, s.code, s.name FROM grants g JOIN sites s ON "
        "s.id = g.site_id WHERE g.user_id = ? ORDER BY g.site_id, g.id",
        {p.user_id});
    if (!rows) return Fail(std::move(rows.error()));
    for (const auto& r : *rows) {
      grants.push_back(
          {{"id", r.Int("id")},
           {"site_id", r.Int("site_id")},
           {"site_code", r.Text("code")},
           {"site_name", r.Text("name")},
           {"column_id", r.IsNull("column_id") ? json(nullptr) : json(r.Int("column_id"))},
           {"role", r.Text("role")}});
    }
    j["grants"] = grants;
    return j;
  });
}

}  // namespace zhanqun::service
