// Static publishing: the files a publish writes, and nothing else; atomic and
// deterministic output; a broken theme changes nothing; a killed publish
// leaves a consistent site.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "publish/files.h"
#include "publish/publisher.h"
#include "support/fixture.h"
#include "support/subprocess.h"

namespace zhanqun::testing {
namespace {

namespace fs = std::filesystem;

std::string Id(int64_t id) { return std::to_string(id); }

// Every file of a site tree (following the site symlink) with its inode.
std::map<std::string, ino_t> Inodes(const std::string& root) {
  std::map<std::string, ino_t> out;
  fs::path base = fs::canonical(root);
  for (auto& e : fs::recursive_directory_iterator(base)) {
    if (!e.is_regular_file()) continue;
    struct stat st;
    ::stat(e.path().c_str(), &st);
    out["/" + fs::relative(e.path(), base).generic_string()] = st.st_ino;
  }
  return out;
}

std::string Slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Every manifest entry matches its file, and every file is in the manifest.
void ExpectManifestMatches(const std::string& root) {
  fs::path base = fs::canonical(root);
  json m = json::parse(Slurp(base / "manifest.json"));
  ASSERT_TRUE(m.contains("files"));
  for (auto it = m["files"].begin(); it != m["files"].end(); ++it) {
    std::string bytes = Slurp(base / it.key().substr(1));
    EXPECT_EQ(publish::Sha256(bytes), it.value()["sha256"]) << it.key();
    EXPECT_EQ(bytes.size(), it.value()["size"].get<size_t>()) << it.key();
  }
  for (auto& e : fs::recursive_directory_iterator(base)) {
    if (!e.is_regular_file()) continue;
    std::string rel = "/" + fs::relative(e.path(), base).generic_string();
    if (rel == "/manifest.json" || rel.ends_with(".gz") || rel.ends_with(".br")) continue;
    if (rel.starts_with("/.well-known/")) continue;  // the operator's, not published
    EXPECT_TRUE(m["files"].contains(rel)) << "file not in manifest: " << rel;
  }
}

class Publish : public ::testing::Test {
 protected:
  void SetUp() override {
    d_ = BuildDistrict(tp_);
    editor_ = std::make_unique<Client>(tp_.As("a_editor"));
    reviewer_ = std::make_unique<Client>(tp_.As("a_reviewer"));
  }
  int64_t PublishNew(int64_t column, const std::string& title) {
    auto c = editor_->Post(
        "/api/v1/sites/" + Id(d_.site_a) + "/articles",
        {{"column_id", column}, {"title", title}, {"body", "<p>" + title + "正文</p>"}});
    EXPECT_EQ(c.status, 201) << c.body;
    std::string id = Id(c.Json()["id"]);
    EXPECT_EQ(editor_->Post("/api/v1/articles/" + id + "/submit", json::object()).status, 200);
    EXPECT_EQ(reviewer_->Post("/api/v1/articles/" + id + "/approve", json::object()).status, 200);
    auto p = reviewer_->Post("/api/v1/articles/" + id + "/publish", json::object());
    EXPECT_EQ(p.status, 200) << p.body;
    return c.Json()["id"];
  }
  std::string Root() { return tp_.data_dir() + "/publish/sa"; }
  std::string Slug(int64_t column) {
    auto cols = editor_->Get("/api/v1/sites/" + Id(d_.site_a) + "/columns").Json();
    for (const auto& c : cols["items"]) {
      if (c["id"] == column) return c["slug"];
    }
    return "";
  }

