// The store contract, run on whichever engine the suite runs on (SQLite by
// default, PostgreSQL under ZHANQUN_TEST_PG): both must behave the same.
#include <gtest/gtest.h>

#include <thread>

#include "store/db.h"
#include "store/migrations.h"
#include "support/test_env.h"

namespace zhanqun::testing {
namespace {

class StoreContract : public ::testing::Test {
 protected:
  void SetUp() override {
    store::DbOptions o;
    std::string url = FreshDatabaseUrl();
    o.url = url.empty() ? "sqlite:" + dir_.path() + "/t.db" : url;
    auto db = store::Db::Open(o);
    ASSERT_TRUE(db) << db.error().message << " " << db.error().internal;
    db_ = std::move(*db);
    auto m = store::Migrate(*db_);
    ASSERT_TRUE(m) << m.error().internal;
  }
  int64_t Count(const std::string& table) {
    return *db_->ReadValue<int64_t>(
        [&](store::Conn& c) { return c.QueryInt("SELECT COUNT(*) FROM " + table); });
  }
  TempDir dir_;
  std::unique_ptr<store::Db> db_;
};

TEST_F(StoreContract, MigrationsAreRecordedAndIdempotent) {
  auto v = store::SchemaVersion(*db_);
  ASSERT_TRUE(v);
  EXPECT_EQ(*v, store::AllMigrations().back().version);
  auto again = store::Migrate(*db_);
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, 0);
}

TEST_F(StoreContract, ValuesRoundTripIncludingChineseAndNull) {
  std::string text = "闵行区七宝中学 — 'quoted' \"double\" ? placeholder-like ? 😀";
  auto row = db_->WriteValue<store::Row>([&](store::Conn& c) -> Result<store::Row> {
    auto r = c.Query(
        "INSERT INTO departments (parent_id, kind, name, code, sort_order, created_at, updated_at) "
        "VALUES (NULL, 'district', ?, NULL, ?, ?, ?) RETURNING id, name, code, sort_order",
        {text, int64_t{-7}, int64_t{1795000000000}, int64_t{1795000000000}});
    if (!r) return Fail(std::move(r.error()));
    return r->front();
  });
  ASSERT_TRUE(row) << row.error().internal;
  EXPECT_EQ(row->Text("name"), text);
  EXPECT_TRUE(row->IsNull("code"));
  EXPECT_EQ(row->Int("sort_order"), -7);
  // A literal '?' inside quoted SQL text is not a placeholder.
  auto lit = db_->ReadValue<std::string>([](store::Conn& c) -> Result<std::string> {
    auto r = c.QueryOne("SELECT 'a?b' AS t", {}, "x");
    if (!r) return Fail(std::move(r.error()));
    return r->Text("t");
  });
  ASSERT_TRUE(lit);
  EXPECT_EQ(*lit, "a?b");
}

TEST_F(StoreContract, UniqueViolationIsConflictNamingTheField) {
  auto insert = [&](const std::string& code) {
    return db_->Write([&](store::Conn& c) -> Status {
      return c
          .Exec("INSERT INTO sites (code, name, created_at, updated_at) VALUES (?, 'x', 0, 0)",
                {code})
          .map([](int64_t) {});
    });
  };
  ASSERT_TRUE(insert("dup"));
  auto st = insert("dup");
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, Code::kConflict);
  EXPECT_EQ(st.error().field, "code");
  EXPECT_EQ(st.error().internal.find("password"), std::string::npos);
}

TEST_F(StoreContract, ForeignKeysAreEnforced) {
  auto st = db_->Write([](store::Conn& c) -> Status {
    return c
        .Exec(
            "INSERT INTO columns (site_id, name, slug, type, created_at, updated_at) VALUES "
            "(424242, 'x', 'x', 'list', 0, 0)")
        .map([](int64_t) {});
  });
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, Code::kConflict);
}

TEST_F(StoreContract, FailedTransactionChangesNothing) {
  int64_t before = Count("sites");
  auto st = db_->Write([](store::Conn& c) -> Status {
    ZQ_TRY(
        c.Exec("INSERT INTO sites (code, name, created_at, updated_at) VALUES ('a1', 'x', 0, 0)"));
    ZQ_TRY(
        c.Exec("INSERT INTO sites (code, name, created_at, updated_at) VALUES ('a2', 'x', 0, 0)"));
    return Fail(Error::Invalid("x", "stop"));
  });
  EXPECT_FALSE(st);
  EXPECT_EQ(Count("sites"), before);
  // A throwing transaction rolls back too, and the pool stays usable.
  EXPECT_THROW(db_->Write([](store::Conn& c) -> Status {
    (void)c.Exec("INSERT INTO sites (code, name, created_at, updated_at) VALUES ('t', 'x', 0, 0)");
    throw std::runtime_error("bug");
  }),
               std::runtime_error);
  EXPECT_EQ(Count("sites"), before);
}

TEST_F(StoreContract, ConcurrentWritersAllCommit) {
  constexpr int kThreads = 4, kEach = 25;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        auto st = db_->Write([&](store::Conn& c) -> Status {
          ZQ_ASSIGN_OR_RETURN(int64_t n, c.QueryInt("SELECT COUNT(*) FROM sites"));
          return c
              .Exec("INSERT INTO sites (code, name, created_at, updated_at) VALUES (?, ?, 0, 0)",
                    {"c" + std::to_string(t) + "_" + std::to_string(i), std::to_string(n)})
              .map([](int64_t) {});
        });
        if (!st) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(Count("sites"), kThreads * kEach);
}

TEST_F(StoreContract, AuditLogIsAppendOnly) {
  auto st = db_->Write([](store::Conn& c) -> Status {
    ZQ_TRY(c.Exec(
        "INSERT INTO audit_log (seq, ts, actor, ip, action, target_type, target_id, result, "
        "detail, prev_hash, hash) VALUES (1, 0, 'a', '', 'x', 'x', '', 'success', '{}', '', '')"));
    return {};
  });
  ASSERT_TRUE(st) << st.error().internal;
  auto upd = db_->Write([](store::Conn& c) -> Status {
    return c.Exec("UPDATE audit_log SET actor = 'b'").map([](int64_t) {});
  });
  ASSERT_FALSE(upd);
  EXPECT_EQ(upd.error().code, Code::kForbidden);
}

TEST(StoreOpen, BadUrlsAreRefusedClearly) {
  store::DbOptions o;
  o.url = "mysql://x";
  auto r = store::Db::Open(o);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field, "database.url");
  o.url = "sqlite:/nonexistent-dir-zq/x.db";
  r = store::Db::Open(o);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field, "database.url");
  o.url = "postgresql://nobody@127.0.0.1:1/none?connect_timeout=2";
  r = store::Db::Open(o);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Code::kUnavailable);
}

}  // namespace
}  // namespace zhanqun::testing
