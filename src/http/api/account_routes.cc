#include "http/api/api.h"
#include "http/api/internal.h"
#include "security/crypto.h"
#include "zhanqun/version.h"

namespace zhanqun::http {

using namespace api;

namespace {
// What a user whose password must change may still do: see who they are,
// change it, leave.
const RouteFlags kDuringPasswordChange{.during_password_change = true, .multipart = false};
}  // namespace

void Api::AddAccountRoutes() {
  Add("GET", "/api/v1/health", Owner::Anyone(), "健康检查", [](Call&) -> Result<Reply> {
    return Reply{200, {{"status", "ok"}, {"version", kVersion}}, {}, {}, {}};
  });
  // --- auth -------------------------------------------------------------
  Add("POST", "/api/v1/auth/login", Owner::Anyone(), "登录", [this](Call& c) -> Result<Reply> {
    if (!impl_->limiter.Allow(c.req.remote_addr)) {
      return Fail(Error{Code::kRateLimited, "登录尝试过于频繁，请稍后再试", "", {}});
    }
    if (!c.body.is_object()) return Fail(Error::Invalid("body", "请求体必须是 JSON 对象"));
    auto str = [&](const char* k) -> Result<std::string> {
      if (!c.body.contains(k) || !c.body[k].is_string()) {
        return Fail(Error::Invalid(k, std::string(k) + " 必须是字符串"));
      }
      return c.body[k].get<std::string>();
    };
    ZQ_ASSIGN_OR_RETURN(std::string username, str("username"));
    ZQ_ASSIGN_OR_RETURN(std::string password, str("password"));
    auto r = service_.Login(username, password, c.req.remote_addr,
                            std::string(c.req.Header("user-agent")));
    security::Wipe(password);
    if (!r) return Fail(std::move(r.error()));
    bool secure =
        options_.cookie_secure == "always" || (options_.cookie_secure == "auto" && c.req.tls);
    Reply reply{200,
                {{"user", r->user},
                 {"csrf", r->csrf},
                 {"password_change_required", r->password_change_required},
                 {"password_change_reason", r->password_change_reason}},
                {},
                {},
                {}};
    reply.headers.emplace_back("Set-Cookie", std::string(kCookie) + "=" + r->token +
                                                 "; Path=/; HttpOnly; SameSite=Strict" +
                                                 (secure ? "; Secure" : ""));
    return reply;
  });
  Add(
      "POST", "/api/v1/auth/logout", Owner::SignedIn(), "退出登录",
      [this](Call& c) -> Result<Reply> {
        ZQ_TRY(service_.Logout(*c.session));
        Reply reply{204, nullptr, {}, {}, {}};
        reply.headers.emplace_back(
            "Set-Cookie", std::string(kCookie) + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
        return reply;
      },
      kDuringPasswordChange);
  Add(
      "POST", "/api/v1/auth/password", Owner::SignedIn(), "修改本人密码",
      [this](Call& c) { return NoContent(service_.ChangeOwnPassword(*c.session, c.body)); },
      kDuringPasswordChange);
  Add(
      "GET", "/api/v1/me", Owner::SignedIn(), "当前用户",
      [this](Call& c) -> Result<Reply> {
        ZQ_ASSIGN_OR_RETURN(json me, service_.Me(c.who()));
        return Reply{200, {{"user", me}, {"csrf", c.session->csrf}}, {}, {}, {}};
      },
      kDuringPasswordChange);
  // --- departments --------------------------------------------------------
  Add("GET", "/api/v1/departments", Owner::SignedIn(), "部门与学校列表",
      [this](Call& c) { return Ok(service_.ListDepartments(c.who())); });
  Add("POST", "/api/v1/departments", Owner::Roles({"sysadmin"}), "新建部门或学校",
      [this](Call& c) { return Ok(service_.CreateDepartment(c.who(), c.body), 201); });
  // --- users and grants --------------------------------------------------
  Add("GET", "/api/v1/users", Owner::Roles({"sysadmin", "secadmin"}), "账号列表",
      [this](Call& c) -> Result<Reply> {
        ZQ_ASSIGN_OR_RETURN(auto page, ParsePage(c.req));
        ZQ_ASSIGN_OR_RETURN(json f, Filters(c.req, {"department_id", "platform"}, {"q"}));
        if (f.contains("platform") && f["platform"] != 0 && f["platform"] != 1) {
          return Fail(Error::Invalid("platform", "platform 必须是 0 或 1"));
        }
        return Ok(service_.ListUsers(c.who(), page, f));
      });
  Add("POST", "/api/v1/users", Owner::Roles({"sysadmin"}), "新建账号",
      [this](Call& c) { return Ok(service_.CreateUser(c.who(), c.body), 201); });
  Add("GET", "/api/v1/users/{id}", Owner::RolesOrSelf({"sysadmin", "secadmin"}), "账号详情",
      [this](Call& c) { return Ok(service_.GetUser(c.who(), c.Id())); });
  Add("PATCH", "/api/v1/users/{id}", Owner::RolesOrSelf({"sysadmin"}), "修改账号",
      [this](Call& c) { return Ok(service_.UpdateUser(c.who(), c.Id(), c.body)); });
  Add("POST", "/api/v1/users/{id}/reset-password", Owner::Roles({"sysadmin"}), "重置密码",
      [this](Call& c) { return Ok(service_.ResetPassword(c.who(), c.Id())); });
  Add("POST", "/api/v1/users/{id}/unlock", Owner::Roles({"secadmin"}), "解锁账号",
      [this](Call& c) { return Ok(service_.UnlockUser(c.who(), c.Id())); });
  Add("GET", "/api/v1/users/{id}/grants", Owner::RolesOrSelf({"sysadmin"}), "账号的站点权限",
      [this](Call& c) { return Ok(service_.ListGrants(c.who(), c.Id())); });
  Add("POST", "/api/v1/users/{id}/grants", Owner::Roles({"sysadmin"}), "分配站点权限",
      [this](Call& c) { return Ok(service_.AddGrant(c.who(), c.Id(), c.body), 201); });
  Add("DELETE", "/api/v1/grants/{id}", Owner::Roles({"sysadmin"}), "撤销站点权限",
      [this](Call& c) { return NoContent(service_.RemoveGrant(c.who(), c.Id())); });
  // --- security settings (安全管理员) ---------------------------------------
  Add("GET", "/api/v1/settings/security", Owner::Roles({"secadmin"}), "安全设置",
      [this](Call& c) { return Ok(service_.GetSecuritySettings(c.who())); });
  Add("PATCH", "/api/v1/settings/security", Owner::Roles({"secadmin"}), "修改安全设置",
      [this](Call& c) { return Ok(service_.UpdateSecuritySettings(c.who(), c.body)); });
}

}  // namespace zhanqun::http
