#include "config/config.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>

#include "security/password.h"

namespace zhanqun::config {
namespace {

namespace fs = std::filesystem;
using Env = std::map<std::string, std::string>;

class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "zq-config-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }

  void WriteToml(const std::string& text) {
    std::ofstream(fs::path(dir_) / "zhanqun.toml", std::ios::binary) << text;
  }

  // Loads `toml` and expects an error with exactly this field and message.
  void ExpectFileError(const std::string& toml, const std::string& field,
                       const std::string& message) {
    WriteToml(toml);
    auto c = LoadConfig(dir_, {});
    ASSERT_FALSE(c) << toml;
    EXPECT_EQ(c.error().code, Code::kInvalidArgument);
    EXPECT_EQ(c.error().field, field) << toml;
    EXPECT_EQ(c.error().message, message) << toml;
  }

  void ExpectEnvError(const Env& env, const std::string& field, const std::string& message) {
    auto c = LoadConfig(dir_, env);
    ASSERT_FALSE(c);
    EXPECT_EQ(c.error().field, field);
    EXPECT_EQ(c.error().message, message);
  }

  std::string dir_;
};

TEST_F(ConfigTest, AbsentFileGivesDefaults) {
  auto c = LoadConfig(dir_, {});
  ASSERT_TRUE(c) << c.error().message;
  Config want;
  want.data_dir = dir_;
  EXPECT_EQ(*c, want);
  EXPECT_EQ(c->server.admin_listen, (ListenAddr{"127.0.0.1", 8081}));
  EXPECT_EQ(c->server.public_listen, (ListenAddr{"0.0.0.0", 8080}));
  EXPECT_EQ(c->server.io_threads, 2);
  EXPECT_EQ(c->server.worker_threads, 4);
  EXPECT_EQ(c->server.max_header_kib, 16);
  EXPECT_EQ(c->server.max_body_kib, 1024);
  EXPECT_EQ(c->server.max_upload_mib, 64);
  EXPECT_EQ(c->server.header_timeout_s, 10);
  EXPECT_EQ(c->server.body_timeout_s, 60);
  EXPECT_EQ(c->server.keepalive_timeout_s, 30);
  EXPECT_EQ(c->server.max_connections, 1024);
  EXPECT_EQ(c->database.url, "");
  EXPECT_EQ(c->database.pool_size, 4);
  EXPECT_EQ(c->database.busy_timeout_ms, 5000);
  EXPECT_EQ(c->security.session_idle_minutes, 30);
  EXPECT_EQ(c->security.cookie_secure, CookieSecure::kAuto);
  EXPECT_EQ(c->audit.retention_days, 365);
  EXPECT_EQ(c->log.level, LogLevel::kInfo);
  EXPECT_EQ(c->DatabaseUrl(), "sqlite:" + dir_ + "/zhanqun.db");
  EXPECT_EQ(c->LogDir(), dir_ + "/logs");
}

TEST_F(ConfigTest, EmptyDataDirIsRefused) {
  auto c = LoadConfig("", {});
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().field, "data_dir");
}

TEST(ConfigDefaults, SecurityDefaultsMatchPasswordPolicy) {
  const SecurityConfig s;
  const security::PasswordPolicy p;
  EXPECT_EQ(s.password_min_length, p.min_length);
  EXPECT_EQ(s.password_min_classes, p.min_classes);
  EXPECT_EQ(s.password_expiry_days, p.expiry_days);
  EXPECT_EQ(s.password_history, p.history);
  EXPECT_EQ(s.password_max_failures, p.max_failures);
  EXPECT_EQ(s.password_lockout_minutes, p.lockout_minutes);
  EXPECT_EQ(s.session_idle_minutes, p.idle_timeout_minutes);
}

