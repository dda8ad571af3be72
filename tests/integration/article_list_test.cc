// The article list as the console pages through it: the order across pages,
// totals that stay exact as articles move between columns and states (the
// counters of migration 6), and search terms taken literally.
#include <gtest/gtest.h>

#include <algorithm>
#include <tuple>

#include "support/fixture.h"

namespace zhanqun::testing {
namespace {

class ArticleList : public ::testing::Test {
 protected:
  void SetUp() override {
    d_ = BuildDistrict(tp_);
    admin_ = std::make_unique<Client>(tp_.As("sysadmin"));
    ed_.user_id = d_.users["a_editor"];
    ed_.username = "a_editor";
    ed_.grants.push_back({d_.site_a, std::nullopt, service::SiteRole::kEditor});
    rv_.user_id = d_.users["a_reviewer"];
    rv_.username = "a_reviewer";
    rv_.grants.push_back({d_.site_a, std::nullopt, service::SiteRole::kReviewer});
  }
  int64_t Create(int64_t column, const std::string& title) {
    auto a = tp_.service().CreateArticle(
        ed_, d_.site_a, {{"column_id", column}, {"title", title}, {"body", "<p>x</p>"}});
    EXPECT_TRUE(a) << (a ? "" : a.error().message);
    return a ? (*a)["id"].get<int64_t>() : 0;
  }
  void Publish(int64_t id) {
    ASSERT_TRUE(tp_.service().ArticleAction(ed_, id, "submit", json::object()));
    ASSERT_TRUE(tp_.service().ArticleAction(rv_, id, "approve", json::object()));
    ASSERT_TRUE(tp_.service().ArticleAction(rv_, id, "publish", json::object()));
  }
  json List(const std::string& query) {
    auto r = admin_->Get("/api/v1/sites/" + std::to_string(d_.site_a) + "/articles?" + query);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.Json();
  }
  int64_t Total(const std::string& query) { return List(query)["total"].get<int64_t>(); }
  // What COUNT(*) says, for comparison with the counters.
  int64_t Count(const std::string& where, store::Params params) {
    auto n = tp_.service().db().ReadValue<int64_t>([&](store::Conn& c) {
      return c.QueryInt("SELECT COUNT(*) FROM articles " + where, params);
    });
    EXPECT_TRUE(n);
    return n ? *n : -1;
  }

