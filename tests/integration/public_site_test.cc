// The published sites through the platform's public listener: routing by
// Host, never the API, traversal refused, and site search.
#include <gtest/gtest.h>

#include "support/fixture.h"

namespace zhanqun::testing {
namespace {

std::string Id(int64_t id) { return std::to_string(id); }

class PublicSite : public ::testing::Test {
 protected:
  void SetUp() override {
    d_ = BuildDistrict(tp_);
    editor_ = std::make_unique<Client>(tp_.As("a_editor"));
    reviewer_ = std::make_unique<Client>(tp_.As("a_reviewer"));
  }
  int64_t PublishNew(const std::string& title, const std::string& body) {
    auto c = editor_->Post("/api/v1/sites/" + Id(d_.site_a) + "/articles",
                           {{"column_id", d_.column_a1}, {"title", title}, {"body", body}});
    EXPECT_EQ(c.status, 201) << c.body;
    std::string id = Id(c.Json()["id"]);
    editor_->Post("/api/v1/articles/" + id + "/submit", json::object());
    reviewer_->Post("/api/v1/articles/" + id + "/approve", json::object());
    EXPECT_EQ(reviewer_->Post("/api/v1/articles/" + id + "/publish", json::object()).status, 200);
    return c.Json()["id"];
  }
  HttpResult Public(const std::string& host, const std::string& path) {
    Client c(tp_.public_base());
    return c.Request("GET", path, "", {"Host: " + host});
  }
  TestPlatform tp_;
  District d_;
  std::unique_ptr<Client> editor_, reviewer_;
};

TEST_F(PublicSite, ServesEachSiteByHostAndNeverTheApi) {
  int64_t id = PublishNew("开学典礼隆重举行", "<p>新学期开学典礼。</p>");
  ASSERT_TRUE(tp_.platform().publisher().PublishSite(d_.site_b));
  auto home = Public("sa.test", "/");
  ASSERT_EQ(home.status, 200);
  EXPECT_NE(home.body.find("甲小学网站"), std::string::npos);
  EXPECT_NE(home.body.find("开学典礼隆重举行"), std::string::npos);
  EXPECT_NE(Public("SA.TEST:8080", "/").body.find("甲小学网站"), std::string::npos);
  auto other = Public("sb.test", "/a/" + Id(id) + ".html");
  EXPECT_EQ(other.status, 404) << "an article of school A is not on school B's host";
  EXPECT_EQ(Public("sa.test", "/a/" + Id(id) + ".html").status, 200);
  EXPECT_EQ(Public("unknown.test", "/").status, 404);
  for (std::string p : {"/api/v1/health", "/api/v1/sites", "/api"}) {
    EXPECT_EQ(Public("sa.test", p).status, 404) << p;
  }
  EXPECT_NE(Public("sa.test", "/").headers["content-security-policy"].find("default-src 'self'"),
            std::string::npos);
}

TEST_F(PublicSite, TraversalAndSpoofingAreRefused) {
  PublishNew("一则新闻", "<p>正文</p>");
  ASSERT_EQ(Public("sa.test", "/").status, 200) << "the site itself is served";
  for (std::string p : {"/../zhanqun.db", "/..%2f..%2fzhanqun.db", "/%2e%2e/%2e%2e/zhanqun.db",
                        "/a/../../../zhanqun.db", "/manifest.json", "/.versions",
                        "/..%5c..%5czhanqun.db", "/%00index.html"}) {
    auto r = Public("sa.test", p);
    EXPECT_TRUE(r.status == 400 || r.status == 404) << p << " -> " << r.status;
    EXPECT_EQ(r.body.find("SQLite format"), std::string::npos) << p;
  }
  for (std::string host : {"sa.test.evil.com", "evil.com", "sa.test@evil.com", "127.0.0.1", ""}) {
    auto r = Public(host, "/");
    EXPECT_TRUE(r.status == 400 || r.status == 404) << "'" << host << "' -> " << r.status;
  }
}

TEST_F(PublicSite, TwoCharacterChineseSearchFindsThePlantedArticleOnly) {
  for (int i = 0; i < 12; ++i) {
    PublishNew("校园活动" + std::to_string(i), "<p>同学们参加了丰富多彩的体育和艺术活动。</p>");
  }
  int64_t planted = PublishNew("我校举办科技节", "<p>本届科技节展示了学生的发明创造。</p>");
  auto r = Public("sa.test", "/search?q=%E7%A7%91%E6%8A%80");  // 科技
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("/a/" + Id(planted) + ".html"), std::string::npos);
  EXPECT_EQ(r.body.find("校园活动"), std::string::npos) << "no other article matches";
  // The query is escaped on the page.
  auto x = Public("sa.test", "/search?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E");
  EXPECT_EQ(x.body.find("<script>alert(1)"), std::string::npos);
  // Withdrawn content leaves the index.
  reviewer_->Post("/api/v1/articles/" + Id(planted) + "/withdraw", json::object());
  auto after = Public("sa.test", "/search?q=%E7%A7%91%E6%8A%80");
  EXPECT_EQ(after.body.find("/a/" + Id(planted) + ".html"), std::string::npos);
}

}  // namespace
}  // namespace zhanqun::testing

namespace zhanqun::testing {
namespace {

// 修改已发布信息: a 站点管理员 (editor and reviewer at once) corrects a
// published article in place and the public page follows; an editor alone
// must withdraw it first; a live edit may not move it to another column.
class LiveEdit : public PublicSite {};

TEST_F(LiveEdit, ReviewerWhoMayEditCorrectsAPublishedArticleInPlace) {
  int64_t id = PublishNew("错别字的标题", "<p>原来的正文。</p>");
  const std::string path = "/api/v1/articles/" + std::to_string(id);
  auto refused = editor_->Patch(path, {{"title", "编辑改的标题"}});
  EXPECT_EQ(refused.status, 409);
  EXPECT_EQ(refused.Json()["error"]["field"], "status");

  Client admin = tp_.As("a_admin");
  auto moved = admin.Patch(path, {{"column_id", d_.column_a2}});
  EXPECT_EQ(moved.status, 409);
  EXPECT_EQ(moved.Json()["error"]["field"], "column_id");

  auto ok = admin.Patch(path, {{"title", "更正后的标题"}, {"body", "<p>更正后的正文。</p>"}});
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(ok.Json()["status"], "published");
  auto page = Public("sa.test", "/a/" + std::to_string(id) + ".html");
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("更正后的正文"), std::string::npos);
  EXPECT_EQ(page.body.find("原来的正文"), std::string::npos);
  EXPECT_NE(Public("sa.test", "/").body.find("更正后的标题"), std::string::npos);

  auto revs = admin.Get(path + "/revisions").Json();
  ASSERT_TRUE(revs.contains("items")) << revs.dump();
  EXPECT_EQ(revs["items"][0]["note"], "update-published");
  auto audit = tp_.As("auditor").Get("/api/v1/audit?action=article.update").Json();
  ASSERT_FALSE(audit["items"].empty()) << audit.dump();
  EXPECT_EQ(audit["items"][0]["detail"]["published"], true) << audit["items"][0].dump();
}

}  // namespace
}  // namespace zhanqun::testing