TEST_F(ConfigTest, PasswordRangesMatchPasswordPolicy) {
  // Each boundary accepted by one is accepted by the other.
  struct Case {
    const char* env;
    const char* policy_key;
    int value;
  };
  const Case cases[] = {
      {"ZHANQUN_SECURITY_PASSWORD_MIN_LENGTH", "min_length", 7},
      {"ZHANQUN_SECURITY_PASSWORD_MIN_LENGTH", "min_length", 8},
      {"ZHANQUN_SECURITY_PASSWORD_MIN_LENGTH", "min_length", 64},
      {"ZHANQUN_SECURITY_PASSWORD_MIN_LENGTH", "min_length", 65},
      {"ZHANQUN_SECURITY_PASSWORD_MIN_CLASSES", "min_classes", 2},
      {"ZHANQUN_SECURITY_PASSWORD_MIN_CLASSES", "min_classes", 4},
      {"ZHANQUN_SECURITY_PASSWORD_MIN_CLASSES", "min_classes", 5},
      {"ZHANQUN_SECURITY_PASSWORD_EXPIRY_DAYS", "expiry_days", 0},
      {"ZHANQUN_SECURITY_PASSWORD_EXPIRY_DAYS", "expiry_days", 90},
      {"ZHANQUN_SECURITY_PASSWORD_EXPIRY_DAYS", "expiry_days", 91},
      {"ZHANQUN_SECURITY_PASSWORD_HISTORY", "history", 4},
      {"ZHANQUN_SECURITY_PASSWORD_HISTORY", "history", 24},
      {"ZHANQUN_SECURITY_PASSWORD_HISTORY", "history", 25},
      {"ZHANQUN_SECURITY_PASSWORD_MAX_FAILURES", "max_failures", 2},
      {"ZHANQUN_SECURITY_PASSWORD_MAX_FAILURES", "max_failures", 10},
      {"ZHANQUN_SECURITY_PASSWORD_MAX_FAILURES", "max_failures", 11},
      {"ZHANQUN_SECURITY_PASSWORD_LOCKOUT_MINUTES", "lockout_minutes", 0},
      {"ZHANQUN_SECURITY_PASSWORD_LOCKOUT_MINUTES", "lockout_minutes", 1440},
      {"ZHANQUN_SECURITY_PASSWORD_LOCKOUT_MINUTES", "lockout_minutes", 1441},
      {"ZHANQUN_SECURITY_SESSION_IDLE_MINUTES", "idle_timeout_minutes", 4},
      {"ZHANQUN_SECURITY_SESSION_IDLE_MINUTES", "idle_timeout_minutes", 5},
      {"ZHANQUN_SECURITY_SESSION_IDLE_MINUTES", "idle_timeout_minutes", 30},
      {"ZHANQUN_SECURITY_SESSION_IDLE_MINUTES", "idle_timeout_minutes", 31},
  };
  for (const Case& c : cases) {
    const bool config_ok = LoadConfig(dir_, {{c.env, std::to_string(c.value)}}).has_value();
    const bool policy_ok =
        security::PasswordPolicy::FromJson(nlohmann::json{{c.policy_key, c.value}}).has_value();
    EXPECT_EQ(config_ok, policy_ok) << c.env << "=" << c.value;
  }
}

TEST_F(ConfigTest, FileValuesAreRead) {
  WriteToml(R"(# comment
[server]
admin_listen = "[::1]:9001"
public_listen = "0.0.0.0:0"
io_threads = 3
max_connections = 500

[database]
url = "postgresql://zq@db.example:5432/zhanqun"
pool_size = 8

[security]
session_idle_minutes = 15
password_min_length = 12
password_min_classes = 4
cookie_secure = "always"

[audit]
retention_days = 730

[log]
level = "debug"
dir = "/var/log/zhanqun"
)");
  auto c = LoadConfig(dir_, {});
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->server.admin_listen, (ListenAddr{"::1", 9001}));
  EXPECT_EQ(c->server.public_listen, (ListenAddr{"0.0.0.0", 0}));
  EXPECT_EQ(c->server.io_threads, 3);
  EXPECT_EQ(c->server.worker_threads, 4);  // untouched keys keep defaults
  EXPECT_EQ(c->server.max_connections, 500);
  EXPECT_EQ(c->database.url, "postgresql://zq@db.example:5432/zhanqun");
  EXPECT_EQ(c->DatabaseUrl(), "postgresql://zq@db.example:5432/zhanqun");
  EXPECT_EQ(c->database.pool_size, 8);
  EXPECT_EQ(c->security.session_idle_minutes, 15);
  EXPECT_EQ(c->security.password_min_length, 12);
  EXPECT_EQ(c->security.password_min_classes, 4);
  EXPECT_EQ(c->security.cookie_secure, CookieSecure::kAlways);
  EXPECT_EQ(c->audit.retention_days, 730);
  EXPECT_EQ(c->log.level, LogLevel::kDebug);
  EXPECT_EQ(c->LogDir(), "/var/log/zhanqun");
}

