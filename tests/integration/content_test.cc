// Sites, columns, articles and their review workflow, media, and the audit
// trail they leave, through the HTTP API.
#include <gtest/gtest.h>

#include "support/fixture.h"

namespace zhanqun::testing {
namespace {

std::string Id(int64_t id) { return std::to_string(id); }

TEST(Sites, CreateAnswers201WithIdAndDomains) {
  TestPlatform tp;
  Client c = tp.As("sysadmin");
  auto r = c.Post("/api/v1/sites", {{"code", "hs101"},
                                    {"name", "闵行区莘庄高级中学"},
                                    {"domains", {"hs101.demo.test", "www.hs101.demo.test"}},
                                    {"icp", "沪ICP备12345678号-1"}});
  ASSERT_EQ(r.status, 201) << r.body;
  auto j = r.Json();
  EXPECT_GT(j["id"].get<int64_t>(), 0);
  EXPECT_EQ(j["domains"].size(), 2u);
  EXPECT_EQ(j["status"], "open");
  auto got = c.Get("/api/v1/sites/" + Id(j["id"]));
  EXPECT_EQ(got.Json()["name"], "闵行区莘庄高级中学");
  auto list = c.Get("/api/v1/sites?page=1&page_size=10");
  EXPECT_EQ(list.Json()["total"], 1);
}

TEST(Sites, CloseReopenAndFooterFieldsAreAudited) {
  TestPlatform tp;
  District d = BuildDistrict(tp);
  Client c = tp.As("sysadmin");
  auto r = c.Patch("/api/v1/sites/" + Id(d.site_a),
                   {{"status", "closed"}, {"police_record", "沪公网安备 31011202001234号"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Json()["status"], "closed");
  Client a = tp.As("auditor");
  auto audit = a.Get("/api/v1/audit?action=site.update");
  ASSERT_EQ(audit.status, 200);
  auto entry = audit.Json()["items"][0];
  EXPECT_EQ(entry["detail"]["before"]["status"], "open");
  EXPECT_EQ(entry["detail"]["after"]["status"], "closed");
  EXPECT_EQ(entry["actor"], "sysadmin");
  EXPECT_EQ(entry["ip"], "127.0.0.1");
  // A 站点管理员 may edit the footer but not close the site.
  Client sa = tp.As("a_admin");
  EXPECT_EQ(sa.Patch("/api/v1/sites/" + Id(d.site_a), {{"status", "open"}}).status, 403);
  EXPECT_EQ(sa.Patch("/api/v1/sites/" + Id(d.site_a), {{"contact_phone", "021-64100000"}}).status,
            200);
}

TEST(Articles, ReviewWorkflowEndsPublished) {
  TestPlatform tp;
  District d = BuildDistrict(tp);
  Client ed = tp.As("a_editor");
  auto created = ed.Post("/api/v1/sites/" + Id(d.site_a) + "/articles",
                         {{"column_id", d.column_a1},
                          {"title", "我校举行科技节"},
                          {"body", "<p>科技节开幕。</p><script>alert(1)</script>"}});
  ASSERT_EQ(created.status, 201) << created.body;
  auto art = created.Json();
  EXPECT_EQ(art["status"], "draft");
  EXPECT_EQ(art["body"].get<std::string>().find("<script"), std::string::npos) << "sanitized";
  EXPECT_NE(art["body"].get<std::string>().find("科技节开幕"), std::string::npos);
  std::string id = Id(art["id"]);
  EXPECT_EQ(ed.Post("/api/v1/articles/" + id + "/submit", json::object()).status, 200);
  // An editor cannot approve, not even with a reviewer grant on their own article.
  EXPECT_EQ(ed.Post("/api/v1/articles/" + id + "/approve", json::object()).status, 403);
  tp.Grant(d.users["a_editor"], d.site_a, "reviewer");
  Client ed2 = tp.As("a_editor");
  auto own = ed2.Post("/api/v1/articles/" + id + "/approve", json::object());
  EXPECT_EQ(own.status, 403) << own.body;
  Client rv = tp.As("a_reviewer");
  auto reject = rv.Post("/api/v1/articles/" + id + "/reject", json::object());
  EXPECT_EQ(reject.status, 400) << "a rejection needs a comment";
  EXPECT_EQ(reject.Json()["error"]["field"], "comment");
  auto approve = rv.Post("/api/v1/articles/" + id + "/approve", {{"comment", "同意"}});
  ASSERT_EQ(approve.status, 200) << approve.body;
  EXPECT_EQ(approve.Json()["status"], "approved");
  auto pub = rv.Post("/api/v1/articles/" + id + "/publish", json::object());
  ASSERT_EQ(pub.status, 200) << pub.body;
  EXPECT_EQ(pub.Json()["status"], "published");
  EXPECT_FALSE(pub.Json()["published_at"].is_null());
  // Published content is not edited in place.
  auto edit = ed.Patch("/api/v1/articles/" + id, {{"title", "改标题"}});
  EXPECT_EQ(edit.status, 409);
  EXPECT_EQ(rv.Post("/api/v1/articles/" + id + "/withdraw", json::object()).Json()["status"],
            "withdrawn");
  auto edited = ed.Patch("/api/v1/articles/" + id, {{"title", "改标题"}});
  ASSERT_EQ(edited.status, 200) << edited.body;
  EXPECT_EQ(edited.Json()["status"], "draft");
  EXPECT_EQ(edited.Json()["version"], 2);
  auto revs = ed.Get("/api/v1/articles/" + id + "/revisions").Json();
  ASSERT_EQ(revs["total"], 2);
  EXPECT_EQ(revs["items"][0]["snapshot"]["title"], "改标题");
  EXPECT_EQ(revs["items"][1]["snapshot"]["title"], "我校举行科技节");
}

TEST(Articles, ScheduledPublishStaysApprovedUntilItsTime) {
  TestPlatform tp;
  District d = BuildDistrict(tp);
  Client rv = tp.As("a_reviewer");
  std::string id = Id(d.article_pending);
  ASSERT_EQ(rv.Post("/api/v1/articles/" + id + "/approve", json::object()).status, 200);
  int64_t later = tp.service().Now() + 3600 * 1000;
  auto r = rv.Post("/api/v1/articles/" + id + "/publish", {{"publish_at", later}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Json()["status"], "approved");
  EXPECT_EQ(r.Json()["publish_at"], later);
}

TEST(Articles, EditorOfOneColumnCannotWriteInAnother) {
  TestPlatform tp;
  District d = BuildDistrict(tp);
  int64_t u = tp.CreateUser("col_editor", d.school_a);
  tp.Grant(u, d.site_a, "editor", d.column_a2);
  Client c = tp.As("col_editor");
  auto bad = c.Post("/api/v1/sites/" + Id(d.site_a) + "/articles",
                    {{"column_id", d.column_a1}, {"title", "越权"}, {"body", "x"}});
  EXPECT_EQ(bad.status, 403);
  auto ok = c.Post("/api/v1/sites/" + Id(d.site_a) + "/articles",
                   {{"column_id", d.column_a2}, {"title", "通知"}, {"body", "x"}});
  EXPECT_EQ(ok.status, 201) << ok.body;
}

TEST(Media, ImageNeedsAltAndIsStoredOnceByHash) {
  TestPlatform tp;
  District d = BuildDistrict(tp);
  Client ed = tp.As("a_editor");
  std::string png("\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\1\0\0\0\1\x08\x02\0\0\0", 29);
  png += std::string(100, 'x');
  std::string path = "/api/v1/sites/" + Id(d.site_a) + "/media";
  auto no_alt = ed.Upload(path, "file", "校门.png", png, {});
  EXPECT_EQ(no_alt.status, 400) << no_alt.body;
  EXPECT_EQ(no_alt.Json()["error"]["field"], "alt");
  auto a = ed.Upload(path, "file", "校门.png", png, {{"alt", "学校大门"}});
  ASSERT_EQ(a.status, 201) << a.body;
  auto b = ed.Upload(path, "file", "校门2.png", png, {{"alt", "学校大门"}});
  ASSERT_EQ(b.status, 201) << b.body;
  EXPECT_EQ(a.Json()["hash"], b.Json()["hash"]);
  EXPECT_EQ(a.Json()["mime"], "image/png");
  std::string hash = a.Json()["hash"];
  EXPECT_TRUE(std::filesystem::exists(tp.data_dir() + "/media/" + hash.substr(0, 2) + "/" +
                                      hash.substr(2)));
  auto html = ed.Upload(path, "file", "x.html", "<script>alert(1)</script>", {{"alt", "x"}});
  EXPECT_EQ(html.status, 400);
  EXPECT_EQ(html.Json()["error"]["field"], "file");
  auto list = ed.Get(path).Json();
  EXPECT_EQ(list["total"], 2);
  // The upload spool is left empty.
  EXPECT_TRUE(std::filesystem::is_empty(tp.data_dir() + "/tmp"));
}

TEST(Audit, OnlyTheAuditorReadsItAndTheChainVerifies) {
  TestPlatform tp;
  BuildDistrict(tp);
  EXPECT_EQ(tp.As("sysadmin").Get("/api/v1/audit").status, 403);
  EXPECT_EQ(tp.As("secadmin").Get("/api/v1/audit").status, 403);
  Client a = tp.As("auditor");
  auto list = a.Get("/api/v1/audit?page_size=5");
  ASSERT_EQ(list.status, 200);
  EXPECT_GT(list.Json()["total"].get<int64_t>(), 10);
  EXPECT_EQ(list.Json()["items"].size(), 5u);
  auto v = a.Get("/api/v1/audit/verify").Json();
  EXPECT_TRUE(v["ok"].get<bool>()) << v.dump();
  // Failed logins are audited too.
  Client x(tp.admin_base());
  x.Login("a_editor", "Wrong-Pass-1");
  auto failed = a.Get("/api/v1/audit?action=auth.login&result=failure").Json();
  ASSERT_GE(failed["total"].get<int64_t>(), 1);
  EXPECT_EQ(failed["items"][0]["actor"], "a_editor");
}

TEST(Audit, DatabaseRefusesUpdateAndDelete) {
  TestPlatform tp;
  BuildDistrict(tp);
  auto upd = tp.service().db().Write([](store::Conn& c) -> Status {
    return c.Exec("UPDATE audit_log SET actor = 'x' WHERE seq = 1").map([](int64_t) {});
  });
  EXPECT_FALSE(upd);
  auto del = tp.service().db().Write([](store::Conn& c) -> Status {
    return c.Exec("DELETE FROM audit_log WHERE seq = 1").map([](int64_t) {});
  });
  EXPECT_FALSE(del);
}

// Drops the append-only guard as an attacker with database access would.
void DropGuard(TestPlatform& tp) {
  auto st = tp.service().db().Write([](store::Conn& c) -> Status {
    if (c.engine() == store::Engine::kSqlite) {
      return c.ExecScript("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;");
    }
    return c.ExecScript("DROP TRIGGER audit_log_append_only ON audit_log;");
  });
  ASSERT_TRUE(st) << st.error().internal;
}

TEST(Audit, VerifyNamesTheFirstAlteredEntry) {
  TestPlatform tp;
  BuildDistrict(tp);
  DropGuard(tp);
  ASSERT_TRUE(tp.service().db().Write([](store::Conn& c) -> Status {
    return c.Exec("UPDATE audit_log SET detail = '{}' WHERE seq = 7").map([](int64_t) {});
  }));
  auto rep = tp.service().VerifyAudit();
  ASSERT_TRUE(rep);
  EXPECT_FALSE(rep->ok);
  EXPECT_EQ(rep->first_bad_seq, 7);
  EXPECT_EQ(rep->problem, "altered");
}

TEST(Audit, VerifyNamesARemovedEntry) {
  TestPlatform tp;
  BuildDistrict(tp);
  DropGuard(tp);
  ASSERT_TRUE(tp.service().db().Write([](store::Conn& c) -> Status {
    return c.Exec("DELETE FROM audit_log WHERE seq = 5").map([](int64_t) {});
  }));
  auto rep = tp.service().VerifyAudit();
  ASSERT_TRUE(rep);
  EXPECT_FALSE(rep->ok);
  EXPECT_EQ(rep->first_bad_seq, 5);
  EXPECT_EQ(rep->problem, "removed");
}

TEST(Audit, VerifyNamesReorderedEntries) {
  TestPlatform tp;
  BuildDistrict(tp);
  DropGuard(tp);
  // Swap the contents of entries 3 and 4 but keep their sequence numbers.
  ASSERT_TRUE(tp.service().db().Write([](store::Conn& c) -> Status {
    ZQ_TRY(c.Exec("UPDATE audit_log SET seq = -3 WHERE seq = 3"));
    ZQ_TRY(c.Exec("UPDATE audit_log SET seq = 3 WHERE seq = 4"));
    return c.Exec("UPDATE audit_log SET seq = 4 WHERE seq = -3").map([](int64_t) {});
  }));
  auto rep = tp.service().VerifyAudit();
  ASSERT_TRUE(rep);
  EXPECT_FALSE(rep->ok);
  EXPECT_EQ(rep->first_bad_seq, 3);
}

TEST(Audit, VerifyNoticesATruncatedTail) {
  TestPlatform tp;
  BuildDistrict(tp);
  DropGuard(tp);
  ASSERT_TRUE(tp.service().db().Write([](store::Conn& c) -> Status {
    ZQ_ASSIGN_OR_RETURN(int64_t last, c.QueryInt("SELECT MAX(seq) FROM audit_log"));
    return c.Exec("DELETE FROM audit_log WHERE seq = ?", {last}).map([](int64_t) {});
  }));
  auto rep = tp.service().VerifyAudit();
  ASSERT_TRUE(rep);
  EXPECT_FALSE(rep->ok);
  EXPECT_EQ(rep->problem, "truncated");
}

}  // namespace
}  // namespace zhanqun::testing
