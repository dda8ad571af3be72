#include "publish/search_index.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <future>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace zhanqun::publish {
namespace {

namespace fs = std::filesystem;

class ScratchDir {
 public:
  ScratchDir() {
    std::string tmpl = (fs::temp_directory_path() / "zq-search-XXXXXX").string();
    char* made = ::mkdtemp(tmpl.data());
    EXPECT_NE(made, nullptr);
    path_ = tmpl;
  }
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  std::string Sub(const std::string& name) const { return (fs::path(path_) / name).string(); }

 private:
  std::string path_;
};

// School news sentences. None contains 科技 or 开学, but several contain 科
// (科学, 学科) or 技 (技术, 技能) on their own, and 节 appears in several.
const std::vector<std::string> kSentences = {
    "学校召开新学期教职工大会，部署本学期重点工作。",
    "初二年级开展科学实验课，同学们动手制作简单电路。",
    "信息技术社团举办编程比赛，同学们的技能水平显著提高。",
    "语文组开展古诗词朗诵活动，传承中华优秀传统文化。",
    "体育节田径比赛圆满落幕，高三一班获得团体冠军。",
    "学科教研活动聚焦课堂教学改革与作业设计。",
    "图书馆开展读书月活动，推荐经典阅读书目。",
    "心理健康教育讲座帮助学生缓解考试压力。",
    "家长会在报告厅举行，班主任介绍学生在校表现。",
    "春节前夕，学校慰问退休教师并送上新春祝福。",
    "艺术团参加市中小学生合唱比赛荣获一等奖。",
    "校园安全教育周开展消防疏散演练。",
    "劳动教育实践基地迎来首批参加实践的学生。",
    "英语戏剧表演展示学生的语言能力和团队合作。",
    "食堂推出营养均衡的新菜单，受到师生好评。",
    "数学建模竞赛中我校学生取得优异成绩。",
    "技术支持团队完成校园网络升级改造。",
    "教师节表彰大会隆重举行，优秀教师代表发言。",
    "开展垃圾分类宣传，共建绿色环保校园。",
    "航模兴趣小组在操场进行试飞训练。",
};

constexpr int64_t kPlantedId = 1000;

SearchDoc Doc(int64_t id, std::string title, std::string body, int64_t column_id = 1,
              int64_t published_at = 0) {
  SearchDoc d;
  d.id = id;
  d.title = std::move(title);
  d.body_text = std::move(body);
  d.column_id = column_id;
  d.column_name = "栏目" + std::to_string(column_id);
  d.url = "/news/" + std::to_string(id) + ".html";
  d.date = "2024-09-01";
  d.published_at = published_at != 0 ? published_at : 1'700'000'000'000 + id * 1000;
  return d;
}

// 50 ordinary articles plus the planted one, which mentions 科技节 only in its body.
std::vector<SearchDoc> Corpus() {
  std::vector<SearchDoc> docs;
  const size_t n = kSentences.size();
  for (int64_t i = 1; i <= 50; ++i) {
    const auto k = static_cast<size_t>(i);
    std::string body = kSentences[k % n] + "\n" + kSentences[(k * 7 + 3) % n] + "\n" +
                       kSentences[(k * 11 + 5) % n] + kSentences[(k * 13 + 1) % n];
    docs.push_back(Doc(i, "第" + std::to_string(i) + "期校园简讯", body, 1 + i % 3));
  }
  docs.push_back(Doc(kPlantedId, "校园活动报道",
                     "我校第十届科技节隆重开幕，同学们展示了自制的机器人和航模作品。", 2));
  return docs;
}

// Ids of documents whose title or body contains needle, in ascending order.
std::vector<int64_t> Oracle(const std::vector<SearchDoc>& docs, const std::string& needle) {
  std::vector<int64_t> ids;
  for (const auto& d : docs) {
    if (d.title.find(needle) != std::string::npos ||
        d.body_text.find(needle) != std::string::npos) {
      ids.push_back(d.id);
    }
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

SearchQuery Q(std::string q, int64_t page = 1, int64_t page_size = 50) {
  SearchQuery sq;
  sq.q = std::move(q);
  sq.page = page;
  sq.page_size = page_size;
  return sq;
}

std::vector<int64_t> Ids(const SearchResults& r) {
  std::vector<int64_t> ids;
  for (const auto& h : r.hits) ids.push_back(h.id);
  return ids;
}

// All matching ids (every page), sorted.
std::vector<int64_t> AllIds(const SearchIndex& index, const std::string& q) {
  std::vector<int64_t> ids;
  for (int64_t page = 1;; ++page) {
    auto r = index.Search(Q(q, page, 50));
    EXPECT_TRUE(r.has_value()) << q << ": " << (r ? "" : r.error().internal);
    if (!r || r->hits.empty()) break;
    for (const auto& h : r->hits) ids.push_back(h.id);
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

std::unique_ptr<SearchIndex> OpenWith(const std::string& dir, const std::vector<SearchDoc>& docs) {
  auto index = SearchIndex::Open(dir);
  EXPECT_TRUE(index.has_value());
  if (!index) return nullptr;
  for (const auto& d : docs) EXPECT_TRUE((*index)->Put(d).has_value());
  EXPECT_TRUE((*index)->Commit().has_value());
  return std::move(*index);
}

class SearchIndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    docs_ = Corpus();
    index_ = OpenWith(tmp_.Sub("site"), docs_);
    ASSERT_NE(index_, nullptr);
  }
  ScratchDir tmp_;
  std::vector<SearchDoc> docs_;
  std::unique_ptr<SearchIndex> index_;
};

TEST_F(SearchIndexTest, TwoCharacterChineseQueryFindsOnlyThePlantedArticle) {
  for (const auto& d : docs_) {
    if (d.id != kPlantedId) {
      ASSERT_EQ(d.body_text.find("科技"), std::string::npos) << d.id;
    }
  }
  ASSERT_EQ(index_->DocCount(), 51);
  auto r = index_->Search(Q("科技"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->total, 1);
  EXPECT_EQ(Ids(*r), std::vector<int64_t>{kPlantedId});
  EXPECT_EQ(Ids(*index_->Search(Q("科技节"))), std::vector<int64_t>{kPlantedId});
}

TEST_F(SearchIndexTest, ChineseQueriesMatchExactlyTheArticlesContainingThem) {
  // Single characters and pairs: the results are exactly the substring matches.
  for (const std::string q : {"节", "科", "技", "科学", "技术", "技能", "学科", "教师", "校园",
                              "比赛", "开学", "春节", "竞赛"}) {
    EXPECT_EQ(AllIds(*index_, q), Oracle(docs_, q)) << q;
  }
  EXPECT_FALSE(Oracle(docs_, "节").empty());
  EXPECT_TRUE(Oracle(docs_, "开学").empty());
}

TEST_F(SearchIndexTest, AsciiQueryIsCaseInsensitive) {
  ASSERT_TRUE(index_->Put(Doc(2001, "Robotics Club", "The robotics club won the city league.")));
  ASSERT_TRUE(index_->Put(Doc(2002, "STEM week", "Students built bridges from paper.")));
  ASSERT_TRUE(index_->Commit());
  EXPECT_EQ(AllIds(*index_, "robotics"), std::vector<int64_t>{2001});
  EXPECT_EQ(AllIds(*index_, "ROBOTICS"), std::vector<int64_t>{2001});
  EXPECT_EQ(AllIds(*index_, "paper bridges"), std::vector<int64_t>{2002});
  EXPECT_TRUE(AllIds(*index_, "zebra").empty());
}

TEST_F(SearchIndexTest, MixedChineseAndAsciiQuery) {
  ASSERT_TRUE(index_->Put(Doc(2001, "学生3D打印作品展", "创客空间展出学生设计的作品。")));
  ASSERT_TRUE(index_->Put(Doc(2002, "观看3D电影", "学生在报告厅观看科普电影。")));
  ASSERT_TRUE(index_->Put(Doc(2003, "打印机维修通知", "请各办公室登记需要维修的设备。")));
  ASSERT_TRUE(index_->Put(Doc(2004, "Python编程入门", "信息课学习Python基础语法。")));
  ASSERT_TRUE(index_->Commit());
  EXPECT_EQ(AllIds(*index_, "3D打印"), std::vector<int64_t>{2001});
  EXPECT_EQ(AllIds(*index_, "3d 打印"), std::vector<int64_t>{2001});
  EXPECT_EQ(AllIds(*index_, "python 编程"), std::vector<int64_t>{2004});
  EXPECT_EQ(AllIds(*index_, "Python语法"), std::vector<int64_t>{2004});
}

TEST(SearchIndex, TitleMatchRanksAboveBodyMatch) {
  ScratchDir tmp;
  const std::string filler = kSentences[0] + kSentences[3];
  // The body match is added first so the tie-breakers would favour it.
  auto index = OpenWith(tmp.Sub("site"), {Doc(1, "校园简讯", filler + "科技节开幕。", 1, 5000),
                                          Doc(2, "科技节开幕", filler + "校园简讯。", 1, 5000),
                                          Doc(3, "校园简讯", kSentences[5], 1, 5000)});
  auto r = index->Search(Q("科技节"));
  ASSERT_TRUE(r.has_value());
  ASSERT_EQ(Ids(*r), (std::vector<int64_t>{2, 1}));
  EXPECT_GT(r->hits[0].score, r->hits[1].score);
  // title: searches titles only.
  EXPECT_EQ(AllIds(*index, "title:科技"), std::vector<int64_t>{2});
}

TEST_F(SearchIndexTest, ColumnFilter) {
  SearchQuery sq = Q("校园");
  sq.column_id = 2;
  auto r = index_->Search(sq);
  ASSERT_TRUE(r.has_value());
  ASSERT_FALSE(r->hits.empty());
  std::set<int64_t> in_column;
  for (const auto& d : docs_) {
    if (d.column_id == 2) in_column.insert(d.id);
  }
  for (const auto& h : r->hits) {
    EXPECT_TRUE(in_column.count(h.id)) << h.id;
    EXPECT_EQ(h.column_name, "栏目2");
  }
  EXPECT_LT(r->total, index_->Search(Q("校园"))->total);
  sq.column_id = 99;
  EXPECT_TRUE(index_->Search(sq)->hits.empty());
}

TEST(SearchIndex, NewestSortOrdersByPublishedAt) {
  ScratchDir tmp;
  auto index = OpenWith(
      tmp.Sub("site"),
      {Doc(1, "放假通知", "通知通知通知", 1, 3000), Doc(2, "放假通知", "通知", 1, 5000),
       Doc(3, "放假通知", "通知内容", 1, 1000), Doc(4, "放假通知", "通知的内容较长一些", 1, 4000),
       Doc(5, "其他", "无关", 1, 9000)});
  SearchQuery sq = Q("通知");
  sq.sort = SearchQuery::Sort::kNewest;
  auto r = index->Search(sq);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(Ids(*r), (std::vector<int64_t>{2, 4, 1, 3}));
}

TEST(SearchIndex, PaginationTotals) {
  ScratchDir tmp;
  std::vector<SearchDoc> docs;
  for (int64_t i = 1; i <= 23; ++i)
    docs.push_back(Doc(i, "运动会第" + std::to_string(i) + "项", ""));
  for (int64_t i = 24; i <= 30; ++i) docs.push_back(Doc(i, "其他新闻", kSentences[1]));
  auto index = OpenWith(tmp.Sub("site"), docs);
  std::set<int64_t> seen;
  const std::vector<size_t> sizes = {10, 10, 3, 0};
  for (int64_t page = 1; page <= 4; ++page) {
    auto r = index->Search(Q("运动会", page, 10));
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->total, 23) << page;
    EXPECT_EQ(r->hits.size(), sizes[page - 1]) << page;
    for (const auto& h : r->hits) EXPECT_TRUE(seen.insert(h.id).second) << h.id;
  }
  EXPECT_EQ(seen.size(), 23u);
}

TEST(SearchIndex, PutReplacesOldText) {
  ScratchDir tmp;
  auto index = OpenWith(tmp.Sub("site"), {Doc(7, "春游活动", "同学们去公园春游。")});
  ASSERT_EQ(AllIds(*index, "春游"), std::vector<int64_t>{7});
  ASSERT_TRUE(index->Put(Doc(7, "秋游活动", "同学们去植物园秋游。")));
  ASSERT_TRUE(index->Commit());
  EXPECT_TRUE(AllIds(*index, "春游").empty());
  EXPECT_EQ(AllIds(*index, "秋游"), std::vector<int64_t>{7});
  EXPECT_EQ(index->DocCount(), 1);
  auto r = index->Search(Q("秋游"));
  ASSERT_EQ(r->hits.size(), 1u);
  EXPECT_EQ(r->hits[0].title, "秋游活动");
  EXPECT_EQ(r->hits[0].url, "/news/7.html");
  EXPECT_EQ(r->hits[0].date, "2024-09-01");
  EXPECT_EQ(r->hits[0].column_name, "栏目1");
}

TEST(SearchIndex, RemoveDeletesAndIgnoresUnknownIds) {
  ScratchDir tmp;
  auto index = OpenWith(tmp.Sub("site"), {Doc(1, "春游", ""), Doc(2, "春游", "")});
  ASSERT_TRUE(index->Remove(1));
  ASSERT_TRUE(index->Remove(12345));
  ASSERT_TRUE(index->Commit());
  EXPECT_EQ(AllIds(*index, "春游"), std::vector<int64_t>{2});
  EXPECT_EQ(index->DocCount(), 1);
  EXPECT_EQ(index->Put(Doc(0, "x", "")).error().field, "id");
  EXPECT_EQ(index->Remove(-1).error().field, "id");
}

TEST(SearchIndex, ChangesAreInvisibleUntilCommitAndLastChangeWins) {
  ScratchDir tmp;
  auto index = OpenWith(tmp.Sub("site"), {});
  ASSERT_TRUE(index->Put(Doc(1, "春游", "")));
  EXPECT_TRUE(AllIds(*index, "春游").empty());
  EXPECT_EQ(index->DocCount(), 0);
  ASSERT_TRUE(index->Put(Doc(2, "春游", "")));
  ASSERT_TRUE(index->Remove(2));
  ASSERT_TRUE(index->Commit());
  EXPECT_EQ(AllIds(*index, "春游"), std::vector<int64_t>{1});
}

TEST(SearchIndex, CommittedDocumentsSurviveReopen) {
  ScratchDir tmp;
  { auto index = OpenWith(tmp.Sub("site"), Corpus()); }
  auto index = SearchIndex::Open(tmp.Sub("site"));
  ASSERT_TRUE(index.has_value());
  EXPECT_EQ((*index)->DocCount(), 51);
  EXPECT_EQ(AllIds(**index, "科技"), std::vector<int64_t>{kPlantedId});
}

std::vector<SearchDoc> Versioned(const std::string& version, int64_t count) {
  std::vector<SearchDoc> docs;
  for (int64_t i = 1; i <= count; ++i) {
    docs.push_back(Doc(i, version + "第" + std::to_string(i) + "篇",
                       "校园新闻：" + kSentences[static_cast<size_t>(i) % kSentences.size()]));
  }
  return docs;
}

// Searches from other threads before, during and after three rebuilds must
// each see exactly one complete version.
TEST(SearchIndex, RebuildSwapsAtomically) {
  ScratchDir tmp;
  const std::string dir = tmp.Sub("site");
  const auto old_docs = Versioned("旧版", 200);
  const auto new_docs = Versioned("新版", 300);
  ASSERT_TRUE(SearchIndex::Rebuild(dir, old_docs));
  auto shared = SearchIndex::Open(dir);
  ASSERT_TRUE(shared.has_value());
  EXPECT_EQ((*shared)->DocCount(), 200);

  std::atomic<bool> stop{false};
  std::atomic<bool> rebuilt{false};
  auto reader = [&](const SearchIndex* index, std::promise<void> started) {
    std::unique_ptr<SearchIndex> own;
    if (index == nullptr) {
      auto opened = SearchIndex::Open(dir);
      if (!opened) {
        ADD_FAILURE() << opened.error().internal;
        started.set_value();
        return;
      }
      own = std::move(*opened);
      index = own.get();
    }
    int searches = 0;
    bool saw_final = false;
    // Runs until the rebuilds are over and it has seen their result.
    while (!stop.load() || (rebuilt.load() && !saw_final)) {
      auto r = index->Search(Q("校园", 1 + searches % 3, 50));
      if (searches++ == 0) started.set_value();
      if (!r) {
        ADD_FAILURE() << r.error().internal;
        return;
      }
      const bool is_old = r->total == 200;
      EXPECT_TRUE(is_old || r->total == 300) << r->total;
      for (const auto& h : r->hits) {
        EXPECT_EQ(h.title.rfind(is_old ? "旧版" : "新版", 0), 0u) << h.title << " " << r->total;
      }
      saw_final = !is_old;
    }
  };
  std::promise<void> started1, started2;
  auto ready1 = started1.get_future();
  auto ready2 = started2.get_future();
  std::thread t1(reader, shared->get(), std::move(started1));
  std::thread t2(reader, nullptr, std::move(started2));
  ready1.wait();
  ready2.wait();
  // No ASSERT until the threads are joined.
  const bool ok = SearchIndex::Rebuild(dir, new_docs).has_value() &&
                  SearchIndex::Rebuild(dir, old_docs).has_value() &&
                  SearchIndex::Rebuild(dir, new_docs).has_value();
  rebuilt = ok;
  stop = true;
  t1.join();
  t2.join();
  ASSERT_TRUE(ok);

  EXPECT_EQ((*shared)->DocCount(), 300);
  EXPECT_EQ((*shared)->Search(Q("新版"))->total, 300);
  EXPECT_EQ((*shared)->Search(Q("旧版"))->total, 0);
  int generations = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().filename().string().rfind('g', 0) == 0) ++generations;
  }
  EXPECT_LE(generations, 2);
}

TEST(SearchIndex, RebuildKeepsTheLastOfDuplicateIdsAndRefusesBadIds) {
  ScratchDir tmp;
  const std::string dir = tmp.Sub("site");
  ASSERT_TRUE(
      SearchIndex::Rebuild(dir, {Doc(1, "春游", ""), Doc(1, "秋游", ""), Doc(2, "冬令营", "")}));
  auto index = SearchIndex::Open(dir);
  ASSERT_TRUE(index.has_value());
  EXPECT_EQ((*index)->DocCount(), 2);
  EXPECT_EQ(AllIds(**index, "秋游"), std::vector<int64_t>{1});
  EXPECT_TRUE(AllIds(**index, "春游").empty());

  auto bad = SearchIndex::Rebuild(dir, {Doc(3, "夏令营", ""), Doc(0, "无编号", "")});
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().field, "id");
  EXPECT_EQ((*index)->DocCount(), 2);
}

