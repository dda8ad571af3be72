// Kills `zhanqun serve` with SIGKILL in the middle of a stream of writes: the
// database must open, the audit chain must verify and every write the server
// acknowledged must be there.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "security/password.h"
#include "support/subprocess.h"
#include "support/test_env.h"

namespace zhanqun::testing {
namespace {

namespace fs = std::filesystem;

app::OpenOptions OpenFor(const std::string& dir, const std::string& db) {
  app::OpenOptions o;
  o.data_dir = dir;
  if (!db.empty()) o.overrides["database.url"] = db;
  return o;
}

TEST(CrashSafety, KillDuringWritesLosesNothingAcknowledged) {
  TempDir dir;
  std::string db = FreshDatabaseUrl();
  {
    // Prepare: accounts with a known password.
    auto p = app::Platform::Open(OpenFor(dir.path(), db));
    ASSERT_TRUE(p) << p.error().message;
    ASSERT_TRUE((*p)->service().Bootstrap("测试区"));
    auto hash = security::HashPassword(TestPlatform::kPassword);
    ASSERT_TRUE((*p)->service().db().Write([&](store::Conn& c) -> Status {
      return c.Exec("UPDATE users SET password_hash = ?, must_change_password = 0", {*hash})
          .map([](int64_t) {});
    }));
  }
  std::vector<std::string> argv = {ZQ_BINARY_PATH, "serve",       "--data",   dir.path(),
                                   "--admin",      "127.0.0.1:0", "--public", "127.0.0.1:0"};
  if (!db.empty()) {
    argv.push_back("--db");
    argv.push_back(db);
  }
  setenv("ZHANQUN_PUBLISH_THEMES_DIR",
         (std::string(ZQ_SOURCE_DIR) + "/tests/fixtures/themes").c_str(), 1);
  setenv("ZHANQUN_PUBLISH_DEFAULT_THEME", "plain", 1);
  Subprocess server(argv);
  std::string out = server.ReadUntil("/\n", std::chrono::seconds(30));
  auto at = out.find("http://127.0.0.1:");
  ASSERT_NE(at, std::string::npos) << out;
  std::string base = out.substr(at, out.find('/', at + 7 + 10) - at);
  Client login(base);
  ASSERT_EQ(login.Login("sysadmin", TestPlatform::kPassword).status, 200);

  std::mutex mu;
  std::vector<std::pair<int64_t, std::string>> acked;  // GUARDED_BY(mu)
  std::atomic<bool> stop{false};
  std::atomic<int> count{0};
  auto writer = [&](int w) {
    Client c(base);
    c.set_cookie(login.cookie());
    c.set_csrf(login.csrf());
    for (int i = 0; !stop && i < 5000; ++i) {
      std::string code = "w" + std::to_string(w) + "n" + std::to_string(i);
      auto r = c.Post("/api/v1/sites",
                      {{"code", code}, {"name", "崩溃测试" + code}, {"domains", {code + ".test"}}});
      if (r.status == 0) break;  // the server is gone
      if (r.status != 201) continue;
      std::lock_guard lock(mu);
      acked.emplace_back(r.Json()["id"].get<int64_t>(), code);
      ++count;
    }
  };
  std::thread t1(writer, 1), t2(writer, 2);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (count < 40 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  server.Kill(SIGKILL);
  EXPECT_EQ(server.Wait(), 128 + SIGKILL);
  // The service wrote its log (运行日志) to the log directory as it went.
  std::string log;
  for (const auto& e : fs::directory_iterator(fs::path(dir.path()) / "logs")) {
    if (e.path().filename().string().starts_with("zhanqun")) {
      std::ifstream in(e.path());
      log.assign(std::istreambuf_iterator<char>(in), {});
    }
  }
  EXPECT_NE(log.find("listening on 127.0.0.1:"), std::string::npos) << log;
  stop = true;
  t1.join();
  t2.join();
  ASSERT_GE(acked.size(), 40u);

  // The database opens, is intact, the audit chain verifies, nothing acknowledged is lost.
  auto p = app::Platform::Open(OpenFor(dir.path(), db));
  ASSERT_TRUE(p) << p.error().message;
  auto& s = (*p)->service();
  if (s.db().engine() == store::Engine::kSqlite) {
    auto check = s.db().ReadValue<std::string>([](store::Conn& c) -> Result<std::string> {
      ZQ_ASSIGN_OR_RETURN(auto r, c.QueryOne("PRAGMA integrity_check", {}, "integrity"));
      return r.Text("integrity_check");
    });
    ASSERT_TRUE(check);
    EXPECT_EQ(*check, "ok");
  }
  auto v = s.VerifyAudit();
  ASSERT_TRUE(v);
  EXPECT_TRUE(v->ok) << v->message;
  for (const auto& [id, code] : acked) {
    auto row = s.db().ReadValue<std::string>([&, id = id](store::Conn& c) -> Result<std::string> {
      ZQ_ASSIGN_OR_RETURN(auto r, c.QueryOne("SELECT code FROM sites WHERE id = ?", {id}, "站点"));
      return r.Text("code");
    });
    ASSERT_TRUE(row) << "acknowledged site " << code << " is missing";
    EXPECT_EQ(*row, code);
  }
  // The CLI agrees.
  std::vector<std::string> verify = {ZQ_BINARY_PATH, "audit", "verify", "--data", dir.path()};
  if (!db.empty()) {
    verify.push_back("--db");
    verify.push_back(db);
  }
  std::string vout;
  EXPECT_EQ(zhanqun::testing::Run(verify, &vout), 0) << vout;
}

}  // namespace
}  // namespace zhanqun::testing