  TestPlatform tp_;
  District d_;
  std::unique_ptr<Client> admin_;
  service::Principal ed_, rv_;
};

TEST_F(ArticleList, PagesFollowPinnedOrderTimeAndIdWithoutGapsOrRepeats) {
  std::vector<int64_t> ids;
  for (int i = 0; i < 45; ++i)
    ids.push_back(Create(i % 2 ? d_.column_a1 : d_.column_a2, "信息" + std::to_string(i)));
  for (int i = 0; i < 10; ++i) Publish(ids[i * 3]);
  ASSERT_TRUE(tp_.service().PinArticle(rv_, ids[7], {{"pinned", true}}));
  ASSERT_TRUE(tp_.service().PinArticle(rv_, ids[30], {{"sort_order", 5}}));
  // The expected order, computed here from what the API returns per article.
  std::vector<json> all;
  for (int page = 1;; ++page) {
    json j = List("page_size=7&page=" + std::to_string(page));
    if (j["items"].empty()) break;
    for (auto& a : j["items"]) all.push_back(a);
    EXPECT_EQ(j["total"], Count("WHERE site_id = ?", {d_.site_a}));
  }
  ASSERT_EQ(all.size(), static_cast<size_t>(Count("WHERE site_id = ?", {d_.site_a})));
  auto key = [](const json& a) {
    int64_t t = a["published_at"].is_null() ? a["updated_at"].get<int64_t>()
                                            : a["published_at"].get<int64_t>();
    return std::make_tuple(a["pinned"].get<bool>(), a["sort_order"].get<int64_t>(), t,
                           a["id"].get<int64_t>());
  };
  for (size_t i = 1; i < all.size(); ++i) {
    EXPECT_GT(key(all[i - 1]), key(all[i])) << "position " << i;
  }
  EXPECT_EQ(all[0]["id"], ids[7]) << "the pinned article comes first";
  EXPECT_EQ(all[1]["id"], ids[30]) << "then the one with a higher sort order";
  // Lists never carry bodies (a body may be 2 MB).
  EXPECT_FALSE(all[0].contains("body"));
  // A page past the end is empty and still has the total.
  json past = List("page_size=20&page=99");
  EXPECT_TRUE(past["items"].empty());
  EXPECT_EQ(past["total"], all.size());
}

TEST_F(ArticleList, TotalsStayExactAsArticlesMoveBetweenColumnsAndStates) {
  std::vector<int64_t> ids;
  for (int i = 0; i < 12; ++i) ids.push_back(Create(d_.column_a1, "栏目一 " + std::to_string(i)));
  for (int i = 0; i < 5; ++i) ids.push_back(Create(d_.column_a2, "栏目二 " + std::to_string(i)));
  for (int i = 0; i < 4; ++i) Publish(ids[i]);
  ASSERT_TRUE(tp_.service().ArticleAction(rv_, ids[0], "withdraw", json::object()));
  // Move two drafts to the other column.
  for (int64_t id : {ids[5], ids[6]}) {
    json cur = *tp_.service().GetArticle(ed_, id);
    auto moved = tp_.service().UpdateArticle(
        ed_, id, {{"column_id", d_.column_a2}, {"version", cur["version"]}});
    ASSERT_TRUE(moved) << moved.error().message;
  }
  const std::string a1 = std::to_string(d_.column_a1), a2 = std::to_string(d_.column_a2);
  for (const std::string status : {"", "draft", "pending", "published", "withdrawn"}) {
    for (const std::string& col : {std::string(), a1, a2}) {
      std::string q = "page_size=1";
      std::string where = "WHERE site_id = ?";
      store::Params params = {d_.site_a};
      if (!col.empty()) {
        q += "&column_id=" + col;
        where += " AND column_id = ?";
        params.push_back(std::stoll(col));
      }
      if (!status.empty()) {
        q += "&status=" + status;
        where += " AND status = ?";
        params.push_back(status);
      }
      EXPECT_EQ(Total(q), Count(where, params)) << q;
    }
  }
  EXPECT_EQ(Total("page_size=1&status=published"), 3);
  EXPECT_EQ(Total("page_size=1&status=withdrawn"), 1);
}

TEST_F(ArticleList, SearchTermsAreLiteralNotWildcards) {
  Create(d_.column_a1, "完成率 100%");
  Create(d_.column_a1, "完成率 1000");
  Create(d_.column_a1, "a_b 班");
  Create(d_.column_a1, "axb 班");
  Create(d_.column_a1, "路径 C:\\temp");
  EXPECT_EQ(Total("q=" + std::string("100%25")), 1) << "% is a character, not any run";
  EXPECT_EQ(Total("q=a_b"), 1) << "_ is a character, not any one";
  EXPECT_EQ(Total("q=" + std::string("C%3A%5Ct")), 1) << "a backslash is a character";
  json hit = List("q=a_b");
  ASSERT_EQ(hit["items"].size(), 1u);
  EXPECT_EQ(hit["items"][0]["title"], "a_b 班");
  // The same in the site, user and media lists.
  EXPECT_EQ(admin_->Get("/api/v1/sites?q=%25").Json()["total"], 0);
  // Only the fixture's a_… and b_… accounts have an underscore; as a
  // wildcard it would match every account.
  json users = admin_->Get("/api/v1/users?q=_&page_size=100").Json();
  EXPECT_EQ(users["total"], 4) << users.dump();
  for (const auto& u : users["items"]) {
    EXPECT_NE(u["username"].get<std::string>().find('_'), std::string::npos);
  }
}

}  // namespace
}  // namespace zhanqun::testing