// A crash can leave a build directory or an unreferenced generation behind;
// the next rebuild neither reuses nor keeps them.
TEST(SearchIndex, RebuildClearsLeftoversOfACrashedRebuild) {
  ScratchDir tmp;
  const std::string dir = tmp.Sub("site");
  auto index = OpenWith(dir, {Doc(1, "春游", "")});
  fs::create_directories(fs::path(dir) / "g000777.build");
  fs::create_directories(fs::path(dir) / "g000777");
  ASSERT_TRUE(SearchIndex::Rebuild(dir, {Doc(2, "秋游", "")}));
  EXPECT_FALSE(fs::exists(fs::path(dir) / "g000777.build"));
  EXPECT_FALSE(fs::exists(fs::path(dir) / "g000777"));
  EXPECT_TRUE(fs::exists(fs::path(dir) / "g000778"));
  EXPECT_EQ(AllIds(*index, "秋游"), std::vector<int64_t>{2});
}

TEST(SearchIndex, QueuedChangesApplyOnTopOfARebuild) {
  ScratchDir tmp;
  const std::string dir = tmp.Sub("site");
  auto index = OpenWith(dir, {Doc(1, "春游", "")});
  ASSERT_TRUE(index->Put(Doc(500, "秋游", "")));
  ASSERT_TRUE(SearchIndex::Rebuild(dir, {Doc(2, "冬令营", ""), Doc(3, "夏令营", "")}));
  EXPECT_EQ(index->DocCount(), 2);
  ASSERT_TRUE(index->Commit());
  EXPECT_EQ(index->DocCount(), 3);
  EXPECT_TRUE(AllIds(*index, "春游").empty());
  EXPECT_EQ(AllIds(*index, "秋游"), std::vector<int64_t>{500});
  EXPECT_EQ(AllIds(*index, "令营"), (std::vector<int64_t>{2, 3}));
}

