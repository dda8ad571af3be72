// The endpoints the admin console needs (web/admin/API-NEEDS.md): media and
// theme assets on the admin origin, preview in a theme, the 工作台, a site's
// members, pinning, column reorder, the theme list.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "support/fingerprint.h"
#include "support/fixture.h"

namespace zhanqun::testing {
namespace {

namespace fs = std::filesystem;

std::string Id(int64_t id) { return std::to_string(id); }

const std::string kPng = std::string("\x89PNG\r\n\x1a\n", 8) + std::string(64, '\0');

// Every file under data/publish with its size: what a preview must not touch.
std::map<std::string, uintmax_t> PublishTree(const std::string& data_dir) {
  std::map<std::string, uintmax_t> out;
  std::error_code ec;
  fs::path root = fs::path(data_dir) / "publish";
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    out[it->path().string()] = it->is_regular_file() ? it->file_size() : 0;
  }
  return out;
}

// Publishes a new article in the column through the review workflow.
int64_t PublishArticle(TestPlatform& tp, const District& d, int64_t column,
                       const std::string& title) {
  Client ed = tp.As("a_editor");
  Client rv = tp.As("a_reviewer");
  auto a = ed.Post("/api/v1/sites/" + Id(d.site_a) + "/articles",
                   {{"column_id", column}, {"title", title}, {"body", "<p>" + title + "</p>"}});
  EXPECT_EQ(a.status, 201) << a.body;
  std::string id = Id(a.Json()["id"]);
  EXPECT_EQ(ed.Post("/api/v1/articles/" + id + "/submit", json::object()).status, 200);
  EXPECT_EQ(rv.Post("/api/v1/articles/" + id + "/approve", json::object()).status, 200);
  auto p = rv.Post("/api/v1/articles/" + id + "/publish", json::object());
  EXPECT_EQ(p.status, 200) << p.body;
  return a.Json()["id"];
}

void WriteFile(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
}

// A themes directory with the fixture theme, a second one ("other") that
// renders a marker, and one whose home template does not parse ("broken").
std::string ThemesWithThreeThemes(const std::string& dir) {
  fs::path root = fs::path(dir) / "themes";
  fs::path plain = fs::path(ZQ_SOURCE_DIR) / "tests/fixtures/themes/plain";
  fs::create_directories(root);
  for (const char* name : {"plain", "other", "broken"}) {
    fs::copy(plain, root / name, fs::copy_options::recursive);
    std::ifstream in(root / name / "theme.toml");
    std::string toml((std::istreambuf_iterator<char>(in)), {});
    toml.replace(toml.find("\"plain\""), 7, std::string("\"") + name + "\"");
    WriteFile(root / name / "theme.toml", toml + "description = \"" + name + " 的说明\"\n");
  }
  WriteFile(root / "other/templates/home.mustache",
            "{{> head}}<p class=\"other-theme\">另一个主题</p><h1>{{site.name}}</h1>{{> foot}}");
  WriteFile(root / "broken/templates/home.mustache", "{{> head}}\n<h1>{{#site.name}}</h1>\n");
  return root.string();
}

// --- N1: media on the admin origin -------------------------------------------

TEST(ConsoleMedia, UrlIsThePublishedPathAndTheAdminOriginServesItToReadersOnly) {
  TestPlatform tp;
  District d = BuildDistrict(tp);
  Client ed = tp.As("a_editor");
  auto up = ed.Upload("/api/v1/sites/" + Id(d.site_a) + "/media", "file", "校徽.png", kPng,
                      {{"alt", "校徽"}});
  ASSERT_EQ(up.status, 201) << up.body;
  std::string hash = up.Json()["hash"];
  std::string url = "/_media/" + hash.substr(0, 2) + "/" + hash + ".png";
  EXPECT_EQ(up.Json()["url"], url);
  auto list = ed.Get("/api/v1/sites/" + Id(d.site_a) + "/media").Json();
  ASSERT_EQ(list["total"], 1);
  EXPECT_EQ(list["items"][0]["url"], url);

  auto got = ed.Get(url);
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(got.body, kPng);
  EXPECT_EQ(got.headers["content-type"], "image/png");
  EXPECT_EQ(got.headers["x-content-type-options"], "nosniff");
  EXPECT_EQ(got.headers["cache-control"], "private, max-age=31536000, immutable");
  EXPECT_EQ(got.headers.count("content-disposition"), 0u);
  EXPECT_EQ(tp.As("sysadmin").Get(url).status, 200);
  EXPECT_EQ(tp.As("a_reviewer").Get(url).status, 200);

  EXPECT_EQ(Client(tp.admin_base()).Get(url).status, 401) << "no session";
  // Another school's editor, a platform account without sites, a wrong
  // extension and an unknown hash all look alike: 404.
  auto other = tp.As("b_editor").Get(url);
  EXPECT_EQ(other.status, 404) << other.body;
  EXPECT_EQ(other.body.find("PNG"), std::string::npos);
  EXPECT_EQ(tp.As("secadmin").Get(url).status, 404);
  EXPECT_EQ(ed.Get("/_media/" + hash.substr(0, 2) + "/" + hash + ".pdf").status, 404);
  EXPECT_EQ(ed.Get("/_media/00/" + hash + ".png").status, 404);
  EXPECT_EQ(ed.Get("/_media/" + hash.substr(0, 2) + "/%2e%2e/%2e%2e/zhanqun.db").status, 404);
  EXPECT_EQ(ed.Request("POST", url, "{}").status, 405);

  // Not an image: downloaded, never rendered in the admin origin.
  auto pdf = ed.Upload("/api/v1/sites/" + Id(d.site_a) + "/media", "file", "课表.pdf",
                       "%PDF-1.4\n%test\n", {});
  ASSERT_EQ(pdf.status, 201) << pdf.body;
  auto doc = ed.Get(pdf.Json()["url"].get<std::string>());
  ASSERT_EQ(doc.status, 200);
  EXPECT_EQ(doc.headers["content-type"], "application/pdf");
  EXPECT_EQ(doc.headers["content-disposition"], "attachment");
}

// --- N2: preview and theme assets --------------------------------------------

TEST(ConsolePreview, RendersUnsavedContentSanitizedInTheSiteThemeAndWritesNothing) {
  TestPlatform tp;
  District d = BuildDistrict(tp);
  PublishArticle(tp, d, d.column_a1, "已发布的旧闻");
  Client ed = tp.As("a_editor");
  Client rv = tp.As("a_reviewer");
  std::string path = "/api/v1/sites/" + Id(d.site_a) + "/preview";
  auto tree = PublishTree(tp.data_dir());
  ASSERT_FALSE(tree.empty());
  std::string before = StoreFingerprint(tp.service());

  auto r = ed.Post(path, {{"article",
                           {{"column_id", d.column_a1},
                            {"title", "预览标题"},
                            {"body",
                             "<p>未保存的正文</p><script>alert(1)</script>"
                             "<img src=x onerror=alert(2) alt=\"图\">"}}}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.headers["content-type"], "text/html; charset=utf-8");
  EXPECT_NE(r.body.find("<h1>预览标题</h1>"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("未保存的正文"), std::string::npos);
  EXPECT_EQ(r.body.find("<script"), std::string::npos) << "sanitized as on save";
  EXPECT_EQ(r.body.find("onerror"), std::string::npos);
  EXPECT_NE(r.body.find("/_theme/plain/style.css"), std::string::npos);
  EXPECT_NE(r.body.find("下一篇"), std::string::npos) << "it heads the column, before 旧闻";

  // Only the stored article's id: the stored draft is rendered.
  auto stored = ed.Post(path, {{"article", {{"id", d.article_draft}}}});
  ASSERT_EQ(stored.status, 200) << stored.body;
  EXPECT_NE(stored.body.find("<h1>草稿</h1>"), std::string::npos) << stored.body;
  EXPECT_NE(stored.body.find("草稿正文"), std::string::npos);
  // The stored article with an unsaved title.
  auto mixed = ed.Post(path, {{"article", {{"id", d.article_draft}, {"title", "新标题"}}}});
  EXPECT_NE(mixed.body.find("<h1>新标题</h1>"), std::string::npos) << mixed.body;
  EXPECT_NE(mixed.body.find("草稿正文"), std::string::npos);

  // Home (no body) and a column page; the draft shows in the column list.
  auto home = rv.Post(path, json::object());
  ASSERT_EQ(home.status, 200) << home.body;
  EXPECT_NE(home.body.find("<h1>甲小学网站</h1>"), std::string::npos) << home.body;
  EXPECT_NE(home.body.find("已发布的旧闻"), std::string::npos);
  auto col = ed.Post(
      path, {{"page", "column:" + Id(d.column_a1)}, {"article", {{"id", d.article_draft}}}});
  ASSERT_EQ(col.status, 200) << col.body;
  EXPECT_NE(col.body.find("<h1>新闻动态</h1>"), std::string::npos) << col.body;
  EXPECT_NE(col.body.find("草稿"), std::string::npos);
  EXPECT_NE(col.body.find("已发布的旧闻"), std::string::npos);

  EXPECT_EQ(PublishTree(tp.data_dir()), tree) << "a preview writes nothing under data/publish";
  EXPECT_EQ(StoreFingerprint(tp.service()), before) << "a preview stores and audits nothing";
}

TEST(ConsolePreview, OtherSchoolAndBadInputAreRefusedNamingTheField) {
  TestPlatform tp;
  District d = BuildDistrict(tp);
  std::string path = "/api/v1/sites/" + Id(d.site_a) + "/preview";
  std::string before = StoreFingerprint(tp.service());
  EXPECT_EQ(Client(tp.admin_base()).Request("POST", path, "{}").status, 401);
  EXPECT_EQ(tp.As("b_editor").Post(path, json::object()).status, 403);
  EXPECT_EQ(tp.As("b_editor").Post(path, {{"article", {{"id", d.article_draft}}}}).status, 403);
  EXPECT_EQ(tp.As("a_editor").Post("/api/v1/sites/987654/preview", json::object()).status, 404);
  Client ed = tp.As("a_editor");
  struct Case {
    json body;
    int status;
    std::string field;
  };
  // A draft of school B's site, and its column: not reachable from site A.
  Client b = tp.As("b_editor");
  auto b_art = b.Post("/api/v1/sites/" + Id(d.site_b) + "/articles",
                      {{"column_id", d.column_b1}, {"title", "乙校草稿"}, {"body", "<p>乙</p>"}});
  ASSERT_EQ(b_art.status, 201);
  before = StoreFingerprint(tp.service());
  for (const Case& c : std::vector<Case>{
           {{{"theme", "nosuch"}}, 400, "theme"},
           {{{"theme", "../etc"}}, 400, "theme"},
           {{{"page", "bogus"}}, 400, "page"},
           {{{"page", "column:" + Id(d.column_b1)}}, 400, "page"},
           {{{"page", "article"}}, 400, "article"},
           {{{"zz", 1}}, 400, "zz"},
           {{{"article", "text"}}, 400, "article"},
           {{{"article", {{"title", "无栏目"}}}}, 400, "article.column_id"},
           {{{"article", {{"column_id", d.column_b1}}}}, 400, "article.column_id"},
           {{{"article", {{"column_id", d.column_a1}, {"zz", 1}}}}, 400, "article.zz"},
           {{{"article", {{"column_id", d.column_a1}, {"title", 5}}}}, 400, "article.title"},
           {{{"article", {{"column_id", d.column_a1}, {"attachments", {987654}}}}},
            400,
            "article.attachments"},
           {{{"article", {{"id", b_art.Json()["id"]}}}}, 404, "article.id"},
       }) {
    auto r = ed.Post(path, c.body);
    SCOPED_TRACE(c.body.dump() + " -> " + r.body);
    EXPECT_EQ(r.status, c.status);
    EXPECT_EQ(r.Json()["error"]["field"], c.field);
  }
  EXPECT_EQ(StoreFingerprint(tp.service()), before);
}

TEST(ConsolePreview, AnotherThemeRendersAndABrokenOneIsRefusedWithFileAndLine) {
  TempDir themes_root;
  std::string themes = ThemesWithThreeThemes(themes_root.path());
  TestPlatform tp({{"publish.themes_dir", themes}});
  District d = BuildDistrict(tp);
  Client ad = tp.As("a_admin");
  std::string path = "/api/v1/sites/" + Id(d.site_a) + "/preview";
  auto other = ad.Post(path, {{"theme", "other"}});
  ASSERT_EQ(other.status, 200) << other.body;
  EXPECT_NE(other.body.find("另一个主题"), std::string::npos) << other.body;
  EXPECT_NE(other.body.find("/_theme/other/style.css"), std::string::npos);
  auto broken = ad.Post(path, {{"theme", "broken"}});
  EXPECT_EQ(broken.status, 400) << broken.body;
  EXPECT_EQ(broken.Json()["error"]["field"], "theme");
  EXPECT_NE(broken.Json()["error"]["message"].get<std::string>().find("templates/home.mustache"),
            std::string::npos)
      << broken.body;
  // The site still uses its own theme.
  EXPECT_EQ(ad.Get("/api/v1/sites/" + Id(d.site_a)).Json()["theme"], "plain");

  // N6: the list says which themes load.
  auto list = tp.As("a_editor").Get("/api/v1/themes");
  ASSERT_EQ(list.status, 200) << list.body;
  auto j = list.Json();
  ASSERT_EQ(j["total"], 3) << list.body;
  std::map<std::string, json> by_name;
  for (const auto& t : j["items"]) by_name[t["name"].get<std::string>()] = t;
  EXPECT_EQ(by_name["plain"]["ok"], true);
  EXPECT_EQ(by_name["plain"]["title"], "测试主题");
  EXPECT_EQ(by_name["plain"]["description"], "plain 的说明");
  EXPECT_EQ(by_name["plain"]["error"], "");
  EXPECT_EQ(by_name["broken"]["ok"], false);
  EXPECT_NE(by_name["broken"]["error"].get<std::string>().find("templates/home.mustache:"),
            std::string::npos)
      << list.body;
  EXPECT_EQ(tp.As("secadmin").Get("/api/v1/themes").status, 403);
  EXPECT_EQ(tp.As("auditor").Get("/api/v1/themes").status, 403);
  EXPECT_EQ(Client(tp.admin_base()).Get("/api/v1/themes").status, 401);
}

TEST(ConsoleThemeAssets, AdminListenerServesThemeAssetsReadOnlyAndNothingOutside) {
  TestPlatform tp;
  Client anon(tp.admin_base());
  auto css = anon.Get("/_theme/plain/style.css");
  ASSERT_EQ(css.status, 200) << css.body;
  std::ifstream in(std::string(ZQ_SOURCE_DIR) + "/tests/fixtures/themes/plain/assets/style.css");
  std::string expected((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(css.body, expected);
  EXPECT_EQ(css.headers["content-type"].rfind("text/css", 0), 0u) << css.headers["content-type"];
  EXPECT_EQ(css.headers["x-content-type-options"], "nosniff");
  for (const char* bad : {"/_theme/plain/%2e%2e/theme.toml", "/_theme/plain/..%2ftheme.toml",
                          "/_theme/plain/nosuch.css", "/_theme/nosuch/style.css",
                          "/_theme/plain/.hidden", "/_theme/plain/"}) {
    auto r = anon.Get(bad);
    EXPECT_TRUE(r.status == 404 || r.status == 400) << bad << " -> " << r.status << r.body;
    EXPECT_EQ(r.body.find("list_page_size"), std::string::npos) << bad;
  }
  EXPECT_EQ(anon.Request("POST", "/_theme/plain/style.css", "x").status, 405);
}

// --- N3: dashboard ----------------------------------------------------------------

TEST(ConsoleDashboard, CountsTheCallersSitesAndWork) {
  TestPlatform tp;
  District d = BuildDistrict(tp);
  PublishArticle(tp, d, d.column_a2, "本月通知");

  auto ed = tp.As("a_editor").Get("/api/v1/dashboard");
  ASSERT_EQ(ed.status, 200) << ed.body;
  auto j = ed.Json();
  ASSERT_EQ(j["sites"].size(), 1u) << ed.body;
  const json& s = j["sites"][0];
  EXPECT_EQ(s["id"], d.site_a);
  EXPECT_EQ(s["code"], "sa");
  EXPECT_EQ(s["pending"], 1);
  EXPECT_EQ(s["drafts"], 1);
  EXPECT_EQ(s["published"], 1);
  EXPECT_EQ(s["articles_this_month"], 1);
  EXPECT_TRUE(s["last_published_at"].is_number_integer()) << ed.body;
  EXPECT_EQ(j["totals"]["sites"], 1);
  EXPECT_EQ(j["totals"]["pending"], 1);
  EXPECT_EQ(j["totals"]["articles_this_month"], 1);
  // The editor wrote the pending one: not theirs to review.
  EXPECT_EQ(j["my"]["drafts"], 1);
  EXPECT_EQ(j["my"]["pending_review"], 0);
  EXPECT_EQ(j["my"]["rejected"], 0);

  Client rv = tp.As("a_reviewer");
  EXPECT_EQ(rv.Get("/api/v1/dashboard").Json()["my"]["pending_review"], 1);
  ASSERT_EQ(
      rv.Post("/api/v1/articles/" + Id(d.article_pending) + "/reject", {{"comment", "请补充时间"}})
          .status,
      200);
  auto after = tp.As("a_editor").Get("/api/v1/dashboard").Json();
  EXPECT_EQ(after["my"]["rejected"], 1);
  EXPECT_EQ(after["my"]["drafts"], 2);
  EXPECT_EQ(after["sites"][0]["pending"], 0);

  auto b = tp.As("b_editor").Get("/api/v1/dashboard").Json();
  ASSERT_EQ(b["sites"].size(), 1u);
  EXPECT_EQ(b["sites"][0]["id"], d.site_b) << "school B sees nothing of school A";
  EXPECT_EQ(b["totals"]["pending"], 0);

  auto sys = tp.As("sysadmin").Get("/api/v1/dashboard").Json();
  EXPECT_EQ(sys["totals"]["sites"], 2);
  EXPECT_EQ(tp.As("secadmin").Get("/api/v1/dashboard").status, 403);
  EXPECT_EQ(tp.As("auditor").Get("/api/v1/dashboard").status, 403);
  EXPECT_EQ(Client(tp.admin_base()).Get("/api/v1/dashboard").status, 401);
}

// --- N4: site members and author names -------------------------------------------

TEST(ConsoleGrants, SiteAdminSeesTheSiteMembersAndArticlesCarryNames) {
  TestPlatform tp;
  District d = BuildDistrict(tp);
  std::string path = "/api/v1/sites/" + Id(d.site_a) + "/grants";
  auto r = tp.As("a_admin").Get(path);
  ASSERT_EQ(r.status, 200) << r.body;
  std::map<std::string, json> by_user;
  json grants = r.Json();
  for (const auto& g : grants["items"]) by_user[g["username"].get<std::string>()] = g;
  ASSERT_TRUE(by_user.count("a_editor")) << r.body;
  EXPECT_EQ(by_user["a_editor"]["role"], "editor");
  EXPECT_EQ(by_user["a_editor"]["display_name"], "a_editor");
  EXPECT_EQ(by_user["a_editor"]["user_id"], d.users["a_editor"]);
  EXPECT_EQ(by_user["a_editor"]["site_id"], d.site_a);
  EXPECT_FALSE(by_user.count("b_editor")) << "school B's members are not listed";
  EXPECT_EQ(tp.As("a_editor").Get(path).status, 403);
  EXPECT_EQ(tp.As("b_editor").Get(path).status, 403);
  EXPECT_EQ(tp.As("sysadmin").Get(path).status, 200);

  Client ed = tp.As("a_editor");
  auto art = ed.Get("/api/v1/articles/" + Id(d.article_draft)).Json();
  EXPECT_EQ(art["created_by_name"], "a_editor");
  EXPECT_EQ(art["reviewed_by_name"], "");
  ASSERT_EQ(tp.As("a_reviewer")
                .Post("/api/v1/articles/" + Id(d.article_pending) + "/approve", json::object())
                .status,
            200);
  auto list = ed.Get("/api/v1/sites/" + Id(d.site_a) + "/articles").Json();
  bool seen = false;
  for (const auto& a : list["items"]) {
    EXPECT_EQ(a["created_by_name"], "a_editor");
    if (a["id"] == d.article_pending) {
      EXPECT_EQ(a["reviewed_by_name"], "a_reviewer");
      seen = true;
    }
  }
  EXPECT_TRUE(seen);
}

// --- N5: pin ------------------------------------------------------------------

TEST(ConsolePin, PinningAPublishedArticleKeepsItPublishedAndRewritesItsColumn) {
  TestPlatform tp;
  District d = BuildDistrict(tp);
  int64_t older = PublishArticle(tp, d, d.column_a1, "较早的新闻");
  PublishArticle(tp, d, d.column_a1, "较新的新闻");
  auto cols = tp.As("a_editor").Get("/api/v1/sites/" + Id(d.site_a) + "/columns").Json();
  std::string slug;
  for (const auto& c : cols["items"])
    if (c["id"] == d.column_a1) slug = c["slug"].get<std::string>();
  fs::path page = fs::path(tp.data_dir()) / "publish/sa" / slug / "index.html";
  auto read = [&] {
    std::ifstream in(page);
    return std::string((std::istreambuf_iterator<char>(in)), {});
  };
  std::string html = read();
  ASSERT_LT(html.find("较新的新闻"), html.find("较早的新闻")) << html;

  Client rv = tp.As("a_reviewer");
  Client ed = tp.As("a_editor");
  Client b = tp.As("b_editor");
  std::string path = "/api/v1/articles/" + Id(older) + "/pin";
  std::string before = StoreFingerprint(tp.service());
  EXPECT_EQ(ed.Post(path, {{"pinned", true}}).status, 403);
  EXPECT_EQ(b.Post(path, {{"pinned", true}}).status, 403);
  auto bad = rv.Post(path, {{"pinned", "yes"}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.Json()["error"]["field"], "pinned");
  auto bad2 = rv.Post(path, {{"sort_order", 99999999}});
  EXPECT_EQ(bad2.Json()["error"]["field"], "sort_order");
  EXPECT_EQ(rv.Post(path, {{"status", "draft"}}).Json()["error"]["field"], "status");
  EXPECT_EQ(StoreFingerprint(tp.service()), before);

  auto r = rv.Post(path, {{"pinned", true}, {"sort_order", 10}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Json()["status"], "published");
  EXPECT_EQ(r.Json()["pinned"], true);
  EXPECT_EQ(r.Json()["sort_order"], 10);
  html = read();
  EXPECT_LT(html.find("较早的新闻"), html.find("较新的新闻")) << "pinned first: " << html;

  auto audit = tp.As("auditor").Get("/api/v1/audit?action=article.pin").Json();
  ASSERT_EQ(audit["total"], 1) << audit.dump();
  // Pinning a draft works too, and a no-op is not audited.
  EXPECT_EQ(tp.As("a_admin")
                .Post("/api/v1/articles/" + Id(d.article_draft) + "/pin", {{"pinned", true}})
                .Json()["pinned"],
            true);
  EXPECT_EQ(rv.Post(path, {{"pinned", true}}).status, 200);
  EXPECT_EQ(tp.As("auditor").Get("/api/v1/audit?action=article.pin").Json()["total"], 2);
}

// --- N7: column reorder ----------------------------------------------------------

TEST(ConsoleReorder, MovesColumnsAtomicallyAndRefusesACycleWhole) {
  TestPlatform tp;
  District d = BuildDistrict(tp);
  Client ad = tp.As("a_admin");
  Client ed = tp.As("a_editor");
  Client b = tp.As("b_editor");
  std::string path = "/api/v1/sites/" + Id(d.site_a) + "/columns/reorder";
  auto r = ad.Post(path, {{"items",
                           {{{"id", d.column_a2}, {"parent_id", d.column_a1}, {"sort_order", 5}},
                            {{"id", d.column_a1}, {"sort_order", -1}}}}});
  ASSERT_EQ(r.status, 200) << r.body;
  std::map<int64_t, json> cols;
  json listed = r.Json();
  for (const auto& c : listed["items"]) cols[c["id"].get<int64_t>()] = c;
  EXPECT_EQ(cols[d.column_a2]["parent_id"], d.column_a1);
  EXPECT_EQ(cols[d.column_a2]["sort_order"], 5);
  EXPECT_EQ(cols[d.column_a1]["sort_order"], -1);
  EXPECT_TRUE(cols[d.column_a1]["parent_id"].is_null());
  EXPECT_EQ(tp.As("auditor").Get("/api/v1/audit?action=column.reorder").Json()["total"], 1);

  std::string before = StoreFingerprint(tp.service());
  // a2 is under a1 now: a1 under a2 is a cycle. The first item alone would
  // be fine; nothing of the request is applied.
  auto cycle = ad.Post(path, {{"items",
                               {{{"id", d.column_a2}, {"sort_order", 42}},
                                {{"id", d.column_a1}, {"parent_id", d.column_a2}}}}});
  EXPECT_EQ(cycle.status, 409) << cycle.body;
  EXPECT_EQ(cycle.Json()["error"]["field"], "items[1].parent_id");
  auto self = ad.Post(path, {{"items", {{{"id", d.column_a1}, {"parent_id", d.column_a1}}}}});
  EXPECT_EQ(self.status, 409);
  EXPECT_EQ(self.Json()["error"]["field"], "items[0].parent_id");
  auto other_site = ad.Post(path, {{"items", {{{"id", d.column_b1}, {"sort_order", 1}}}}});
  EXPECT_EQ(other_site.status, 409);
  EXPECT_EQ(other_site.Json()["error"]["field"], "items[0].id");
  auto other_parent = ad.Post(path, {{"items",
                                      {{{"id", d.column_a1}, {"sort_order", 3}},
                                       {{"id", d.column_a2}, {"parent_id", d.column_b1}}}}});
  EXPECT_EQ(other_parent.status, 409);
  EXPECT_EQ(other_parent.Json()["error"]["field"], "items[1].parent_id");
  for (const auto& [body, field] : std::vector<std::pair<json, std::string>>{
           {json::object(), "items"},
           {{{"items", json::array()}}, "items"},
           {{{"items", {{{"id", "x"}}}}}, "items[0].id"},
           {{{"items", {{{"sort_order", 1}}}}}, "items[0].id"},
           {{{"items", {{{"id", d.column_a1}, {"zz", 1}}}}}, "items[0].zz"},
           {{{"items", {{{"id", d.column_a1}}, {{"id", d.column_a1}}}}}, "items[1].id"},
           {{{"items", {1}}}, "items[0]"}}) {
    auto bad = ad.Post(path, body);
    EXPECT_EQ(bad.status, 400) << body.dump() << " -> " << bad.body;
    EXPECT_EQ(bad.Json()["error"]["field"], field) << body.dump() << " -> " << bad.body;
  }
  EXPECT_EQ(ed.Post(path, {{"items", {{{"id", d.column_a1}}}}}).status, 403);
  EXPECT_EQ(b.Post(path, {{"items", {{{"id", d.column_a1}}}}}).status, 403);
  EXPECT_EQ(StoreFingerprint(tp.service()), before) << "refused requests change nothing";
}

// --- N8 ---------------------------------------------------------------------------

TEST(ConsoleMedia, DeleteIsRefusedWhileUsedAndListFilters) {
  TestPlatform tp;
  District d = BuildDistrict(tp);
  Client ed = tp.As("a_editor");
  Client b = tp.As("b_editor");
  std::string media = "/api/v1/sites/" + Id(d.site_a) + "/media";
  auto img = ed.Upload(media, "file", "操场.png", kPng, {{"alt", "操场全景"}});
  auto pdf = ed.Upload(media, "file", "课表.pdf", "%PDF-1.4\n%x\n", {});
  auto free = ed.Upload(media, "file", "旧课表.pdf", "%PDF-1.4\n%y\n", {});
  ASSERT_EQ(img.status, 201);
  ASSERT_EQ(pdf.status, 201);
  ASSERT_EQ(free.status, 201);
  auto images = ed.Get(media + "?kind=image").Json();
  ASSERT_EQ(images["total"], 1);
  EXPECT_EQ(images["items"][0]["filename"], "操场.png");
  EXPECT_EQ(ed.Get(media + "?kind=file").Json()["total"], 2);
  EXPECT_EQ(ed.Get(media + "?q=" + std::string("%E6%93%8D%E5%9C%BA")).Json()["total"], 1)
      << "alt or filename contains 操场";
  auto bad_kind = ed.Get(media + "?kind=video");
  EXPECT_EQ(bad_kind.status, 400);
  EXPECT_EQ(bad_kind.Json()["error"]["field"], "kind");

  // The image is in a body, the pdf an attachment: both refused.
  std::string img_url = img.Json()["url"];
  ASSERT_EQ(ed.Post("/api/v1/sites/" + Id(d.site_a) + "/articles",
                    {{"column_id", d.column_a1},
                     {"title", "有图"},
                     {"body", "<p><img src=\"" + img_url + "\" alt=\"操场\"></p>"},
                     {"attachments", {pdf.Json()["id"]}}})
                .status,
            201);
  std::string before = StoreFingerprint(tp.service());
  for (const auto& used : {img, pdf}) {
    auto r = ed.Delete("/api/v1/media/" + Id(used.Json()["id"]));
    EXPECT_EQ(r.status, 409) << r.body;
  }
  EXPECT_EQ(b.Delete("/api/v1/media/" + Id(free.Json()["id"])).status, 403);
  EXPECT_EQ(ed.Delete("/api/v1/media/987654").status, 404);
  EXPECT_EQ(StoreFingerprint(tp.service()), before);
  EXPECT_EQ(ed.Delete("/api/v1/media/" + Id(free.Json()["id"])).status, 204);
  EXPECT_EQ(ed.Get(media).Json()["total"], 2);
  EXPECT_EQ(tp.As("auditor").Get("/api/v1/audit?action=media.delete").Json()["total"], 1);
}

TEST(ConsoleUsers, ListFiltersByDepartmentAndPlatformAndSettingsShowTheSession) {
  TestPlatform tp;
  District d = BuildDistrict(tp);
  Client sys = tp.As("sysadmin");
  auto school_a = sys.Get("/api/v1/users?department_id=" + Id(d.school_a)).Json();
  std::set<std::string> names;
  for (const auto& u : school_a["items"]) names.insert(u["username"].get<std::string>());
  EXPECT_EQ(names, (std::set<std::string>{"a_admin", "a_editor", "a_reviewer", "victim"}));
  auto platform = sys.Get("/api/v1/users?platform=1").Json();
  EXPECT_EQ(platform["total"], 3) << platform.dump();
  for (const auto& u : platform["items"]) EXPECT_FALSE(u["platform_role"].is_null());
  auto others = sys.Get("/api/v1/users?platform=0").Json();
  for (const auto& u : others["items"]) EXPECT_TRUE(u["platform_role"].is_null());
  EXPECT_EQ(others["total"], 5);
  for (const char* bad : {"platform=2", "platform=x", "department_id=abc"}) {
    auto r = sys.Get(std::string("/api/v1/users?") + bad);
    EXPECT_EQ(r.status, 400) << bad;
    EXPECT_EQ(r.Json()["error"]["field"], std::string(bad).substr(0, std::string(bad).find('=')));
  }
  auto settings = tp.As("secadmin").Get("/api/v1/settings/security").Json();
  EXPECT_EQ(settings["session"]["idle_timeout_minutes"],
            settings["password_policy"]["idle_timeout_minutes"]);
  EXPECT_EQ(settings["session"]["absolute_timeout_hours"], 12);
}

}  // namespace
}  // namespace zhanqun::testing
