// Accounts, sessions and the 等保 password rules, through the HTTP API.
#include <gtest/gtest.h>

#include "support/fixture.h"

namespace zhanqun::testing {
namespace {

TEST(Auth, WrongPasswordIs401AndNamesNoUser) {
  TestPlatform tp;
  Client c(tp.admin_base());
  auto r = c.Login("sysadmin", "wrong-Password-1");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.Json()["error"]["code"], "unauthenticated");
  auto unknown = c.Login("nobody", "wrong-Password-1");
  EXPECT_EQ(unknown.status, 401);
  EXPECT_EQ(unknown.Json()["error"]["message"], r.Json()["error"]["message"]);
}

TEST(Auth, LocksAfterFiveFailuresAndSecadminUnlocks) {
  TestPlatform tp;
  District d = BuildDistrict(tp);
  Client c(tp.admin_base());
  for (int i = 0; i < 4; ++i) EXPECT_EQ(c.Login("a_editor", "Bad-Pass-123").status, 401);
  auto fifth = c.Login("a_editor", "Bad-Pass-123");
  EXPECT_EQ(fifth.status, 423) << fifth.body;
  // Even the right password is refused while locked.
  auto locked = c.Login("a_editor", TestPlatform::kPassword);
  EXPECT_EQ(locked.status, 423);
  EXPECT_EQ(locked.Json()["error"]["code"], "locked");
  Client sec = tp.As("secadmin");
  auto unlock =
      sec.Post("/api/v1/users/" + std::to_string(d.users["a_editor"]) + "/unlock", json::object());
  EXPECT_EQ(unlock.status, 200) << unlock.body;
  EXPECT_EQ(c.Login("a_editor", TestPlatform::kPassword).status, 200);
}

TEST(Auth, StateChangeWithoutCsrfTokenIs403) {
  TestPlatform tp;
  Client c = tp.As("sysadmin");
  auto r = c.Request("POST", "/api/v1/sites",
                     json{{"code", "x1"}, {"name", "X"}, {"domains", {"x1.test"}}}.dump(), {},
                     /*send_csrf=*/false);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.Json()["error"]["field"], "X-CSRF-Token");
  auto wrong = c.Request("POST", "/api/v1/sites",
                         json{{"code", "x1"}, {"name", "X"}, {"domains", {"x1.test"}}}.dump(),
                         {"X-CSRF-Token: 00"}, false);
  EXPECT_EQ(wrong.status, 403);
  auto list = c.Get("/api/v1/sites");
  EXPECT_EQ(list.Json()["total"], 0) << "nothing was created";
}

TEST(Auth, SessionCookieIsHttpOnlyAndStrict) {
  TestPlatform tp;
  Client c(tp.admin_base());
  auto r = c.Login("sysadmin", TestPlatform::kPassword);
  ASSERT_EQ(r.status, 200);
  const std::string& cookie = r.headers["set-cookie"];
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos);
  EXPECT_NE(cookie.find("SameSite=Strict"), std::string::npos);
  EXPECT_FALSE(r.Json()["csrf"].get<std::string>().empty());
}

TEST(Auth, IdleSessionExpiresAfterThirtyMinutes) {
  TestPlatform tp;
  Client c = tp.As("sysadmin");
  ASSERT_EQ(c.Get("/api/v1/me").status, 200);
  int64_t now = tp.service().Now();
  auto st = tp.service().db().Write([&](store::Conn& conn) -> Status {
    return conn.Exec("UPDATE sessions SET last_seen_at = ?", {now - 31 * 60 * 1000})
        .map([](int64_t) {});
  });
  ASSERT_TRUE(st);
  auto r = c.Get("/api/v1/me");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.Json()["error"]["code"], "unauthenticated");
}

TEST(Auth, ActiveSessionWithin30MinutesStays) {
  TestPlatform tp;
  Client c = tp.As("sysadmin");
  int64_t now = tp.service().Now();
  ASSERT_TRUE(tp.service().db().Write([&](store::Conn& conn) -> Status {
    return conn.Exec("UPDATE sessions SET last_seen_at = ?", {now - 29 * 60 * 1000})
        .map([](int64_t) {});
  }));
  EXPECT_EQ(c.Get("/api/v1/me").status, 200);
}