TEST_F(ConfigTest, EmptySectionsAndEmptyFileAreFine) {
  WriteToml("");
  ASSERT_TRUE(LoadConfig(dir_, {}));
  WriteToml("[server]\n[database]\n[security]\n[audit]\n[log]\n");
  auto c = LoadConfig(dir_, {});
  ASSERT_TRUE(c);
  Config want;
  want.data_dir = dir_;
  EXPECT_EQ(*c, want);
}

TEST_F(ConfigTest, EnvironmentBeatsFile) {
  WriteToml("[server]\nio_threads = 3\nadmin_listen = \"127.0.0.1:9000\"\n");
  auto c = LoadConfig(dir_, {{"ZHANQUN_SERVER_IO_THREADS", "6"},
                             {"ZHANQUN_DATABASE_URL", "sqlite:/srv/zq.db"},
                             {"ZHANQUN_LOG_LEVEL", "warn"},
                             {"ZHANQUN_SECURITY_COOKIE_SECURE", "never"}});
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->server.io_threads, 6);
  EXPECT_EQ(c->server.admin_listen.port, 9000);  // from the file
  EXPECT_EQ(c->DatabaseUrl(), "sqlite:/srv/zq.db");
  EXPECT_EQ(c->log.level, LogLevel::kWarn);
  EXPECT_EQ(c->security.cookie_secure, CookieSecure::kNever);
}

TEST_F(ConfigTest, EnvironmentVariablesOfOtherPartsAreIgnored) {
  auto c = LoadConfig(dir_, {{"ZHANQUN_DATA", "/srv/zq"},
                             {"ZHANQUN_LOGIN_HINT", "x"},
                             {"PATH", "/usr/bin"},
                             {"zhanqun_server_io_threads", "x"}});
  ASSERT_TRUE(c) << c.error().message;
}

TEST_F(ConfigTest, BadEnvironmentValuesNameTheVariable) {
  ExpectEnvError({{"ZHANQUN_SERVER_MAX_CONNECTIONS", "0"}}, "ZHANQUN_SERVER_MAX_CONNECTIONS",
                 "环境变量 ZHANQUN_SERVER_MAX_CONNECTIONS（server.max_connections）：必须在 1 到 "
                 "100000 之间");
  ExpectEnvError({{"ZHANQUN_SERVER_IO_THREADS", "two"}}, "ZHANQUN_SERVER_IO_THREADS",
                 "环境变量 ZHANQUN_SERVER_IO_THREADS（server.io_threads）：必须是整数");
  ExpectEnvError({{"ZHANQUN_SERVER_IO_THREADS", ""}}, "ZHANQUN_SERVER_IO_THREADS",
                 "环境变量 ZHANQUN_SERVER_IO_THREADS（server.io_threads）：必须是整数");
  ExpectEnvError({{"ZHANQUN_SERVER_IO_THREADS", "99999999999999999999"}},
                 "ZHANQUN_SERVER_IO_THREADS",
                 "环境变量 ZHANQUN_SERVER_IO_THREADS（server.io_threads）：必须是整数");
  ExpectEnvError({{"ZHANQUN_SERVER_IO_THREAD", "2"}}, "ZHANQUN_SERVER_IO_THREAD",
                 "环境变量 ZHANQUN_SERVER_IO_THREAD：未知的配置项（是否想写 io_threads？）");
  ExpectEnvError({{"ZHANQUN_LOG_LEVEL", "INFO"}}, "ZHANQUN_LOG_LEVEL",
                 "环境变量 ZHANQUN_LOG_LEVEL（log.level）：必须是 trace、debug、info、warn、error "
                 "之一");
  ExpectEnvError({{"ZHANQUN_SERVER_ADMIN_LISTEN", "8081"}}, "ZHANQUN_SERVER_ADMIN_LISTEN",
                 "环境变量 ZHANQUN_SERVER_ADMIN_LISTEN（server.admin_listen）：缺少端口，应为 "
                 "主机:端口，如 127.0.0.1:8081");
}

