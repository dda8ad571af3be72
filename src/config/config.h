// Start-up configuration: built-in defaults < <data_dir>/zhanqun.toml <
// ZHANQUN_<SECTION>_<KEY> environment variables < command-line flags (applied
// by the CLI with SetOption). Every option is listed in docs/configuration.md.
//
// Bad input never passes silently: unknown sections and keys, wrong types and
// out-of-range values are refused with an Error whose field says where
// ("zhanqun.toml:7 server.max_connections", "ZHANQUN_SERVER_IO_THREADS",
// "--db") and whose message repeats that and gives the reason in Chinese.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace zhanqun::config {

inline constexpr std::string_view kConfigFileName = "zhanqun.toml";

struct ListenAddr {
  std::string host;  // IPv4 literal, IPv6 literal (without brackets) or host name
  uint16_t port = 0;

  std::string ToString() const;  // "127.0.0.1:8081", "[::1]:8081"
  bool operator==(const ListenAddr&) const = default;
};

// "host:port" or "[ipv6]:port"; port 0..65535, where 0 asks the OS for a free
// port (tests). On failure Error.field is empty and the message is the reason.
Result<ListenAddr> ParseListenAddr(std::string_view text);

enum class CookieSecure { kAuto, kAlways, kNever };
enum class LogLevel { kTrace, kDebug, kInfo, kWarn, kError };

std::string_view Name(CookieSecure v);  // "auto", "always", "never"
std::string_view Name(LogLevel v);      // "trace", ..., "error"

struct ServerConfig {
  ListenAddr admin_listen{"127.0.0.1", 8081};
  ListenAddr public_listen{"0.0.0.0", 8080};
  int io_threads = 2;
  int worker_threads = 4;
  int max_header_kib = 16;
  int max_body_kib = 1024;
  int max_upload_mib = 64;
  int header_timeout_s = 10;
  int body_timeout_s = 60;
  int keepalive_timeout_s = 30;
  int max_connections = 1024;
  // The built admin console (web/admin/dist); see Config::ConsoleDir().
  std::string console_dir;

  bool operator==(const ServerConfig&) const = default;
};

struct DatabaseConfig {
  // As configured: "" (SQLite at <data_dir>/zhanqun.db), "sqlite:<path>" or
  // "postgresql://...". Use Config::DatabaseUrl() for the effective value.
  std::string url;
  int pool_size = 4;
  int busy_timeout_ms = 5000;

  bool operator==(const DatabaseConfig&) const = default;
};

// The password_* values and session_idle_minutes seed the run-time
// PasswordPolicy (security/password.h; session_idle_minutes becomes
// idle_timeout_minutes) the first time the platform starts; afterwards the
// 安全管理员 changes the policy in the console. Ranges are the same, so every
// accepted configuration is a valid policy.
struct SecurityConfig {
  int session_idle_minutes = 30;
  int password_min_length = 8;
  int password_min_classes = 3;
  int password_expiry_days = 90;
  int password_history = 5;
  int password_max_failures = 5;
  int password_lockout_minutes = 15;
  CookieSecure cookie_secure = CookieSecure::kAuto;

  bool operator==(const SecurityConfig&) const = default;
};

struct AuditConfig {
  int retention_days = 365;

  bool operator==(const AuditConfig&) const = default;
};

struct PublishConfig {
  // As configured; "" = the themes shipped with the binary. Use
  // Config::ThemesDir().
  std::string themes_dir;
  std::string default_theme = "qingsong";  // for new sites
  int threads = 0;                         // full publish; 0 = one per core
  int brotli_quality = 5;

  bool operator==(const PublishConfig&) const = default;
};

struct LogConfig {
  LogLevel level = LogLevel::kInfo;
  std::string dir;  // as configured; use Config::LogDir()

  bool operator==(const LogConfig&) const = default;
};

