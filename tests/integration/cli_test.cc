// The binary's subcommands, run as an operator would run them.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>

#include "support/subprocess.h"
#include "support/test_env.h"

namespace zhanqun::testing {
namespace {

std::vector<std::string> Cmd(std::vector<std::string> args, const std::string& db) {
  args.insert(args.begin(), ZQ_BINARY_PATH);
  if (!db.empty()) {
    args.push_back("--db");
    args.push_back(db);
  }
  return args;
}

TEST(Cli, VersionAndHelp) {
  std::string out;
  EXPECT_EQ(zhanqun::testing::Run({ZQ_BINARY_PATH, "version"}, &out), 0);
  EXPECT_NE(out.find("zhanqun 0."), std::string::npos);
  for (std::string sub : {"init", "serve", "demo", "inspect"}) {
    EXPECT_EQ(zhanqun::testing::Run({ZQ_BINARY_PATH, sub, "--help"}, &out), 0) << sub;
    EXPECT_NE(out.find("--data"), std::string::npos) << sub;
  }
  EXPECT_EQ(zhanqun::testing::Run({ZQ_BINARY_PATH, "user", "set-password", "--help"}, &out), 0);
  EXPECT_NE(out.find("--temporary"), std::string::npos);
  EXPECT_EQ(zhanqun::testing::Run({ZQ_BINARY_PATH, "audit", "verify", "--help"}, &out), 0);
  EXPECT_NE(zhanqun::testing::Run({ZQ_BINARY_PATH, "no-such-command"}, &out), 0);
}

TEST(Cli, InitCreatesThreeAccountsWithOneTimePasswords) {
  TempDir dir;
  std::string db = FreshDatabaseUrl();
  std::string out;
  ASSERT_EQ(zhanqun::testing::Run(Cmd({"init", "--data", dir.path()}, db), &out), 0) << out;
  for (std::string name : {"sysadmin", "secadmin", "auditor"}) {
    EXPECT_TRUE(std::regex_search(out, std::regex("  " + name + "  \\S{16}"))) << out;
  }
  EXPECT_TRUE(std::filesystem::exists(dir.path() + "/zhanqun.toml"));
  // The printed password works once and demands a change.
  std::smatch m;
  ASSERT_TRUE(std::regex_search(out, m, std::regex("  sysadmin  (\\S{16})")));
  std::string pw = m[1];
  // Running init again changes nothing.
  std::string again;
  ASSERT_EQ(zhanqun::testing::Run(Cmd({"init", "--data", dir.path()}, db), &again), 0);
  EXPECT_NE(again.find("已存在"), std::string::npos);

  std::string new_pw = "Operator-Set-2026";
  ASSERT_EQ(
      zhanqun::testing::Run(Cmd({"user", "set-password", "sysadmin", "--data", dir.path()}, db),
                            &out, new_pw + "\n"),
      0)
      << out;
  std::string weak;
  EXPECT_NE(
      zhanqun::testing::Run(Cmd({"user", "set-password", "sysadmin", "--data", dir.path()}, db),
                            &weak, "short\n"),
      0);
  EXPECT_NE(weak.find("password"), std::string::npos) << weak;
  std::string verify;
  EXPECT_EQ(zhanqun::testing::Run(Cmd({"audit", "verify", "--data", dir.path()}, db), &verify), 0)
      << verify;
  EXPECT_NE(verify.find("OK"), std::string::npos);
}

TEST(Cli, AuditVerifyExitsOneNamingTheAlteredEntry) {
  if (EngineName() != "sqlite") GTEST_SKIP() << "edits the SQLite file directly";
  TempDir dir;
  std::string out;
  ASSERT_EQ(zhanqun::testing::Run({ZQ_BINARY_PATH, "init", "--data", dir.path()}, &out), 0) << out;
  std::string sql =
      "DROP TRIGGER audit_log_no_update; UPDATE audit_log SET actor = 'mallory' WHERE seq = 2;";
  ASSERT_EQ(zhanqun::testing::Run({"/usr/bin/sqlite3", dir.path() + "/zhanqun.db", sql}, &out), 0)
      << out;
  std::string verify;
  EXPECT_EQ(
      zhanqun::testing::Run({ZQ_BINARY_PATH, "audit", "verify", "--data", dir.path()}, &verify), 1);
  EXPECT_NE(verify.find("entry 2 altered"), std::string::npos) << verify;
}

TEST(Cli, BadConfigIsRefusedNamingFileLineAndKey) {
  TempDir dir;
  {
    std::ofstream f(dir.path() + "/zhanqun.toml");
    f << "[server]\nio_threads = 2\nmax_connections = -5\n";
  }
  std::string out;
  EXPECT_NE(zhanqun::testing::Run({ZQ_BINARY_PATH, "serve", "--data", dir.path()}, &out), 0);
  EXPECT_NE(out.find("zhanqun.toml:3"), std::string::npos) << out;
  EXPECT_NE(out.find("server.max_connections"), std::string::npos) << out;
}

TEST(Cli, BadListenFlagIsRefusedNamingTheFlag) {
  TempDir dir;
  std::string out;
  ASSERT_EQ(zhanqun::testing::Run({ZQ_BINARY_PATH, "init", "--data", dir.path()}, &out), 0);
  EXPECT_NE(zhanqun::testing::Run(
                {ZQ_BINARY_PATH, "serve", "--data", dir.path(), "--admin", "nonsense"}, &out),
            0);
  EXPECT_NE(out.find("--admin"), std::string::npos) << out;
}

}  // namespace
}  // namespace zhanqun::testing