TEST_F(ConfigTest, OutOfRangeValueNamesFileLineAndKey) {
  ExpectFileError("# comment\n\n[server]\nio_threads = 2\n\n# more\nmax_connections = 0\n",
                  "zhanqun.toml:7 server.max_connections",
                  "zhanqun.toml:7 server.max_connections：必须在 1 到 100000 之间");
  ExpectFileError("[audit]\nretention_days = 180\n", "zhanqun.toml:2 audit.retention_days",
                  "zhanqun.toml:2 audit.retention_days：必须在 365 到 36500 之间"
                  "（《互联网政务应用安全管理规定》第二十条要求日志至少保存一年）");
  ExpectFileError("[security]\nsession_idle_minutes = 60\n",
                  "zhanqun.toml:2 security.session_idle_minutes",
                  "zhanqun.toml:2 security.session_idle_minutes：必须在 5 到 30 之间");
  ExpectFileError("[server]\nio_threads = -1\n", "zhanqun.toml:2 server.io_threads",
                  "zhanqun.toml:2 server.io_threads：必须在 1 到 64 之间");
  ExpectFileError("[server]\nio_threads = 9223372036854775807\n",
                  "zhanqun.toml:2 server.io_threads",
                  "zhanqun.toml:2 server.io_threads：必须在 1 到 64 之间");
}

TEST_F(ConfigTest, WrongTypesAreRefused) {
  ExpectFileError("[server]\nio_threads = \"4\"\n", "zhanqun.toml:2 server.io_threads",
                  "zhanqun.toml:2 server.io_threads：必须是整数（不要加引号）");
  ExpectFileError("[server]\nio_threads = 4.0\n", "zhanqun.toml:2 server.io_threads",
                  "zhanqun.toml:2 server.io_threads：必须是整数");
  ExpectFileError("[server]\nio_threads = true\n", "zhanqun.toml:2 server.io_threads",
                  "zhanqun.toml:2 server.io_threads：必须是整数");
  ExpectFileError("[server]\nadmin_listen = 8081\n", "zhanqun.toml:2 server.admin_listen",
                  "zhanqun.toml:2 server.admin_listen：必须是字符串（需要加引号）");
  ExpectFileError("[log]\nlevel = [\"info\"]\n", "zhanqun.toml:2 log.level",
                  "zhanqun.toml:2 log.level：必须是字符串（需要加引号）");
}

TEST_F(ConfigTest, BadStringValuesAreRefused) {
  ExpectFileError("[server]\npublic_listen = \"0.0.0.0:70000\"\n",
                  "zhanqun.toml:2 server.public_listen",
                  "zhanqun.toml:2 server.public_listen：端口必须是 0 到 65535 之间的整数");
  ExpectFileError("[server]\npublic_listen = \"::1:80\"\n", "zhanqun.toml:2 server.public_listen",
                  "zhanqun.toml:2 server.public_listen：IPv6 地址需要写在方括号中，如 [::1]:8081");
  ExpectFileError("[database]\nurl = \"mysql://x\"\n", "zhanqun.toml:2 database.url",
                  "zhanqun.toml:2 database.url：必须为空，或以 sqlite: 或 postgresql:// 开头");
  ExpectFileError("[database]\nurl = \"sqlite:\"\n", "zhanqun.toml:2 database.url",
                  "zhanqun.toml:2 database.url：sqlite: 后面需要写数据库文件的路径");
  ExpectFileError("[security]\ncookie_secure = \"yes\"\n", "zhanqun.toml:2 security.cookie_secure",
                  "zhanqun.toml:2 security.cookie_secure：必须是 auto、always、never 之一");
  ExpectFileError("[log]\nlevel = \"verbose\"\n", "zhanqun.toml:2 log.level",
                  "zhanqun.toml:2 log.level：必须是 trace、debug、info、warn、error 之一");
}

