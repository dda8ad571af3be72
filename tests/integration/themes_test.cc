// The shipped themes, rendered by the publisher from real content: every page
// is a whole HTML5 document in Chinese with the landmarks, one h1, the skip
// link, the footer fields, and nothing loaded from elsewhere.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>

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

INSTANTIATE_TEST_SUITE_P(Themes, ShippedTheme, ::testing::Values("qingsong", "mingde"));

}  // namespace
}  // namespace zhanqun::testing