// Each commit adds ten documents; a reader must never see a partial commit.
TEST(SearchIndex, ReadersNeverSeeAPartialCommit) {
  ScratchDir tmp;
  auto index = OpenWith(tmp.Sub("site"), {});
  std::atomic<bool> stop{false};
  auto reader = [&] {
    int64_t last = 0;
    while (!stop.load()) {
      auto r = index->Search(Q("批次", 1, 5));
      if (!r) {
        ADD_FAILURE() << r.error().internal;
        return;
      }
      EXPECT_EQ(r->total % 10, 0) << r->total;
      EXPECT_GE(r->total, last);
      last = r->total;
    }
  };
  std::thread t1(reader), t2(reader);
  // No ASSERT until the threads are joined.
  for (int64_t batch = 0; batch < 20; ++batch) {
    for (int64_t i = 1; i <= 10; ++i) {
      EXPECT_TRUE(index->Put(Doc(batch * 10 + i, "第" + std::to_string(batch) + "批次", "")));
    }
    EXPECT_TRUE(index->Commit());
  }
  stop = true;
  t1.join();
  t2.join();
  EXPECT_EQ(index->Search(Q("批次"))->total, 200);
}

TEST_F(SearchIndexTest, BadQuerySyntaxFallsBackToPlainTerms) {
  // Still find the planted article.
  for (const std::string q : {"\"科技", "科技\"", "OR 科技", "科技 AND", "NOT 科技", "((科技",
                              "科技)", "科技*", "+科技", "科技 AND OR"}) {
    SCOPED_TRACE(q);
    Result<SearchResults> r;
    ASSERT_NO_THROW(r = index_->Search(Q(q)));
    ASSERT_TRUE(r.has_value()) << r.error().internal;
    const auto ids = Ids(*r);
    EXPECT_NE(std::find(ids.begin(), ids.end(), kPlantedId), ids.end());
  }
  // Nothing searchable left: no error, no results.
  for (const std::string q : {"AND", "OR", "NOT", "*", "\"", "\"\"", "(", ")", "-", "+", "~",
                              "title:", "NEAR/3", "AND AND", "&&||", "!@#$%^"}) {
    SCOPED_TRACE(q);
    Result<SearchResults> r;
    ASSERT_NO_THROW(r = index_->Search(Q(q)));
    ASSERT_TRUE(r.has_value()) << r.error().internal;
    EXPECT_TRUE(r->hits.empty());
  }
}