  TestPlatform tp_;
  District d_;
  std::unique_ptr<Client> editor_, reviewer_;
};

TEST_F(Publish, FullPublishWritesTheSiteWithAMatchingManifest) {
  for (int i = 0; i < 5; ++i) PublishNew(d_.column_a1, "新闻" + std::to_string(i));
  auto r = tp_.platform().publisher().PublishSite(d_.site_a);
  ASSERT_TRUE(r) << r.error().message << r.error().internal;
  std::string slug = Slug(d_.column_a1);
  for (const std::string& p : std::vector<std::string>{
           "/index.html", "/404.html", "/sitemap.xml", "/" + slug + "/index.html",
           "/" + slug + "/2.html", "/" + slug + "/rss.xml", "/_theme/plain/style.css"}) {
    EXPECT_TRUE(fs::exists(Root() + p)) << p;
  }
  std::string home = Slurp(Root() + "/index.html");
  EXPECT_NE(home.find("新闻4"), std::string::npos);
  EXPECT_NE(home.find("<meta name=\"SiteName\" content=\"甲小学网站\">"), std::string::npos);
  // Unpublished content never reaches the public tree.
  EXPECT_FALSE(fs::exists(Root() + "/a/" + Id(d_.article_draft) + ".html"));
  EXPECT_FALSE(fs::exists(Root() + "/a/" + Id(d_.article_pending) + ".html"));
  EXPECT_FALSE(fs::exists(Root() + "/" + slug + "/3.html"));
  ExpectManifestMatches(Root());
  // Precompressed variants next to text files.
  EXPECT_TRUE(fs::exists(Root() + "/index.html.gz") || Slurp(Root() + "/index.html").size() < 256);
}

TEST_F(Publish, OutputIsDeterministic) {
  for (int i = 0; i < 4; ++i) PublishNew(d_.column_a1, "新闻" + std::to_string(i));
  ASSERT_TRUE(tp_.platform().publisher().PublishSite(d_.site_a));
  std::string first = Slurp(fs::canonical(Root()) / "manifest.json");
  auto again = tp_.platform().publisher().PublishSite(d_.site_a);
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->written.empty()) << "nothing changed, nothing written";
  EXPECT_EQ(Slurp(fs::canonical(Root()) / "manifest.json"), first);
}

TEST_F(Publish, IncrementalPublishTouchesExactlyTheExpectedFiles) {
  std::vector<int64_t> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(PublishNew(d_.column_a1, "新闻" + std::to_string(i)));
  PublishNew(d_.column_a2, "通知");
  ASSERT_TRUE(tp_.platform().publisher().PublishSite(d_.site_a));
  auto before = Inodes(Root());
  int64_t x = PublishNew(d_.column_a1, "新发布的信息");  // publishes through the API hook
  auto after = Inodes(Root());
  std::string slug = Slug(d_.column_a1);
  // The new article is the newest: page 1 of its column gains it and page 2
  // takes the one that falls off (page size 3 in the fixture theme); its
  // neighbour (the previously newest) gets a link to it; the home page
  // shows it; the feed and sitemap list it.
  std::set<std::string> expected = {"/a/" + Id(x) + ".html",
                                    "/a/" + Id(ids.back()) + ".html",
                                    "/" + slug + "/index.html",
                                    "/" + slug + "/2.html",
                                    "/" + slug + "/rss.xml",
                                    "/index.html",
                                    "/sitemap.xml",
                                    "/manifest.json"};
  std::set<std::string> changed;
  for (const auto& [path, ino] : after) {
    if (path.ends_with(".gz") || path.ends_with(".br")) continue;
    auto b = before.find(path);
    if (b == before.end() || b->second != ino) changed.insert(path);
  }
  for (const auto& [path, ino] : before) {
    if (!after.count(path)) changed.insert("deleted:" + path);
  }
  EXPECT_EQ(changed, expected);
  ExpectManifestMatches(Root());
}

// A correction in place (the 站点管理员) changes one article's title: its page,
// the one list page that shows it (not the others of the column: their
// inputs did not change) and the feed. Its neighbours are rendered again but
// their bytes do not change (the fixture theme's prev/next links carry no
// title), nor does the home page (2 items a column): not written. The
// manifest records what each list page was made from.
TEST_F(Publish, EditInPlaceRewritesOnlyTheListPageThatShowsIt) {
  std::vector<int64_t> ids;
  for (int i = 0; i < 8; ++i) ids.push_back(PublishNew(d_.column_a1, "新闻" + std::to_string(i)));
  ASSERT_TRUE(tp_.platform().publisher().PublishSite(d_.site_a));
  std::string slug = Slug(d_.column_a1);
  // Newest first, 3 a page: ids[7..5] on page 1, ids[4..2] on 2, ids[1..0] on 3.
  ASSERT_TRUE(fs::exists(Root() + "/" + slug + "/3.html"));
  json m = json::parse(Slurp(fs::canonical(Root()) / "manifest.json"));
  ASSERT_TRUE(m.contains("inputs"));
  for (const char* page : {"/index.html", "/2.html", "/3.html"}) {
    EXPECT_TRUE(m["inputs"].contains("/" + slug + page)) << page;
  }
  auto before = Inodes(Root());
  Client admin = tp_.As("a_admin");
  auto ok = admin.Patch("/api/v1/articles/" + Id(ids[3]), {{"title", "更正后的新闻3"}});
  ASSERT_EQ(ok.status, 200) << ok.body;
  auto after = Inodes(Root());
  std::set<std::string> changed;
  for (const auto& [path, ino] : after) {
    if (path.ends_with(".gz") || path.ends_with(".br")) continue;
    auto b = before.find(path);
    if (b == before.end() || b->second != ino) changed.insert(path);
  }
  std::set<std::string> expected = {"/a/" + Id(ids[3]) + ".html", "/" + slug + "/2.html",
                                    "/" + slug + "/rss.xml", "/manifest.json"};
  EXPECT_EQ(changed, expected);
  EXPECT_NE(Slurp(Root() + "/" + slug + "/2.html").find("更正后的新闻3"), std::string::npos);
  EXPECT_NE(Slurp(Root() + "/a/" + Id(ids[3]) + ".html").find("更正后的新闻3"), std::string::npos);
  ExpectManifestMatches(Root());
  // A second correction of the same article is seen too (the publisher keeps
  // article texts between publishes, keyed by version).
  ASSERT_EQ(admin.Patch("/api/v1/articles/" + Id(ids[3]), {{"title", "再次更正"}}).status, 200);
  EXPECT_NE(Slurp(Root() + "/" + slug + "/2.html").find("再次更正"), std::string::npos);
  EXPECT_EQ(Slurp(Root() + "/" + slug + "/2.html").find("更正后的新闻3"), std::string::npos);
  ExpectManifestMatches(Root());
}

// Another process (here: a second publisher on the same store and tree, as
// `zhanqun publish` from the command line would be) republishes the site:
// this publisher's remembered manifest is stale and must not be used.
TEST_F(Publish, ManifestWrittenByAnotherPublisherIsReadAgain) {
  std::vector<int64_t> ids;
  for (int i = 0; i < 4; ++i) ids.push_back(PublishNew(d_.column_a1, "新闻" + std::to_string(i)));
  auto& mine = tp_.platform().publisher();
  ASSERT_TRUE(mine.PublishSite(d_.site_a));
  publish::PublishOptions o;
  o.data_dir = tp_.data_dir();
  o.themes_dir = tp_.platform().config().ThemesDir();
  publish::Publisher other(tp_.service().db(), o);
  PublishNew(d_.column_a2, "通知");  // published by `mine` through the API
  auto r = other.PublishSite(d_.site_a);
  ASSERT_TRUE(r) << r.error().message;
  ExpectManifestMatches(Root());
  int64_t x = PublishNew(d_.column_a1, "又一条新闻");  // `mine` again, incrementally
  EXPECT_TRUE(fs::exists(Root() + "/a/" + Id(x) + ".html"));
  ExpectManifestMatches(Root());
  json m = json::parse(Slurp(fs::canonical(Root()) / "manifest.json"));
  EXPECT_TRUE(m["files"].contains("/a/" + Id(x) + ".html"));
  EXPECT_TRUE(m["files"].contains("/a/" + Id(ids[0]) + ".html"));
}

// Deleting an (empty) column republishes the site: its list page and feed
// go, and no page links to it any more.
TEST_F(Publish, DeletedColumnLeavesThePublishedSite) {
  PublishNew(d_.column_a1, "新闻");
  Client admin = tp_.As("a_admin");
  auto made = admin.Post("/api/v1/sites/" + Id(d_.site_a) + "/columns",
                         {{"name", "临时栏目"}, {"slug", "temp"}, {"type", "list"}});
  ASSERT_EQ(made.status, 201) << made.body;
  ASSERT_TRUE(fs::exists(Root() + "/temp/index.html"));
  ASSERT_NE(Slurp(Root() + "/index.html").find("/temp/"), std::string::npos);
  auto del = admin.Delete("/api/v1/columns/" + Id(made.Json()["id"]));
  ASSERT_EQ(del.status, 204) << del.body;
  EXPECT_FALSE(fs::exists(Root() + "/temp/index.html"));
  EXPECT_FALSE(fs::exists(Root() + "/temp/rss.xml"));
  EXPECT_EQ(Slurp(Root() + "/index.html").find("/temp/"), std::string::npos);
  ExpectManifestMatches(Root());
}

// /.well-known/ is the operator's (security.txt, ACME tokens): a full
// publish builds a new version and carries it over.
TEST_F(Publish, FullPublishKeepsTheOperatorsWellKnownFiles) {
  PublishNew(d_.column_a1, "新闻");
  ASSERT_TRUE(tp_.platform().publisher().PublishSite(d_.site_a));
  fs::create_directories(Root() + "/.well-known/acme-challenge");
  {
    std::ofstream(Root() + "/.well-known/security.txt") << "Contact: mailto:it@example.cn\n";
    std::ofstream(Root() + "/.well-known/acme-challenge/tok") << "tok.key\n";
  }
  std::string before = fs::canonical(Root()).string();
  ASSERT_TRUE(tp_.platform().publisher().PublishSite(d_.site_a));
  EXPECT_NE(fs::canonical(Root()).string(), before) << "a new version went live";
  EXPECT_EQ(Slurp(Root() + "/.well-known/security.txt"), "Contact: mailto:it@example.cn\n");
  EXPECT_EQ(Slurp(Root() + "/.well-known/acme-challenge/tok"), "tok.key\n");
  ExpectManifestMatches(Root());
}

TEST_F(Publish, WithdrawRemovesThePageAndUpdatesTheList) {
  std::vector<int64_t> ids;
  for (int i = 0; i < 4; ++i) ids.push_back(PublishNew(d_.column_a1, "新闻" + std::to_string(i)));
  ASSERT_TRUE(tp_.platform().publisher().PublishSite(d_.site_a));
  std::string slug = Slug(d_.column_a1);
  ASSERT_TRUE(fs::exists(Root() + "/" + slug + "/2.html"));
  auto w = reviewer_->Post("/api/v1/articles/" + Id(ids[0]) + "/withdraw", json::object());
  ASSERT_EQ(w.status, 200) << w.body;
  EXPECT_FALSE(fs::exists(Root() + "/a/" + Id(ids[0]) + ".html"));
  EXPECT_FALSE(fs::exists(Root() + "/" + slug + "/2.html")) << "3 items left: one page";
  EXPECT_EQ(Slurp(Root() + "/" + slug + "/index.html").find("新闻0"), std::string::npos);
  ExpectManifestMatches(Root());
}

TEST_F(Publish, ThemeWithATemplateErrorIsRefusedAndNothingChanges) {
  PublishNew(d_.column_a1, "新闻");
  ASSERT_TRUE(tp_.platform().publisher().PublishSite(d_.site_a));
  std::string manifest = Slurp(fs::canonical(Root()) / "manifest.json");
  // A copy of the fixture theme with an unclosed section on line 3.
  fs::path themes = fs::path(tp_.platform().config().ThemesDir());
  fs::path broken = themes / "broken-test";
  fs::remove_all(broken);
  fs::copy(themes / "plain", broken, fs::copy_options::recursive);
  {
    std::ofstream f(broken / "theme.toml");
    f << "name = \"broken-test\"\n";
  }
  {
    std::ofstream f(broken / "templates" / "list.mustache");
    f << "{{> head}}\n<h1>{{column.name}}</h1>\n{{#items}}<li>{{title}}</li>\n{{> foot}}\n";
  }
  Client admin = tp_.As("sysadmin");
  auto r = admin.Patch("/api/v1/sites/" + Id(d_.site_a), {{"theme", "broken-test"}});
  fs::remove_all(broken);
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(r.Json()["error"]["field"], "theme");
  std::string msg = r.Json()["error"]["message"];
  EXPECT_NE(msg.find("templates/list.mustache:3"), std::string::npos) << msg;
  EXPECT_EQ(admin.Get("/api/v1/sites/" + Id(d_.site_a)).Json()["theme"], "plain");
  EXPECT_EQ(Slurp(fs::canonical(Root()) / "manifest.json"), manifest);
}

TEST_F(Publish, ScheduledArticleIsPublishedWhenDue) {
  auto c =
      editor_->Post("/api/v1/sites/" + Id(d_.site_a) + "/articles",
                    {{"column_id", d_.column_a1}, {"title", "定时信息"}, {"body", "<p>x</p>"}});
  std::string id = Id(c.Json()["id"]);
  editor_->Post("/api/v1/articles/" + id + "/submit", json::object());
  reviewer_->Post("/api/v1/articles/" + id + "/approve", json::object());
  int64_t at = tp_.service().Now() + 60 * 1000;
  ASSERT_EQ(
      reviewer_->Post("/api/v1/articles/" + id + "/publish", {{"publish_at", at}}).Json()["status"],
      "approved");
  // The scheduler's job goes through the service: the change is audited and
  // announced, and the publisher (subscribed) writes the page.
  auto none = tp_.service().PublishScheduled(at - 1);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
  EXPECT_FALSE(fs::exists(Root() + "/a/" + id + ".html"));
  auto due = tp_.service().PublishScheduled(at);
  ASSERT_TRUE(due);
  ASSERT_EQ(due->size(), 1u);
  json art = editor_->Get("/api/v1/articles/" + id).Json();
  EXPECT_EQ(art["status"], "published");
  EXPECT_EQ(art["published_at"], at);
  EXPECT_TRUE(fs::exists(Root() + "/a/" + id + ".html"));
  json audit = tp_.As("auditor").Get("/api/v1/audit?action=article.publish&page_size=100").Json();
  bool found = false;
  for (const auto& e : audit["items"]) {
    if (e["target_id"] == id && e["actor"] == "system:scheduler") found = true;
  }
  EXPECT_TRUE(found) << audit.dump();
  // A second run finds nothing: published once.
  auto again = tp_.service().PublishScheduled(at + 1000);
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->empty());
}