TEST(Auth, NewUserMustChangeTemporaryPasswordFirst) {
  TestPlatform tp;
  District d = BuildDistrict(tp);
  Client admin = tp.As("sysadmin");
  auto created = admin.Post(
      "/api/v1/users",
      {{"username", "teacher1"}, {"display_name", "王老师"}, {"department_id", d.school_a}});
  ASSERT_EQ(created.status, 201) << created.body;
  std::string temp = created.Json()["temporary_password"];
  Client t(tp.admin_base());
  auto login = t.Login("teacher1", temp);
  ASSERT_EQ(login.status, 200) << login.body;
  EXPECT_TRUE(login.Json()["password_change_required"].get<bool>());
  EXPECT_EQ(login.Json()["password_change_reason"], "first_login");
  auto blocked = t.Get("/api/v1/sites");
  EXPECT_EQ(blocked.status, 403);
  EXPECT_EQ(blocked.Json()["error"]["code"], "password_change_required");
  EXPECT_EQ(t.Get("/api/v1/me").status, 200);
  // Weak, containing the username, or the same: refused with the field named.
  for (const std::string& weak :
       std::vector<std::string>{"abc", "teacher1-Abc!", "password1", temp}) {
    auto r = t.Post("/api/v1/auth/password", {{"old_password", temp}, {"new_password", weak}});
    EXPECT_EQ(r.status, 400) << weak << " " << r.body;
    EXPECT_EQ(r.Json()["error"]["field"], "new_password") << weak;
  }
  auto wrong_old = t.Post("/api/v1/auth/password",
                          {{"old_password", "nope"}, {"new_password", "Good-Pass-2026"}});
  EXPECT_EQ(wrong_old.status, 400);
  EXPECT_EQ(wrong_old.Json()["error"]["field"], "old_password");
  auto ok =
      t.Post("/api/v1/auth/password", {{"old_password", temp}, {"new_password", "Good-Pass-2026"}});
  EXPECT_EQ(ok.status, 204) << ok.body;
  EXPECT_EQ(t.Get("/api/v1/sites").status, 200);
  // The last passwords cannot be reused.
  auto again =
      t.Post("/api/v1/auth/password", {{"old_password", "Good-Pass-2026"}, {"new_password", temp}});
  EXPECT_EQ(again.status, 400);
  EXPECT_NE(again.Json()["error"]["message"].get<std::string>().find("最近"), std::string::npos);
}

TEST(Auth, AdminResetGivesOneTimePasswordAndEndsSessions) {
  TestPlatform tp;
  District d = BuildDistrict(tp);
  Client editor = tp.As("a_editor");
  ASSERT_EQ(editor.Get("/api/v1/me").status, 200);
  Client admin = tp.As("sysadmin");
  auto reset = admin.Post(
      "/api/v1/users/" + std::to_string(d.users["a_editor"]) + "/reset-password", json::object());
  ASSERT_EQ(reset.status, 200) << reset.body;
  std::string temp = reset.Json()["temporary_password"];
  EXPECT_EQ(editor.Get("/api/v1/me").status, 401) << "old session ended";
  EXPECT_EQ(Client(tp.admin_base()).Login("a_editor", TestPlatform::kPassword).status, 401);
  Client again(tp.admin_base());
  auto login = again.Login("a_editor", temp);
  ASSERT_EQ(login.status, 200);
  EXPECT_TRUE(login.Json()["password_change_required"].get<bool>());
  EXPECT_EQ(login.Json()["password_change_reason"], "reset");
}

TEST(Auth, ExpiredPasswordMustBeChanged) {
  TestPlatform tp;
  BuildDistrict(tp);
  int64_t old = tp.service().Now() - int64_t{91} * 24 * 3600 * 1000;
  ASSERT_TRUE(tp.service().db().Write([&](store::Conn& c) -> Status {
    return c.Exec("UPDATE users SET password_changed_at = ? WHERE username = 'a_editor'", {old})
        .map([](int64_t) {});
  }));
  Client c(tp.admin_base());
  auto r = c.Login("a_editor", TestPlatform::kPassword);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.Json()["password_change_reason"], "expired");
}

TEST(Auth, PlatformRolesAreExclusive) {
  TestPlatform tp;
  District d = BuildDistrict(tp);
  Client admin = tp.As("sysadmin");
  int64_t secadmin = *tp.service().db().ReadValue<int64_t>([](store::Conn& c) {
    return c.QueryInt("SELECT id FROM users WHERE platform_role = 'secadmin'");
  });
  auto r = admin.Post("/api/v1/users/" + std::to_string(secadmin) + "/grants",
                      {{"site_id", d.site_a}, {"role", "editor"}});
  EXPECT_EQ(r.status, 400) << r.body;
  auto reset =
      admin.Post("/api/v1/users/" + std::to_string(secadmin) + "/reset-password", json::object());
  EXPECT_EQ(reset.status, 403);
  // No request can give an account a platform role.
  auto create = admin.Post("/api/v1/users", {{"username", "x2"},
                                             {"display_name", "X"},
                                             {"department_id", d.school_a},
                                             {"platform_role", "auditor"}});
  EXPECT_EQ(create.status, 400);
  EXPECT_EQ(create.Json()["error"]["field"], "platform_role");
}

TEST(Auth, SecadminChangesPolicyWithinLimits) {
  TestPlatform tp;
  Client sec = tp.As("secadmin");
  auto bad = sec.Patch("/api/v1/settings/security", {{"password_policy", {{"min_length", 6}}}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.Json()["error"]["field"], "min_length");
  auto ok = sec.Patch("/api/v1/settings/security", {{"password_policy", {{"min_length", 12}}}});
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(ok.Json()["password_policy"]["min_length"], 12);
  EXPECT_EQ(sec.Get("/api/v1/settings/security").Json()["password_policy"]["min_length"], 12);
}

TEST(Auth, LogoutEndsTheSession) {
  TestPlatform tp;
  Client c = tp.As("auditor");
  EXPECT_EQ(c.Post("/api/v1/auth/logout", json::object()).status, 204);
  EXPECT_EQ(c.Get("/api/v1/me").status, 401);
}

}  // namespace
}  // namespace zhanqun::testing