TEST_F(SearchIndexTest, ChinesePunctuationInQueryIsIgnored) {
  for (const std::string q : {"科技，", "。科技。", "“科技节”", "科技、机器人！", "《科技节》",
                              "（科技）", "科技　机器人"}) {
    EXPECT_EQ(AllIds(*index_, q), std::vector<int64_t>{kPlantedId}) << q;
  }
  auto r = index_->Search(Q("，。“”"));
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(r->hits.empty());
}

TEST_F(SearchIndexTest, InvalidQueriesNameTheField) {
  auto field_of = [&](const SearchQuery& sq) {
    auto r = index_->Search(sq);
    if (r) return std::string("ok");
    EXPECT_EQ(r.error().code, Code::kInvalidArgument);
    return r.error().field;
  };
  EXPECT_EQ(field_of(Q("")), "q");
  EXPECT_EQ(field_of(Q("   \t\n")), "q");
  EXPECT_EQ(field_of(Q("\xE3\x80\x80\xE3\x80\x80")), "q");  // U+3000 only
  EXPECT_EQ(field_of(Q("\xFF\xFE")), "q");
  std::string hundred;
  for (int i = 0; i < 100; ++i) hundred += "字";
  EXPECT_EQ(field_of(Q(hundred)), "ok");
  EXPECT_EQ(field_of(Q(" " + hundred + " ")), "ok");
  EXPECT_EQ(field_of(Q(hundred + "字")), "q");
  EXPECT_EQ(field_of(Q(std::string(101, 'a'))), "q");
  EXPECT_EQ(field_of(Q("科技", 0)), "page");
  EXPECT_EQ(field_of(Q("科技", -1)), "page");
  EXPECT_EQ(field_of(Q("科技", 1001)), "page");
  EXPECT_EQ(field_of(Q("科技", 1000)), "ok");
  EXPECT_EQ(field_of(Q("科技", 1, 0)), "page_size");
  EXPECT_EQ(field_of(Q("科技", 1, 51)), "page_size");
  EXPECT_EQ(field_of(Q("科技", 1, 1)), "ok");
  SearchQuery sq = Q("科技");
  sq.column_id = 0;
  EXPECT_EQ(field_of(sq), "column_id");
}