// The monthly inspection (巡检): when it runs and the thresholds its checks
// compare against. Percentages are of capacity; a value at or above *_warn is
// a warning, at or above *_fail a failure.
struct InspectConfig {
  int schedule_day = 1;                 // day of month; 0 = no scheduled run
  std::string schedule_time = "08:00";  // HH:MM, local time of the server
  std::string operator_name;            // 运维单位 on the report; "" = the district's name
  int cpu_warn_percent = 80;
  int cpu_fail_percent = 95;
  int load_warn_percent = 100;  // 5-minute load average per core, percent
  int load_fail_percent = 200;
  int memory_warn_percent = 85;
  int memory_fail_percent = 95;
  int swap_warn_percent = 50;
  int swap_fail_percent = 80;
  int disk_warn_percent = 80;
  int disk_fail_percent = 90;
  int inode_warn_percent = 80;
  int inode_fail_percent = 90;
  int uptime_max_days = 180;
  int clock_max_error_ms = 1000;
  int security_updates_fail = 10;
  int apt_lists_max_age_days = 7;
  std::string expected_ports;    // "22,443"; the platform's own listeners are always expected
  std::string tls_certificates;  // PEM files to watch, comma-separated
  int cert_warn_days = 30;
  int cert_fail_days = 7;
  int publish_lag_minutes = 10;
  int error_rate_warn_permille = 10;
  int error_rate_fail_permille = 50;
  int db_size_warn_mib = 10240;
  int wal_size_warn_mib = 256;
  int pg_connections_warn_percent = 80;
  int pg_long_transaction_s = 300;
  int pg_dead_tuples_warn_percent = 20;
  int pg_replication_lag_warn_s = 60;
  int backup_max_age_hours = 26;
  int restore_test_max_age_days = 31;

  bool operator==(const InspectConfig&) const = default;
};

// 7×24 monitoring (src/ops). Times in milliseconds unless the name says _s.
struct MonitorConfig {
  int enabled = 1;  // 0: no prober thread (the API still manages monitors)
  int default_interval_s = 60;
  int connect_timeout_ms = 5000;
  int first_byte_timeout_ms = 10000;
  int total_timeout_ms = 20000;
  int failures_to_open = 2;        // consecutive failed checks that open an incident
  int slow_ms = 3000;              // a slower answer is a warning
  int protection_interval_s = 15;  // 重保 mode: no monitor checks less often than this
  // Where site monitors connect: "public" (this server's own public listener,
  // whatever the domain resolves to), "dns" (resolve the domain), or host:port.
  std::string site_connect = "public";
  std::string ca_file;  // extra CA bundle for HTTPS checks ("" = the system's)
  int alert_retry_base_s = 10;
  int alert_retry_max_s = 600;
  int alert_max_attempts = 100;
  int alert_rate_per_minute = 20;  // per channel; beyond it alerts wait in the outbox
  int status_public = 0;           // 1: /status also on the public listener

  bool operator==(const MonitorConfig&) const = default;
};

struct Config {
  std::string data_dir;
  ServerConfig server;
  DatabaseConfig database;
  SecurityConfig security;
  AuditConfig audit;
  PublishConfig publish;
  LogConfig log;
  InspectConfig inspect;
  MonitorConfig monitor;

  // database.url with the empty default and relative SQLite paths resolved
  // against data_dir: "sqlite:/srv/zq/zhanqun.db", "postgresql://...".
  std::string DatabaseUrl() const;
  // log.dir resolved against data_dir; <data_dir>/logs when empty.
  std::string LogDir() const;
  // publish.themes_dir resolved against data_dir; when empty, the first of
  // <binary>/../themes, <binary>/../../themes, /usr/share/zhanqun/themes.
  std::string ThemesDir() const;
  // server.console_dir resolved against data_dir; when empty, the first of
  // <binary>/../web/admin/dist, <binary>/../../web/admin/dist,
  // /usr/share/zhanqun/console.
  std::string ConsoleDir() const;

  bool operator==(const Config&) const = default;
};

// Reads <data_dir>/zhanqun.toml if it exists (absent = defaults), then applies
// the ZHANQUN_<SECTION>_<KEY> entries of `env`. Entries of `env` that do not
// start with ZHANQUN_<known section>_ are ignored (ZHANQUN_DATA and the like
// belong to the CLI); an unknown key inside a known section is an error.
Result<Config> LoadConfig(const std::string& data_dir,
                          const std::map<std::string, std::string>& env);

// The ZHANQUN_* variables of this process's environment, for LoadConfig.
std::map<std::string, std::string> ProcessEnvironment();

// Sets one option from text, as an environment variable would
// (`key` is "section.key", e.g. "database.url"); `origin` names where the
// value came from ("--db") and becomes Error.field on failure.
Status SetOption(Config& config, std::string_view key, std::string_view value,
                 std::string_view origin);

// A commented zhanqun.toml listing every option at its default (commented
// out), with its meaning, range and environment variable. Written by
// `zhanqun init`.
std::string DefaultConfigToml();

// For display (`zhanqun config`, the console): effective values, with any
// password in the database URL masked.
nlohmann::json ToJson(const Config& config);

struct OptionInfo {
  std::string section;
  std::string key;
  std::string env;            // ZHANQUN_SECTION_KEY
  std::string default_value;  // as written in TOML
  std::string doc;            // Chinese, one line
};

// Every option, in file order.
std::vector<OptionInfo> ListOptions();

}  // namespace zhanqun::config