TEST_F(ConfigTest, UnknownKeysAndSectionsAreRefused) {
  ExpectFileError(
      "[server]\nio_threads = 2\nmax_conections = 10\n", "zhanqun.toml:3 server.max_conections",
      "zhanqun.toml:3 server.max_conections：未知的配置项（是否想写 max_connections？）");
  ExpectFileError("[server]\nfrobnicate = 1\n", "zhanqun.toml:2 server.frobnicate",
                  "zhanqun.toml:2 server.frobnicate：未知的配置项");
  ExpectFileError("[server]\n[servr]\nio_threads = 2\n", "zhanqun.toml:2 [servr]",
                  "zhanqun.toml:2 [servr]：未知的配置节，可用的有 server、database、security、"
                  "audit、publish、log、inspect、monitor");
  ExpectFileError("io_threads = 2\n", "zhanqun.toml:1 io_threads",
                  "zhanqun.toml:1 io_threads：配置项必须写在某个配置节（如 [server]）之下");
  ExpectFileError("[server.tls]\ncert = \"x\"\n", "zhanqun.toml:1 server.tls",
                  "zhanqun.toml:1 server.tls：未知的配置项");
  ExpectFileError("[[server]]\nio_threads = 2\n", "zhanqun.toml:1 server",
                  "zhanqun.toml:1 server：必须是一个配置节（[server]）");
}

TEST_F(ConfigTest, FirstErrorInFileOrderIsReported) {
  // toml++ keeps keys sorted; the report must still follow the file.
  ExpectFileError("[server]\nzzz = 1\nio_threads = 0\n", "zhanqun.toml:2 server.zzz",
                  "zhanqun.toml:2 server.zzz：未知的配置项");
}

TEST_F(ConfigTest, SyntaxErrorGivesLineAndColumn) {
  WriteToml("[server]\nio_threads = 2\nmax_connections = = 3\n");
  auto c = LoadConfig(dir_, {});
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().field.rfind("zhanqun.toml:3:", 0), 0u) << c.error().field;
  EXPECT_NE(c.error().message.find("TOML 语法错误"), std::string::npos) << c.error().message;

  WriteToml("[server]\nio_threads = 2\nio_threads = 3\n");  // duplicate key
  c = LoadConfig(dir_, {});
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().field.rfind("zhanqun.toml:3:", 0), 0u) << c.error().field;
}

TEST_F(ConfigTest, ListenersOnTheSamePortAreRefused) {
  auto c = LoadConfig(dir_, {{"ZHANQUN_SERVER_ADMIN_LISTEN", "127.0.0.1:8080"}});
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().field, "server.public_listen");
  EXPECT_TRUE(LoadConfig(dir_, {{"ZHANQUN_SERVER_ADMIN_LISTEN", "127.0.0.1:0"},
                                {"ZHANQUN_SERVER_PUBLIC_LISTEN", "127.0.0.1:0"}}));
  EXPECT_TRUE(LoadConfig(dir_, {{"ZHANQUN_SERVER_ADMIN_LISTEN", "127.0.0.1:8080"},
                                {"ZHANQUN_SERVER_PUBLIC_LISTEN", "127.0.0.2:8080"}}));
}

TEST_F(ConfigTest, DefaultConfigTomlParsesBackToDefaults) {
  Config want;
  want.data_dir = dir_;
  const std::string text = DefaultConfigToml();
  WriteToml(text);
  auto c = LoadConfig(dir_, {});
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(*c, want);

  // Uncommenting every option must also give the defaults, and every option
  // must be there.
  std::istringstream in(text);
  std::string line;
  std::string uncommented;
  int options = 0;
  const std::regex option_line("^# ([a-z_]+ = .*)$");
  std::smatch m;
  while (std::getline(in, line)) {
    if (std::regex_match(line, m, option_line)) {
      uncommented += m[1].str() + "\n";
      ++options;
    } else {
      uncommented += line + "\n";
    }
  }
  EXPECT_EQ(options, static_cast<int>(ListOptions().size()));
  WriteToml(uncommented);
  c = LoadConfig(dir_, {});
  ASSERT_TRUE(c) << c.error().message << "\n" << uncommented;
  EXPECT_EQ(*c, want);
  for (const OptionInfo& o : ListOptions()) {
    EXPECT_NE(text.find(o.env), std::string::npos) << o.env;
  }
}

TEST_F(ConfigTest, SqlitePathsResolveAgainstDataDir) {
  Config c;
  c.data_dir = dir_;
  c.database.url = "sqlite:db/site.db";
  EXPECT_EQ(c.DatabaseUrl(), "sqlite:" + dir_ + "/db/site.db");
  c.database.url = "sqlite:///abs/site.db";
  EXPECT_EQ(c.DatabaseUrl(), "sqlite:/abs/site.db");
  c.database.url = "sqlite::memory:";
  EXPECT_EQ(c.DatabaseUrl(), "sqlite::memory:");
  c.log.dir = "mylogs";
  EXPECT_EQ(c.LogDir(), dir_ + "/mylogs");
}