TEST(PublishCrash, KillDuringFullPublishLeavesEveryPageWholeAndTheManifestTrue) {
  TestPlatform tp;
  District d = BuildDistrict(tp);
  // A site big enough that a publish takes a while.
  service::Principal ed;
  ed.user_id = d.users["a_editor"];
  ed.username = "a_editor";
  ed.grants.push_back({d.site_a, std::nullopt, service::SiteRole::kEditor});
  service::Principal rv;
  rv.user_id = d.users["a_reviewer"];
  rv.username = "a_reviewer";
  rv.grants.push_back({d.site_a, std::nullopt, service::SiteRole::kReviewer});
  std::string long_body;
  for (int i = 0; i < 40; ++i) long_body += "<p>学校举行活动，师生积极参与，内容丰富多彩。</p>";
  for (int i = 0; i < 300; ++i) {
    auto a = tp.service().CreateArticle(ed, d.site_a,
                                        {{"column_id", i % 2 ? d.column_a1 : d.column_a2},
                                         {"title", "信息" + std::to_string(i)},
                                         {"body", long_body}});
    ASSERT_TRUE(a);
    int64_t id = (*a)["id"];
    ASSERT_TRUE(tp.service().ArticleAction(ed, id, "submit", json::object()));
    ASSERT_TRUE(tp.service().ArticleAction(rv, id, "approve", json::object()));
    ASSERT_TRUE(tp.service().ArticleAction(rv, id, "publish", json::object()));
  }
  ASSERT_TRUE(tp.platform().publisher().PublishSite(d.site_a));
  std::string root = tp.data_dir() + "/publish/sa";
  std::vector<std::string> argv = {ZQ_BINARY_PATH, "publish", "--data",
                                   tp.data_dir(),  "--site",  "sa"};
  // The store behind the platform under test.
  std::string url = tp.platform().config().DatabaseUrl();
  argv.push_back("--db");
  argv.push_back(url);
  // A private copy of the themes, so that changing one does not touch the source tree.
  TempDir themes;
  fs::copy(tp.platform().config().ThemesDir(), themes.path(), fs::copy_options::recursive);
  setenv("ZHANQUN_PUBLISH_THEMES_DIR", themes.path().c_str(), 1);
  for (int delay_ms : {5, 20, 60, 150}) {
    // Change the theme's CSS so the publish has real work to do.
    {
      std::ofstream f(themes.path() + "/plain/assets/extra-" + std::to_string(delay_ms) + ".css");
      f << "p{margin:" << delay_ms << "px}\n";
    }
    Subprocess pub(argv);
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    pub.Kill(SIGKILL);
    pub.Wait();
    ExpectManifestMatches(root);
    fs::path base = fs::canonical(root);
    for (auto& e : fs::recursive_directory_iterator(base)) {
      if (e.path().extension() != ".html") continue;
      std::string html = Slurp(e.path());
      EXPECT_NE(html.find("</html>"), std::string::npos) << e.path() << " is cut short";
    }
  }
}

}  // namespace
}  // namespace zhanqun::testing
