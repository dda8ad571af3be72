#include "fixture.h"

#include <gtest/gtest.h>

namespace zhanqun::testing {

namespace {

service::Principal Sysadmin(TestPlatform& tp) {
  auto id = tp.service().db().ReadValue<int64_t>([](store::Conn& c) {
    return c.QueryInt("SELECT id FROM users WHERE platform_role = 'sysadmin'");
  });
  service::Principal p;
  p.user_id = *id;
  p.username = "sysadmin";
  p.platform_role = "sysadmin";
  p.ip = "fixture";
  return p;
}

int64_t Must(const Result<json>& r, const char* what) {
  if (!r) {
    ADD_FAILURE() << what << ": " << r.error().message << " " << r.error().internal;
    return 0;
  }
  if (r->contains("user")) return (*r)["user"]["id"].get<int64_t>();
  return (*r)["id"].get<int64_t>();
}

}  // namespace

District BuildDistrict(TestPlatform& tp) {
  District d;
  auto& s = tp.service();
  auto admin = Sysadmin(tp);
  d.district = *s.db().ReadValue<int64_t>([](store::Conn& c) {
    return c.QueryInt("SELECT id FROM departments WHERE kind='district'");
  });
  d.school_a = Must(s.CreateDepartment(admin, {{"name", "甲小学"},
                                               {"kind", "school"},
                                               {"parent_id", d.district},
                                               {"code", "school-a"}}),
                    "school a");
  d.school_b = Must(s.CreateDepartment(admin, {{"name", "乙中学"},
                                               {"kind", "school"},
                                               {"parent_id", d.district},
                                               {"code", "school-b"}}),
                    "school b");
  d.site_a = Must(s.CreateSite(admin, {{"code", "sa"},
                                       {"name", "甲小学网站"},
                                       {"domains", {"sa.test"}},
                                       {"school_id", d.school_a}}),
                  "site a");
  d.site_b = Must(s.CreateSite(admin, {{"code", "sb"},
                                       {"name", "乙中学网站"},
                                       {"domains", {"sb.test"}},
                                       {"school_id", d.school_b}}),
                  "site b");
  d.column_a1 =
      Must(s.CreateColumn(admin, d.site_a, {{"name", "新闻动态"}, {"type", "list"}}), "a1");
  d.column_a2 =
      Must(s.CreateColumn(admin, d.site_a,
                          {{"name", "通知公告"}, {"type", "list"}, {"update_class", "notice"}}),
           "a2");
  d.column_b1 =
      Must(s.CreateColumn(admin, d.site_b, {{"name", "新闻动态"}, {"type", "list"}}), "b1");
  struct U {
    const char* name;
    int64_t school;
    int64_t site;
    const char* role;
  };
  for (U u : {U{"a_admin", d.school_a, d.site_a, "site_admin"},
              U{"a_editor", d.school_a, d.site_a, "editor"},
              U{"a_reviewer", d.school_a, d.site_a, "reviewer"},
              U{"b_editor", d.school_b, d.site_b, "editor"}}) {
    int64_t id = tp.CreateUser(u.name, u.school);
    tp.Grant(id, u.site, u.role);
    d.users[u.name] = id;
  }
  d.victim = tp.CreateUser("victim", d.school_a);
  d.victim_grant = tp.Grant(d.victim, d.site_a, "editor");

  service::Principal editor;
  editor.user_id = d.users["a_editor"];
  editor.username = "a_editor";
  editor.ip = "fixture";
  editor.grants.push_back({d.site_a, std::nullopt, service::SiteRole::kEditor});
  d.article_draft = Must(
      s.CreateArticle(editor, d.site_a,
                      {{"column_id", d.column_a1}, {"title", "草稿"}, {"body", "<p>草稿正文</p>"}}),
      "draft");
  d.article_pending = Must(
      s.CreateArticle(editor, d.site_a,
                      {{"column_id", d.column_a1}, {"title", "待审"}, {"body", "<p>待审正文</p>"}}),
      "pending");
  auto submitted = s.ArticleAction(editor, d.article_pending, "submit", json::object());
  EXPECT_TRUE(submitted) << (submitted ? "" : submitted.error().message);
  return d;
}

}  // namespace zhanqun::testing
