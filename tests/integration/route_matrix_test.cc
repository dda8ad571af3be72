// Every route of the router, called by anonymous, each platform role, each
// site role of school A and an editor of school B, against school A's
// resources. A route missing from the table below fails the test, so a new
// route cannot land without its owner being decided and checked.
#include <gtest/gtest.h>

#include <set>

#include "http/api/api.h"
#include "support/fixture.h"

namespace zhanqun::testing {
namespace {

const std::vector<std::string> kPrincipals = {"anonymous", "sysadmin", "secadmin",   "auditor",
                                              "a_admin",   "a_editor", "a_reviewer", "b_editor"};

using Allowed = std::set<std::string>;
const Allowed kEveryone = {"anonymous", "sysadmin", "secadmin",   "auditor",
                           "a_admin",   "a_editor", "a_reviewer", "b_editor"};
const Allowed kSignedIn = {"sysadmin", "secadmin",   "auditor", "a_admin",
                           "a_editor", "a_reviewer", "b_editor"};
const Allowed kSysadmin = {"sysadmin"};
const Allowed kSecadmin = {"secadmin"};
const Allowed kAuditor = {"auditor"};
const Allowed kSiteARead = {"sysadmin", "a_admin", "a_editor", "a_reviewer"};
const Allowed kSiteAManage = {"sysadmin", "a_admin"};
const Allowed kSiteAEdit = {"a_admin", "a_editor"};
const Allowed kSiteAReview = {"a_admin", "a_reviewer"};

// Who may call each route (against school A's objects).
const std::map<std::string, Allowed> kExpected = {
    {"GET /api/v1/health", kEveryone},
    {"POST /api/v1/auth/login", kEveryone},
    {"POST /api/v1/auth/logout", kSignedIn},
    {"POST /api/v1/auth/password", kSignedIn},
    {"GET /api/v1/me", kSignedIn},
    {"GET /api/v1/departments",
     {"sysadmin", "secadmin", "a_admin", "a_editor", "a_reviewer", "b_editor"}},
    {"POST /api/v1/departments", kSysadmin},
    {"GET /api/v1/sites", {"sysadmin", "a_admin", "a_editor", "a_reviewer", "b_editor"}},
    {"POST /api/v1/sites", kSysadmin},
    {"GET /api/v1/sites/{id}", kSiteARead},
    {"PATCH /api/v1/sites/{id}", kSiteAManage},
    {"DELETE /api/v1/sites/{id}", kSysadmin},
    {"GET /api/v1/sites/{id}/columns", kSiteARead},
    {"POST /api/v1/sites/{id}/columns", kSiteAManage},
    {"PATCH /api/v1/columns/{id}", kSiteAManage},
    {"DELETE /api/v1/columns/{id}", kSiteAManage},
    {"GET /api/v1/sites/{id}/articles", kSiteARead},
    {"POST /api/v1/sites/{id}/articles", kSiteAEdit},
    {"GET /api/v1/articles/{id}", kSiteARead},
    {"PATCH /api/v1/articles/{id}", kSiteAEdit},
    {"GET /api/v1/articles/{id}/revisions", kSiteARead},
    {"POST /api/v1/articles/{id}/submit", kSiteAEdit},
    {"POST /api/v1/articles/{id}/approve", kSiteAReview},
    {"POST /api/v1/articles/{id}/reject", kSiteAReview},
    {"POST /api/v1/articles/{id}/publish", kSiteAReview},
    {"POST /api/v1/articles/{id}/withdraw", kSiteAReview},
    {"GET /api/v1/sites/{id}/media", kSiteARead},
    {"POST /api/v1/sites/{id}/media", kSiteAEdit},
    {"GET /api/v1/users", {"sysadmin", "secadmin"}},
    {"POST /api/v1/users", kSysadmin},
    {"GET /api/v1/users/{id}", {"sysadmin", "secadmin"}},
    {"PATCH /api/v1/users/{id}", kSysadmin},
    {"POST /api/v1/users/{id}/reset-password", kSysadmin},
    {"POST /api/v1/users/{id}/unlock", kSecadmin},
    {"GET /api/v1/users/{id}/grants", kSysadmin},
    {"POST /api/v1/users/{id}/grants", kSysadmin},
    {"DELETE /api/v1/grants/{id}", kSysadmin},
    {"GET /api/v1/settings/security", kSecadmin},
    {"PATCH /api/v1/settings/security", kSecadmin},
    {"GET /api/v1/audit", kAuditor},
    {"GET /api/v1/audit/verify", kAuditor},
    {"GET /api/v1/inspections", {"sysadmin", "auditor"}},
    {"POST /api/v1/inspections", kSysadmin},
    {"GET /api/v1/inspections/{id}", {"sysadmin", "auditor"}},
    {"GET /api/v1/inspections/{id}/report.html", {"sysadmin", "auditor"}},
    {"GET /api/v1/inspections/{id}/report.pdf", {"sysadmin", "auditor"}},
    {"POST /api/v1/sites/{id}/preview", kSiteARead},
    {"GET /api/v1/sites/{id}/grants", kSiteAManage},
    {"POST /api/v1/sites/{id}/columns/reorder", kSiteAManage},
    {"POST /api/v1/articles/{id}/pin", kSiteAReview},
    {"GET /api/v1/dashboard", {"sysadmin", "a_admin", "a_editor", "a_reviewer", "b_editor"}},
    {"GET /api/v1/themes", {"sysadmin", "a_admin", "a_editor", "a_reviewer", "b_editor"}},
    {"DELETE /api/v1/media/{id}", kSiteAEdit},
    // Monitoring, incidents and alerts: the 系统管理员 only.
    {"GET /api/v1/monitors", kSysadmin},
    {"POST /api/v1/monitors", kSysadmin},
    {"GET /api/v1/monitors/{id}", kSysadmin},
    {"PATCH /api/v1/monitors/{id}", kSysadmin},
    {"DELETE /api/v1/monitors/{id}", kSysadmin},
    {"GET /api/v1/monitors/{id}/results", kSysadmin},
    {"GET /api/v1/incidents", kSysadmin},
    {"POST /api/v1/incidents/{id}/acknowledge", kSysadmin},
    {"GET /api/v1/alert-channels", kSysadmin},
    {"POST /api/v1/alert-channels", kSysadmin},
    {"PATCH /api/v1/alert-channels/{id}", kSysadmin},
    {"DELETE /api/v1/alert-channels/{id}", kSysadmin},
    {"GET /api/v1/alert-deliveries", kSysadmin},
    {"GET /api/v1/maintenance-windows", kSysadmin},
    {"POST /api/v1/maintenance-windows", kSysadmin},
    {"DELETE /api/v1/maintenance-windows/{id}", kSysadmin},
    {"GET /api/v1/monitoring/settings", kSysadmin},
    {"PATCH /api/v1/monitoring/settings", kSysadmin},
    {"GET /api/v1/availability", kSysadmin},
    // Background jobs: the 系统管理员 only.
    {"GET /api/v1/jobs", kSysadmin},
    {"GET /api/v1/jobs/runs", kSysadmin},
    {"POST /api/v1/jobs/{name}/run", kSysadmin},
};

// media_a: a file of school A that an article uses (so that deleting it is
// refused with 409 rather than succeeding for the first allowed caller).
std::string Concrete(const std::string& pattern, const District& d, int64_t media_a) {
  auto id_for = [&]() -> int64_t {
    if (pattern.rfind("/api/v1/media/", 0) == 0) return media_a;
    if (pattern.rfind("/api/v1/sites/", 0) == 0) return d.site_a;
    if (pattern.rfind("/api/v1/columns/", 0) == 0) return d.column_a1;
    if (pattern == "/api/v1/articles/{id}" || pattern == "/api/v1/articles/{id}/revisions")
      return d.article_draft;
    if (pattern.rfind("/api/v1/articles/", 0) == 0) return d.article_pending;
    if (pattern.rfind("/api/v1/users/", 0) == 0) return d.victim;
    if (pattern.rfind("/api/v1/grants/", 0) == 0) return d.victim_grant;
    return 0;
  };
  std::string out = pattern;
  auto p = out.find("{id}");
  if (p != std::string::npos) out.replace(p, 4, std::to_string(id_for()));
  p = out.find("{name}");
  if (p != std::string::npos) out.replace(p, 6, "scheduled_publish");
  return out;
}

TEST(RouteMatrix, EveryRouteHasAnOwnerAndEnforcesIt) {
  TestPlatform tp;
  District d = BuildDistrict(tp);
  int64_t media_a = 0;
  {
    Client ed = tp.As("a_editor");
    auto up = ed.Upload("/api/v1/sites/" + std::to_string(d.site_a) + "/media", "file", "a.pdf",
                        "%PDF-1.4\n", {});
    ASSERT_EQ(up.status, 201) << up.body;
    media_a = up.Json()["id"];
    ASSERT_EQ(ed.Patch("/api/v1/articles/" + std::to_string(d.article_draft),
                       {{"attachments", {media_a}}})
                  .status,
              200);
  }
  std::map<std::string, Client> clients;
  for (const auto& who : kPrincipals) {
    if (who == "anonymous") {
      clients.emplace(who, Client(tp.admin_base()));
    } else {
      clients.emplace(who, tp.As(who));
    }
  }
  auto routes = tp.platform().api().router().routes();
  // Logging out ends the session the rest of the matrix uses: do it last.
  std::stable_partition(routes.begin(), routes.end(),
                        [](const http::Route& r) { return r.pattern != "/api/v1/auth/logout"; });
  std::set<std::string> seen;
  for (const auto& r : routes) {
    std::string key = r.method + " " + r.pattern;
    seen.insert(key);
    auto exp = kExpected.find(key);
    ASSERT_NE(exp, kExpected.end())
        << "route without an entry in the matrix: " << key << " (owner '" << r.owner << "')";
    EXPECT_FALSE(r.owner.empty()) << key;
    std::string path = Concrete(r.pattern, d, media_a);
    for (const auto& who : kPrincipals) {
      auto& client = clients.at(who);
      std::string body = r.method == "GET" || r.method == "DELETE" ? "" : "{}";
      auto res = client.Request(r.method, path, body);
      bool allowed = exp->second.count(who) > 0;
      SCOPED_TRACE(key + " as " + who + " -> " + std::to_string(res.status) + " " + res.body);
      ASSERT_NE(res.status, 0) << "no response";
      EXPECT_LT(res.status, 500);
      if (allowed) {
        EXPECT_NE(res.status, 401);
        EXPECT_NE(res.status, 403);
      } else if (who == "anonymous") {
        EXPECT_EQ(res.status, 401);
      } else {
        EXPECT_EQ(res.status, 403);
      }
      if (res.status >= 400) {
        auto j = res.Json();
        EXPECT_TRUE(j.is_object() && j.contains("error") && j["error"].contains("code") &&
                    j["error"].contains("message") && j["error"].contains("field"))
            << "error shape";
      }
    }
  }
  for (const auto& [key, allowed] : kExpected) {
    EXPECT_TRUE(seen.count(key)) << "matrix lists a route the router does not have: " << key;
  }
}

TEST(RouteMatrix, OtherSchoolSeesOnlyItsOwnSites) {
  TestPlatform tp;
  District d = BuildDistrict(tp);
  Client b = tp.As("b_editor");
  auto list = b.Get("/api/v1/sites");
  ASSERT_EQ(list.status, 200) << list.body;
  auto j = list.Json();
  ASSERT_EQ(j["total"], 1);
  EXPECT_EQ(j["items"][0]["id"], d.site_b);
  EXPECT_EQ(b.Get("/api/v1/sites/" + std::to_string(d.site_a)).status, 403);
  EXPECT_EQ(b.Get("/api/v1/sites/" + std::to_string(d.site_a) + "/articles").status, 403);
  EXPECT_EQ(b.Get("/api/v1/articles/" + std::to_string(d.article_draft)).status, 403);
}

}  // namespace
}  // namespace zhanqun::testing