// Removes the <mark> tags; what is left must contain no markup at all.
std::string Unmarked(std::string s) {
  for (const std::string tag : {"<mark>", "</mark>"}) {
    for (size_t p; (p = s.find(tag)) != std::string::npos;) s.erase(p, tag.size());
  }
  return s;
}

TEST(SearchIndex, SnippetIsEscapedWithOnlyMarkTags) {
  ScratchDir tmp;
  auto index =
      OpenWith(tmp.Sub("site"),
               {Doc(1, "安全提示",
                    "提示：<script>alert('x')</script> 本次科技节 & 创客 \"展览\" <b>加粗</b>")});
  auto r = index->Search(Q("科技"));
  ASSERT_TRUE(r.has_value());
  ASSERT_EQ(r->hits.size(), 1u);
  const std::string& s = r->hits[0].snippet_html;
  EXPECT_NE(s.find("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"), std::string::npos) << s;
  EXPECT_NE(s.find("<mark>科技</mark>节"), std::string::npos) << s;
  EXPECT_NE(s.find("&amp; 创客 &quot;展览&quot;"), std::string::npos) << s;
  const std::string bare = Unmarked(s);
  EXPECT_EQ(bare.find('<'), std::string::npos) << s;
  EXPECT_EQ(bare.find('>'), std::string::npos) << s;
  // The title is returned as plain text; escaping it is the template's job.
  EXPECT_EQ(r->hits[0].title, "安全提示");
}