TEST(ListenAddr, Parses) {
  EXPECT_EQ(*ParseListenAddr("127.0.0.1:8081"), (ListenAddr{"127.0.0.1", 8081}));
  EXPECT_EQ(*ParseListenAddr("0.0.0.0:0"), (ListenAddr{"0.0.0.0", 0}));
  EXPECT_EQ(*ParseListenAddr("[::]:65535"), (ListenAddr{"::", 65535}));
  EXPECT_EQ(*ParseListenAddr("[fe80::1%eth0]:80"), (ListenAddr{"fe80::1%eth0", 80}));
  EXPECT_EQ(*ParseListenAddr("localhost:80"), (ListenAddr{"localhost", 80}));
  EXPECT_EQ(ParseListenAddr("[::1]:8081")->ToString(), "[::1]:8081");
  EXPECT_EQ(ParseListenAddr("10.0.0.1:1")->ToString(), "10.0.0.1:1");
}

TEST(ListenAddr, RefusesMalformed) {
  for (const char* bad : {"", "8081", ":8081", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:-1",
                          "127.0.0.1:80a", "256.0.0.1:80", "1.2.3:80", "::1:80", "[::1]", "[::1]80",
                          "[zz]:80", "[]:80", "a b:80", "-host:80", "127.0.0.1:123456"}) {
    auto r = ParseListenAddr(bad);
    EXPECT_FALSE(r) << bad;
    if (!r) {
      EXPECT_FALSE(r.error().message.empty()) << bad;
    }
  }
}

TEST(SetOption, AppliesCommandLineFlagsWithTheirName) {
  Config c;
  c.data_dir = "/srv/zq";
  ASSERT_TRUE(SetOption(c, "database.url", "postgresql://zq@localhost/zq", "--db"));
  EXPECT_EQ(c.database.url, "postgresql://zq@localhost/zq");
  ASSERT_TRUE(SetOption(c, "server.admin_listen", "127.0.0.1:0", "--admin"));
  EXPECT_EQ(c.server.admin_listen.port, 0);
  auto s = SetOption(c, "server.public_listen", "nonsense", "--public");
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().field, "--public");
  EXPECT_EQ(s.error().message.rfind("--public（server.public_listen）：", 0), 0u)
      << s.error().message;
  EXPECT_FALSE(SetOption(c, "server.nope", "1", "--nope"));
}

TEST(ToJson, ShowsEffectiveValuesWithoutSecrets) {
  Config c;
  c.data_dir = "/srv/zq";
  nlohmann::json j = ToJson(c);
  EXPECT_EQ(j["server"]["admin_listen"], "127.0.0.1:8081");
  EXPECT_EQ(j["server"]["max_connections"], 1024);
  EXPECT_EQ(j["database"]["url"], "sqlite:/srv/zq/zhanqun.db");
  EXPECT_EQ(j["security"]["cookie_secure"], "auto");
  EXPECT_EQ(j["log"]["level"], "info");
  EXPECT_EQ(j["log"]["dir"], "/srv/zq/logs");
  EXPECT_EQ(j["data_dir"], "/srv/zq");

  c.database.url = "postgresql://zq:s3cret@db:5432/zq?sslmode=require&password=other";
  j = ToJson(c);
  const std::string url = j["database"]["url"];
  EXPECT_EQ(url, "postgresql://zq:***@db:5432/zq?sslmode=require&password=***");
  EXPECT_EQ(j.dump().find("s3cret"), std::string::npos);
  EXPECT_EQ(j.dump().find("other"), std::string::npos);
}

#ifdef ZQ_SOURCE_DIR
TEST(ConfigDocs, EveryOptionIsDocumented) {
  std::ifstream in(std::string(ZQ_SOURCE_DIR) + "/docs/configuration.md");
  ASSERT_TRUE(in) << "docs/configuration.md missing";
  std::stringstream doc;
  doc << in.rdbuf();
  for (const OptionInfo& o : ListOptions()) {
    EXPECT_NE(doc.str().find(o.env), std::string::npos) << o.env;
    EXPECT_NE(doc.str().find("`" + o.key + "`"), std::string::npos) << o.key;
  }
}
#endif

}  // namespace
}  // namespace zhanqun::config
