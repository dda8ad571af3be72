// The shipped themes, rendered by the publisher from real content: every page
// is a whole HTML5 document in Chinese with the landmarks, one h1, the skip
// link, the footer fields, and nothing loaded from elsewhere.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <vector>

#include "support/fixture.h"

namespace zhanqun::testing {
namespace {

namespace fs = std::filesystem;

std::string Slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int Count(const std::string& s, const std::string& needle) {
  int n = 0;
  for (size_t p = 0; (p = s.find(needle, p)) != std::string::npos; p += needle.size()) ++n;
  return n;
}

class ShippedTheme : public ::testing::TestWithParam<std::string> {};

TEST_P(ShippedTheme, EveryPageIsWholeAccessibleAndSelfContained) {
  TestPlatform tp({{"publish.themes_dir", std::string(ZQ_SOURCE_DIR) + "/themes"},
                   {"publish.default_theme", GetParam()}});
  District d = BuildDistrict(tp);
  Client admin = tp.As("sysadmin");
  ASSERT_EQ(admin
                .Patch("/api/v1/sites/" + std::to_string(d.site_a),
                       {{"icp", "沪ICP备12345678号-1"},
                        {"site_id_code", "3101120001"},
                        {"police_record", "沪公网安备 31011202001234号"},
                        {"sponsor", "甲小学"}})
                .status,
            200);
  Client ed = tp.As("a_editor"), rv = tp.As("a_reviewer");
  for (int i = 0; i < 25; ++i) {
    auto c = ed.Post("/api/v1/sites/" + std::to_string(d.site_a) + "/articles",
                     {{"column_id", i % 3 ? d.column_a1 : d.column_a2},
                      {"title", "校园新闻 " + std::to_string(i) + " <与> & “引号”"},
                      {"body", "<h1>正文标题</h1><p>内容</p><table><tr><td>1</td></tr></table>"}});
    ASSERT_EQ(c.status, 201);
    std::string id = std::to_string(c.Json()["id"].get<int64_t>());
    ed.Post("/api/v1/articles/" + id + "/submit", json::object());
    rv.Post("/api/v1/articles/" + id + "/approve", json::object());
    ASSERT_EQ(rv.Post("/api/v1/articles/" + id + "/publish", json::object()).status, 200);
  }
  auto r = tp.platform().publisher().PublishSite(d.site_a);
  ASSERT_TRUE(r) << r.error().message;
  fs::path root = fs::canonical(tp.data_dir() + "/publish/sa");
  int pages = 0;
  std::regex external(
      "(src|href)=\"(https?:)?//(?!beian\\.miit\\.gov\\.cn|beian\\.mps\\.gov\\.cn)");
  for (auto& e : fs::recursive_directory_iterator(root)) {
    if (e.path().extension() != ".html") continue;
    ++pages;
    std::string html = Slurp(e.path());
    SCOPED_TRACE(e.path().string());
    EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
    EXPECT_NE(html.find("<html lang=\"zh-CN\""), std::string::npos);
    EXPECT_NE(html.find("</html>"), std::string::npos);
    EXPECT_EQ(Count(html, "<h1"), 1) << "one h1 per page";
    EXPECT_NE(html.find("href=\"#main\""), std::string::npos) << "skip link";
    EXPECT_NE(html.find("<main"), std::string::npos);
    EXPECT_NE(html.find("<nav"), std::string::npos);
    EXPECT_NE(html.find("<footer"), std::string::npos);
    EXPECT_NE(html.find("https://beian.miit.gov.cn/"), std::string::npos) << "ICP link";
    EXPECT_NE(html.find("3101120001"), std::string::npos) << "网站标识码";
    EXPECT_NE(html.find("/_zq/mode.css"), std::string::npos) << "display modes";
    EXPECT_FALSE(std::regex_search(html, external)) << "nothing loaded from elsewhere";
    EXPECT_EQ(html.find("<script"), std::string::npos) << "no JavaScript needed";
    EXPECT_EQ(html.find("<与>"), std::string::npos) << "titles are escaped";
  }
  EXPECT_GE(pages, 25 + 3) << "articles, home, 404 and column pages";
}

// Hrefs of the links marked aria-current="true" (the navigation's current column).
std::vector<std::string> CurrentLinks(const std::string& html) {
  std::vector<std::string> out;
  std::regex link("<a href=\"([^\"]*)\"[^>]* aria-current=\"true\"");
  for (std::sregex_iterator it(html.begin(), html.end(), link), end; it != end; ++it)
    out.push_back((*it)[1]);
  return out;
}

// Each page is rendered from its own data over layers shared by the whole
// publish (the navigation, the site): the navigation marks the page's own
// column and no other, names inside a section resolve to the section's item
// before the page's, and the site's fields reach every page.
TEST_P(ShippedTheme, NavigationMarksThePagesOwnColumnAndSectionsSeeTheirItems) {
  TestPlatform tp({{"publish.themes_dir", std::string(ZQ_SOURCE_DIR) + "/themes"},
                   {"publish.default_theme", GetParam()}});
  District d = BuildDistrict(tp);
  Client ed = tp.As("a_editor"), rv = tp.As("a_reviewer");
  auto publish = [&](int64_t column, const std::string& title) {
    auto c = ed.Post("/api/v1/sites/" + std::to_string(d.site_a) + "/articles",
                     {{"column_id", column}, {"title", title}, {"body", "<p>正文</p>"}});
    EXPECT_EQ(c.status, 201);
    std::string id = std::to_string(c.Json()["id"].get<int64_t>());
    ed.Post("/api/v1/articles/" + id + "/submit", json::object());
    rv.Post("/api/v1/articles/" + id + "/approve", json::object());
    EXPECT_EQ(rv.Post("/api/v1/articles/" + id + "/publish", json::object()).status, 200);
    return id;
  };
  const std::string older = publish(d.column_a1, "较早的新闻");
  const std::string newer = publish(d.column_a1, "较新的新闻");
  const std::string notice = publish(d.column_a2, "一则通知");
  auto r = tp.platform().publisher().PublishSite(d.site_a);
  ASSERT_TRUE(r) << r.error().message;
  std::map<int64_t, std::string> slug;
  auto cols = ed.Get("/api/v1/sites/" + std::to_string(d.site_a) + "/columns");
  const json listed = cols.Json();
  for (const auto& c : listed["items"]) slug[c["id"]] = c["slug"];
  ASSERT_TRUE(slug.count(d.column_a1) && slug.count(d.column_a2)) << cols.body;
  const fs::path root = tp.data_dir() + "/publish/sa";
  const std::string a1 = "/" + slug[d.column_a1] + "/", a2 = "/" + slug[d.column_a2] + "/";

  EXPECT_TRUE(CurrentLinks(Slurp(root / "index.html")).empty()) << "home marks no column";
  EXPECT_TRUE(CurrentLinks(Slurp(root / "404.html")).empty());
  for (const auto& [file, want] :
       std::vector<std::pair<std::string, std::string>>{{slug[d.column_a1] + "/index.html", a1},
                                                        {slug[d.column_a2] + "/index.html", a2},
                                                        {"a/" + older + ".html", a1},
                                                        {"a/" + notice + ".html", a2}}) {
    SCOPED_TRACE(file);
    const std::string html = Slurp(root / file);
    const auto marked = CurrentLinks(html);
    ASSERT_FALSE(marked.empty());
    for (const auto& href : marked) EXPECT_EQ(href, want);
    EXPECT_NE(html.find("甲小学网站"), std::string::npos) << "the site layer";
  }
  // The older article's neighbour link shows the newer one's title: inside
  // the section, "title" is the neighbour's, not the page's.
  const std::string page = Slurp(root / ("a/" + older + ".html"));
  EXPECT_NE(page.find("href=\"/a/" + newer + ".html\""), std::string::npos);
  EXPECT_NE(page.find(">较新的新闻</a>"), std::string::npos);
  EXPECT_EQ(Count(page, ">较早的新闻</a>"), 1) << "its own title only in the breadcrumb";
}

INSTANTIATE_TEST_SUITE_P(Themes, ShippedTheme, ::testing::Values("qingsong", "mingde"));

}  // namespace
}  // namespace zhanqun::testing