TEST(SearchIndex, SnippetIsAWindowAroundTheFirstMatch) {
  ScratchDir tmp;
  std::string before, after;
  for (int i = 0; i < 30; ++i) before += "前面的文字。";
  for (int i = 0; i < 30; ++i) after += "后面的内容！";
  auto index =
      OpenWith(tmp.Sub("site"), {Doc(1, "标题", before + "\n\n本届科技节开幕\n" + after),
                                 Doc(2, "Robotics", "Our Schools compete in robotics every year."),
                                 Doc(3, "科技", "")});
  auto r = index->Search(Q("科技节"));
  ASSERT_TRUE(r.has_value());
  ASSERT_FALSE(r->hits.empty());
  const std::string& s = r->hits[0].snippet_html;
  EXPECT_EQ(s.rfind("…", 0), 0u) << s;
  EXPECT_EQ(s.substr(s.size() - std::string("…").size()), "…") << s;
  EXPECT_NE(s.find("本届<mark>科技节</mark>开幕 后面"), std::string::npos) << s;
  size_t chars = 0;
  for (unsigned char c : Unmarked(s)) chars += (c & 0xC0) != 0x80;
  EXPECT_GE(chars, 100u);
  EXPECT_LE(chars, 130u);

  auto ascii = index->Search(Q("school"));
  ASSERT_EQ(ascii->hits.size(), 1u);
  EXPECT_EQ(ascii->hits[0].snippet_html,
            "Our <mark>Schools</mark> compete in robotics every year.");
  // A title-only match has an empty body and so an empty snippet.
  auto title_only = index->Search(Q("title:科技"));
  ASSERT_EQ(Ids(*title_only), std::vector<int64_t>{3});
  EXPECT_EQ(title_only->hits[0].snippet_html, "");
}

TEST(SearchIndex, OpenFailsCleanlyOnAnUnusableDirectory) {
  ScratchDir tmp;
  const std::string file = tmp.Sub("plain-file");
  { std::ofstream(file) << "x"; }
  auto r = SearchIndex::Open(file);
  ASSERT_FALSE(r.has_value());
  EXPECT_FALSE(r.error().internal.empty());
}

}  // namespace
}  // namespace zhanqun::publish
