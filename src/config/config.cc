#include "config/config.h"

#include <arpa/inet.h>
#include <toml++/toml.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <tuple>

#include "core/password_limits.h"

extern char** environ;

namespace zhanqun::config {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kEnvPrefix = "ZHANQUN_";

// Why a value was refused, in Chinese, without the location.
using Reason = std::optional<std::string>;

struct Section {
  std::string_view name;
  std::string_view doc;
};

constexpr Section kSections[] = {
    {"server", "HTTP 服务：两个监听地址、线程、请求大小与超时限制"},
    {"database", "数据库：默认是数据目录下的 SQLite 文件，也可以使用 PostgreSQL"},
    {"security",
     "安全：会话超时与初始密码策略（等保2.0 8.1.4.1）；密码策略在首次启动后由安全管理员在后台修改"},
    {"audit", "审计日志"},
    {"publish", "静态发布：主题目录"},
    {"log", "运行日志"},
    {"inspect", "月度巡检：自动巡检的时间、报告上的运维单位和各项检查的阈值"},
    {"monitor", "7×24 监测：探测间隔与超时、故障判定、告警重试与限流、状态页"},
};

struct Option {
  std::string_view section;
  std::string_view key;
  std::string_view doc;
  // Integer options: a reference into Config and the accepted range.
  int& (*int_ref)(Config&) = nullptr;
  int64_t min = 0;
  int64_t max = 0;
  std::string_view range_note = {};
  // String options: parse-and-store, and the current value as text.
  Reason (*set_text)(Config&, std::string_view) = nullptr;
  std::string (*get_text)(const Config&) = nullptr;

  bool is_int() const { return int_ref != nullptr; }
};

Reason SetListen(ListenAddr& out, std::string_view text) {
  auto addr = ParseListenAddr(text);
  if (!addr) return addr.error().message;
  out = std::move(*addr);
  return std::nullopt;
}

Reason SetDatabaseUrl(Config& c, std::string_view v) {
  if (!v.empty() && v.substr(0, 7) != "sqlite:" && v.substr(0, 13) != "postgresql://" &&
      v.substr(0, 11) != "postgres://") {
    return "必须为空，或以 sqlite: 或 postgresql:// 开头";
  }
  if (v.substr(0, 7) == "sqlite:") {
    std::string_view path = v.substr(7);
    if (path.substr(0, 2) == "//") path.remove_prefix(2);
    if (path.empty()) return "sqlite: 后面需要写数据库文件的路径";
  }
  if (v.find('\0') != std::string_view::npos) return "不能包含 NUL 字符";
  c.database.url = std::string(v);
  return std::nullopt;
}

Reason SetCookieSecure(Config& c, std::string_view v) {
  for (CookieSecure s : {CookieSecure::kAuto, CookieSecure::kAlways, CookieSecure::kNever}) {
    if (v == Name(s)) {
      c.security.cookie_secure = s;
      return std::nullopt;
    }
  }
  return "必须是 auto、always、never 之一";
}

Reason SetLogLevel(Config& c, std::string_view v) {
  for (LogLevel l :
       {LogLevel::kTrace, LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarn, LogLevel::kError}) {
    if (v == Name(l)) {
      c.log.level = l;
      return std::nullopt;
    }
  }
  return "必须是 trace、debug、info、warn、error 之一";
}

Reason SetConsoleDir(Config& c, std::string_view v) {
  if (v.find('\0') != std::string_view::npos) return "不能包含 NUL 字符";
  c.server.console_dir = std::string(v);
  return std::nullopt;
}

Reason SetThemesDir(Config& c, std::string_view v) {
  if (v.find('\0') != std::string_view::npos) return "不能包含 NUL 字符";
  c.publish.themes_dir = std::string(v);
  return std::nullopt;
}

Reason SetDefaultTheme(Config& c, std::string_view v) {
  if (v.empty() || v.size() > 64 || v[0] == '-' ||
      v.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") != std::string_view::npos) {
    return "必须是主题目录名（小写字母、数字和连字符）";
  }
  c.publish.default_theme = std::string(v);
  return std::nullopt;
}

Reason SetLogDir(Config& c, std::string_view v) {
  if (v.find('\0') != std::string_view::npos) return "不能包含 NUL 字符";
  c.log.dir = std::string(v);
  return std::nullopt;
}

Reason SetScheduleTime(Config& c, std::string_view v) {
  if (v.size() != 5 || v[2] != ':' || !isdigit(static_cast<unsigned char>(v[0])) ||
      !isdigit(static_cast<unsigned char>(v[1])) || !isdigit(static_cast<unsigned char>(v[3])) ||
      !isdigit(static_cast<unsigned char>(v[4])) || (v[0] - '0') * 10 + (v[1] - '0') > 23 ||
      (v[3] - '0') * 10 + (v[4] - '0') > 59) {
    return "必须是 HH:MM 格式的时刻，如 08:00";
  }
  c.inspect.schedule_time = std::string(v);
  return std::nullopt;
}

Reason SetExpectedPorts(Config& c, std::string_view v) {
  std::string item;
  std::string text(v);
  text += ',';
  for (char ch : text) {
    if (ch == ',') {
      while (!item.empty() && item.back() == ' ') item.pop_back();
      while (!item.empty() && item.front() == ' ') item.erase(0, 1);
      if (!item.empty()) {
        if (item.size() > 5 || item.find_first_not_of("0123456789") != std::string::npos ||
            std::stoi(item) < 1 || std::stoi(item) > 65535) {
          return "“" + item + "”不是 1 到 65535 之间的端口号；应为逗号分隔的端口列表，如 22,443";
        }
      }
      item.clear();
    } else {
      item += ch;
    }
  }
  c.inspect.expected_ports = std::string(v);
  return std::nullopt;
}

Reason SetSiteConnect(Config& c, std::string_view v) {
  if (v != "public" && v != "dns") {
    auto addr = ParseListenAddr(v);
    if (!addr || addr->port == 0) return "必须是 public、dns 或 主机:端口";
  }
  c.monitor.site_connect = std::string(v);
  return std::nullopt;
}

Reason SetCaFile(Config& c, std::string_view v) {
  if (v.find('\0') != std::string_view::npos) return "不能包含 NUL 字符";
  c.monitor.ca_file = std::string(v);
  return std::nullopt;
}

// The single list of options: parsing, environment variables, the default
// file, ToJson and ListOptions all come from it.
const std::vector<Option>& Options() {
  static const std::vector<Option> kOptions = {
      {.section = "server",
       .key = "admin_listen",
       .doc = "管理后台与 API 的监听地址；不在本机回环地址时，请在前面加 HTTPS 反向代理（等保 "
              "8.1.4.1c）",
       .set_text = [](Config& c,
                      std::string_view v) { return SetListen(c.server.admin_listen, v); },
       .get_text = [](const Config& c) { return c.server.admin_listen.ToString(); }},
      {.section = "server",
       .key = "public_listen",
       .doc = "公开网站（已发布的静态页面）的监听地址；也可以改用 nginx 提供",
       .set_text = [](Config& c,
                      std::string_view v) { return SetListen(c.server.public_listen, v); },
       .get_text = [](const Config& c) { return c.server.public_listen.ToString(); }},
      {.section = "server",
       .key = "io_threads",
       .doc = "网络 I/O 线程数",
       .int_ref = [](Config& c) -> int& { return c.server.io_threads; },
       .min = 1,
       .max = 64},
      {.section = "server",
       .key = "worker_threads",
       .doc = "执行阻塞任务（数据库、页面生成、文件写入、密码哈希）的线程数",
       .int_ref = [](Config& c) -> int& { return c.server.worker_threads; },
       .min = 1,
       .max = 256},
      {.section = "server",
       .key = "max_header_kib",
       .doc = "请求头总大小上限（KiB）",
       .int_ref = [](Config& c) -> int& { return c.server.max_header_kib; },
       .min = 1,
       .max = 1024},
      {.section = "server",
       .key = "max_body_kib",
       .doc = "普通请求体（JSON、表单）大小上限（KiB），不含文件上传",
       .int_ref = [](Config& c) -> int& { return c.server.max_body_kib; },
       .min = 1,
       .max = 65536},
      {.section = "server",
       .key = "max_upload_mib",
       .doc = "单次文件上传大小上限（MiB）",
       .int_ref = [](Config& c) -> int& { return c.server.max_upload_mib; },
       .min = 1,
       .max = 4096},
      {.section = "server",
       .key = "header_timeout_s",
       .doc = "读取请求头的超时（秒）",
       .int_ref = [](Config& c) -> int& { return c.server.header_timeout_s; },
       .min = 1,
       .max = 300},
      {.section = "server",
       .key = "body_timeout_s",
       .doc = "读取请求体的超时（秒）",
       .int_ref = [](Config& c) -> int& { return c.server.body_timeout_s; },
       .min = 1,
       .max = 3600},
      {.section = "server",
       .key = "keepalive_timeout_s",
       .doc = "空闲长连接（keep-alive）保持的时间（秒）",
       .int_ref = [](Config& c) -> int& { return c.server.keepalive_timeout_s; },
       .min = 1,
       .max = 3600},
      {.section = "server",
       .key = "max_connections",
       .doc = "同时打开的连接数上限（两个监听地址合计）",
       .int_ref = [](Config& c) -> int& { return c.server.max_connections; },
       .min = 1,
       .max = 100000},
      {.section = "server",
       .key = "console_dir",
       .doc = "管理控制台的构建目录；留空为随程序安装的控制台（<程序目录>/../web/admin/dist 或 "
              "/usr/share/zhanqun/console）",
       .set_text = SetConsoleDir,
       .get_text = [](const Config& c) { return c.server.console_dir; }},
      {.section = "database",
       .key = "url",
       .doc =
           "留空：使用 <数据目录>/zhanqun.db（SQLite）；或 \"sqlite:/路径/文件.db\"（相对路径基于"
           "数据目录）；或 \"postgresql://用户@主机:端口/库名\"（口令请放在 PGPASSWORD 或 "
           "~/.pgpass 中）",
       .set_text = SetDatabaseUrl,
       .get_text = [](const Config& c) { return c.database.url; }},
      {.section = "database",
       .key = "pool_size",
       .doc = "数据库连接池大小",
       .int_ref = [](Config& c) -> int& { return c.database.pool_size; },
       .min = 1,
       .max = 64},
      {.section = "database",
       .key = "busy_timeout_ms",
       .doc = "SQLite 遇到写锁时最多等待的毫秒数",
       .int_ref = [](Config& c) -> int& { return c.database.busy_timeout_ms; },
       .min = 0,
       .max = 600000},
      {.section = "security",
       .key = "session_idle_minutes",
       .doc = "登录会话无操作多少分钟后失效（等保要求不超过 30）；也是密码策略中空闲超时的初始值",
       .int_ref = [](Config& c) -> int& { return c.security.session_idle_minutes; },
       .min = password_limits::kIdleTimeoutMinutes.min,
       .max = password_limits::kIdleTimeoutMinutes.max},
      {.section = "security",
       .key = "password_min_length",
       .doc = "密码最少字符数",
       .int_ref = [](Config& c) -> int& { return c.security.password_min_length; },
       .min = password_limits::kMinLength.min,
       .max = password_limits::kMinLength.max},
      {.section = "security",
       .key = "password_min_classes",
       .doc = "密码至少包含大写字母、小写字母、数字、特殊字符中的几类",
       .int_ref = [](Config& c) -> int& { return c.security.password_min_classes; },
       .min = password_limits::kMinClasses.min,
       .max = password_limits::kMinClasses.max},
      {.section = "security",
       .key = "password_expiry_days",
       .doc = "密码有效期（天），到期必须修改",
       .int_ref = [](Config& c) -> int& { return c.security.password_expiry_days; },
       .min = password_limits::kExpiryDays.min,
       .max = password_limits::kExpiryDays.max},
      {.section = "security",
       .key = "password_history",
       .doc = "不得与最近几次使用过的密码相同",
       .int_ref = [](Config& c) -> int& { return c.security.password_history; },
       .min = password_limits::kHistory.min,
       .max = password_limits::kHistory.max},
      {.section = "security",
       .key = "password_max_failures",
       .doc = "连续登录失败多少次后锁定账号",
       .int_ref = [](Config& c) -> int& { return c.security.password_max_failures; },
       .min = password_limits::kMaxFailures.min,
       .max = password_limits::kMaxFailures.max},
      {.section = "security",
       .key = "password_lockout_minutes",
       .doc = "账号锁定的时长（分钟）",
       .int_ref = [](Config& c) -> int& { return c.security.password_lockout_minutes; },
       .min = password_limits::kLockoutMinutes.min,
       .max = password_limits::kLockoutMinutes.max},
      {.section = "security",
       .key = "cookie_secure",
       .doc = "会话 Cookie 的 Secure 属性：auto（请求经 HTTPS 到达时设置）、always（总是设置，"
              "用于 HTTPS 反向代理之后）、never（从不设置，仅供本机测试）",
       .set_text = SetCookieSecure,
       .get_text = [](const Config& c) { return std::string(Name(c.security.cookie_secure)); }},
      {.section = "audit",
       .key = "retention_days",
       .doc = "审计记录至少保存的天数",
       .int_ref = [](Config& c) -> int& { return c.audit.retention_days; },
       .min = 365,
       .max = 36500,
       .range_note = "（《互联网政务应用安全管理规定》第二十条要求日志至少保存一年）"},
      {.section = "publish",
       .key = "themes_dir",
       .doc =
           "主题目录；留空为随程序安装的主题（<程序目录>/../themes 或 /usr/share/zhanqun/themes）",
       .set_text = SetThemesDir,
       .get_text = [](const Config& c) { return c.publish.themes_dir; }},
      {.section = "publish",
       .key = "default_theme",
       .doc = "新建站点默认使用的主题",
       .set_text = SetDefaultTheme,
       .get_text = [](const Config& c) { return c.publish.default_theme; }},
      {.section = "publish",
       .key = "threads",
       .doc = "整站发布时并行生成页面的线程数；0 为每个 CPU 核一个",
       .int_ref = [](Config& c) -> int& { return c.publish.threads; },
       .min = 0,
       .max = 64},
      {.section = "publish",
       .key = "brotli_quality",
       .doc = "预压缩 .br 文件的 Brotli 压缩等级（越高越小、越慢）",
       .int_ref = [](Config& c) -> int& { return c.publish.brotli_quality; },
       .min = 1,
       .max = 11},
      {.section = "log",
       .key = "level",
       .doc = "日志级别：trace、debug、info、warn、error",
       .set_text = SetLogLevel,
       .get_text = [](const Config& c) { return std::string(Name(c.log.level)); }},
      {.section = "log",
       .key = "dir",
       .doc = "日志目录；留空为 <数据目录>/logs，相对路径基于数据目录",
       .set_text = SetLogDir,
       .get_text = [](const Config& c) { return c.log.dir; }},
      {.section = "inspect",
       .key = "schedule_day",
       .doc = "每月自动巡检的日期（1–28 日）；0 表示不自动巡检",
       .int_ref = [](Config& c) -> int& { return c.inspect.schedule_day; },
       .min = 0,
       .max = 28},
      {.section = "inspect",
       .key = "schedule_time",
       .doc = "自动巡检的时刻，HH:MM（服务器本地时间）",
       .set_text = SetScheduleTime,
       .get_text = [](const Config& c) { return c.inspect.schedule_time; }},
      {.section = "inspect",
       .key = "operator_name",
       .doc = "报告上的运维单位名称；留空为区（根部门）的名称",
       .set_text = [](Config& c, std::string_view v) -> Reason {
         if (v.size() > 200 ||
             v.find_first_of(std::string_view("\0\n\r", 3)) != std::string_view::npos)
           return "不能超过 200 字节，不能含换行";
         c.inspect.operator_name = std::string(v);
         return std::nullopt;
       },
       .get_text = [](const Config& c) { return c.inspect.operator_name; }},
      {.section = "inspect",
       .key = "cpu_warn_percent",
       .doc = "CPU 使用率（采样 1 秒）达到此百分比为“警告”",
       .int_ref = [](Config& c) -> int& { return c.inspect.cpu_warn_percent; },
       .min = 1,
       .max = 100},
      {.section = "inspect",
       .key = "cpu_fail_percent",
       .doc = "CPU 使用率达到此百分比为“异常”",
       .int_ref = [](Config& c) -> int& { return c.inspect.cpu_fail_percent; },
       .min = 1,
       .max = 100},
      {.section = "inspect",
       .key = "load_warn_percent",
       .doc = "5 分钟平均负载占 CPU 核数的百分比，达到此值为“警告”",
       .int_ref = [](Config& c) -> int& { return c.inspect.load_warn_percent; },
       .min = 1,
       .max = 10000},
      {.section = "inspect",
       .key = "load_fail_percent",
       .doc = "5 分钟平均负载占 CPU 核数的百分比，达到此值为“异常”",
       .int_ref = [](Config& c) -> int& { return c.inspect.load_fail_percent; },
       .min = 1,
       .max = 10000},
      {.section = "inspect",
       .key = "memory_warn_percent",
       .doc = "内存使用率（按 MemAvailable 计）达到此百分比为“警告”",
       .int_ref = [](Config& c) -> int& { return c.inspect.memory_warn_percent; },
       .min = 1,
       .max = 100},
      {.section = "inspect",
       .key = "memory_fail_percent",
       .doc = "内存使用率达到此百分比为“异常”",
       .int_ref = [](Config& c) -> int& { return c.inspect.memory_fail_percent; },
       .min = 1,
       .max = 100},
      {.section = "inspect",
       .key = "swap_warn_percent",
       .doc = "交换分区使用率达到此百分比为“警告”",
       .int_ref = [](Config& c) -> int& { return c.inspect.swap_warn_percent; },
       .min = 1,
       .max = 100},
      {.section = "inspect",
       .key = "swap_fail_percent",
       .doc = "交换分区使用率达到此百分比为“异常”",
       .int_ref = [](Config& c) -> int& { return c.inspect.swap_fail_percent; },
       .min = 1,
       .max = 100},
      {.section = "inspect",
       .key = "disk_warn_percent",
       .doc = "数据目录所在文件系统的空间使用率达到此百分比为“警告”",
       .int_ref = [](Config& c) -> int& { return c.inspect.disk_warn_percent; },
       .min = 1,
       .max = 100},
      {.section = "inspect",
       .key = "disk_fail_percent",
       .doc = "数据目录所在文件系统的空间使用率达到此百分比为“异常”",
       .int_ref = [](Config& c) -> int& { return c.inspect.disk_fail_percent; },
       .min = 1,
       .max = 100},
      {.section = "inspect",
       .key = "inode_warn_percent",
       .doc = "数据目录所在文件系统的 inode 使用率达到此百分比为“警告”",
       .int_ref = [](Config& c) -> int& { return c.inspect.inode_warn_percent; },
       .min = 1,
       .max = 100},
      {.section = "inspect",
       .key = "inode_fail_percent",
       .doc = "数据目录所在文件系统的 inode 使用率达到此百分比为“异常”",
       .int_ref = [](Config& c) -> int& { return c.inspect.inode_fail_percent; },
       .min = 1,
       .max = 100},
      {.section = "inspect",
       .key = "uptime_max_days",
       .doc = "连续运行超过此天数为“警告”（内核安全更新需要重启才生效）",
       .int_ref = [](Config& c) -> int& { return c.inspect.uptime_max_days; },
       .min = 1,
       .max = 3650},
      {.section = "inspect",
       .key = "clock_max_error_ms",
       .doc = "系统时钟最大误差（adjtimex）超过此毫秒数为“警告”",
       .int_ref = [](Config& c) -> int& { return c.inspect.clock_max_error_ms; },
       .min = 1,
       .max = 3600000},
      {.section = "inspect",
       .key = "security_updates_fail",
       .doc = "待安装的安全更新达到此数量为“异常”（有 1 个即为“警告”）",
       .int_ref = [](Config& c) -> int& { return c.inspect.security_updates_fail; },
       .min = 1,
       .max = 10000},
      {.section = "inspect",
       .key = "apt_lists_max_age_days",
       .doc = "软件源索引（/var/lib/apt/lists）超过此天数未更新为“警告”",
       .int_ref = [](Config& c) -> int& { return c.inspect.apt_lists_max_age_days; },
       .min = 1,
       .max = 3650},
      {.section = "inspect",
       .key = "expected_ports",
       .doc = "除本平台两个监听端口外，允许监听的 TCP 端口，逗号分隔，如 \"22,443\"",
       .set_text = SetExpectedPorts,
       .get_text = [](const Config& c) { return c.inspect.expected_ports; }},
      {.section = "inspect",
       .key = "tls_certificates",
       .doc = "要检查有效期的 PEM 证书文件，逗号分隔；nginx 配置中的 ssl_certificate 也会检查",
       .set_text = [](Config& c, std::string_view v) -> Reason {
         if (v.find('\0') != std::string_view::npos) return "不能包含 NUL 字符";
         c.inspect.tls_certificates = std::string(v);
         return std::nullopt;
       },
       .get_text = [](const Config& c) { return c.inspect.tls_certificates; }},
      {.section = "inspect",
       .key = "cert_warn_days",
       .doc = "TLS 证书剩余有效天数少于此值为“警告”",
       .int_ref = [](Config& c) -> int& { return c.inspect.cert_warn_days; },
       .min = 1,
       .max = 3650},
      {.section = "inspect",
       .key = "cert_fail_days",
       .doc = "TLS 证书剩余有效天数少于此值为“异常”",
       .int_ref = [](Config& c) -> int& { return c.inspect.cert_fail_days; },
       .min = 0,
       .max = 3650},
      {.section = "inspect",
       .key = "publish_lag_minutes",
       .doc = "定时发布的信息超过预定时间此分钟数仍未发布为“警告”",
       .int_ref = [](Config& c) -> int& { return c.inspect.publish_lag_minutes; },
       .min = 1,
       .max = 100000},
      {.section = "inspect",
       .key = "error_rate_warn_permille",
       .doc = "日志中错误行占比（千分比）达到此值为“警告”",
       .int_ref = [](Config& c) -> int& { return c.inspect.error_rate_warn_permille; },
       .min = 1,
       .max = 1000},
      {.section = "inspect",
       .key = "error_rate_fail_permille",
       .doc = "日志中错误行占比（千分比）达到此值为“异常”",
       .int_ref = [](Config& c) -> int& { return c.inspect.error_rate_fail_permille; },
       .min = 1,
       .max = 1000},
      {.section = "inspect",
       .key = "db_size_warn_mib",
       .doc = "数据库大小超过此值（MiB）为“警告”",
       .int_ref = [](Config& c) -> int& { return c.inspect.db_size_warn_mib; },
       .min = 1,
       .max = 10485760},
      {.section = "inspect",
       .key = "wal_size_warn_mib",
       .doc = "SQLite WAL 文件超过此值（MiB）为“警告”（检查点未能完成）",
       .int_ref = [](Config& c) -> int& { return c.inspect.wal_size_warn_mib; },
       .min = 1,
       .max = 1048576},
      {.section = "inspect",
       .key = "pg_connections_warn_percent",
       .doc = "PostgreSQL 连接数占 max_connections 的百分比达到此值为“警告”",
       .int_ref = [](Config& c) -> int& { return c.inspect.pg_connections_warn_percent; },
       .min = 1,
       .max = 100},
      {.section = "inspect",
       .key = "pg_long_transaction_s",
       .doc = "PostgreSQL 事务持续超过此秒数为“警告”",
       .int_ref = [](Config& c) -> int& { return c.inspect.pg_long_transaction_s; },
       .min = 1,
       .max = 86400},
      {.section = "inspect",
       .key = "pg_dead_tuples_warn_percent",
       .doc = "PostgreSQL 表的死元组占比达到此百分比为“警告”（需要 VACUUM）",
       .int_ref = [](Config& c) -> int& { return c.inspect.pg_dead_tuples_warn_percent; },
       .min = 1,
       .max = 100},
      {.section = "inspect",
       .key = "pg_replication_lag_warn_s",
       .doc = "PostgreSQL 备库复制延迟超过此秒数为“警告”",
       .int_ref = [](Config& c) -> int& { return c.inspect.pg_replication_lag_warn_s; },
       .min = 1,
       .max = 86400},
      {.section = "inspect",
       .key = "backup_max_age_hours",
       .doc = "最近一次成功备份距今超过此小时数为“异常”",
       .int_ref = [](Config& c) -> int& { return c.inspect.backup_max_age_hours; },
       .min = 1,
       .max = 8760},
      {.section = "inspect",
       .key = "restore_test_max_age_days",
       .doc = "最近一次恢复演练距今超过此天数为“异常”（每月一次数据安全检查）",
       .int_ref = [](Config& c) -> int& { return c.inspect.restore_test_max_age_days; },
       .min = 1,
       .max = 3650},
      {.section = "monitor",
       .key = "enabled",
       .doc = "是否运行探测线程：1 运行，0 不运行（仍可通过接口管理监测项）",
       .int_ref = [](Config& c) -> int& { return c.monitor.enabled; },
       .min = 0,
       .max = 1},
      {.section = "monitor",
       .key = "default_interval_s",
       .doc = "新建监测项的默认探测间隔（秒）",
       .int_ref = [](Config& c) -> int& { return c.monitor.default_interval_s; },
       .min = 5,
       .max = 86400},
      {.section = "monitor",
       .key = "connect_timeout_ms",
       .doc = "建立连接（含 TLS 握手前的 TCP 连接）的超时（毫秒）",
       .int_ref = [](Config& c) -> int& { return c.monitor.connect_timeout_ms; },
       .min = 100,
       .max = 60000},
      {.section = "monitor",
       .key = "first_byte_timeout_ms",
       .doc = "连接建立后等待响应首字节的超时（毫秒）",
       .int_ref = [](Config& c) -> int& { return c.monitor.first_byte_timeout_ms; },
       .min = 100,
       .max = 120000},
      {.section = "monitor",
       .key = "total_timeout_ms",
       .doc = "一次探测的总超时（毫秒）",
       .int_ref = [](Config& c) -> int& { return c.monitor.total_timeout_ms; },
       .min = 200,
       .max = 300000},
      {.section = "monitor",
       .key = "failures_to_open",
       .doc = "连续失败多少次后创建故障事件",
       .int_ref = [](Config& c) -> int& { return c.monitor.failures_to_open; },
       .min = 1,
       .max = 20},
      {.section = "monitor",
       .key = "slow_ms",
       .doc = "响应慢于此值（毫秒）记为预警",
       .int_ref = [](Config& c) -> int& { return c.monitor.slow_ms; },
       .min = 100,
       .max = 300000},
      {.section = "monitor",
       .key = "protection_interval_s",
       .doc = "重保模式下所有监测项的最长探测间隔（秒）",
       .int_ref = [](Config& c) -> int& { return c.monitor.protection_interval_s; },
       .min = 5,
       .max = 300},
      {.section = "monitor",
       .key = "site_connect",
       .doc = "站点监测连接到哪里：public（本服务的公网监听端口，不依赖域名解析）、dns（按域名解析"
              "）或 主机:端口",
       .set_text = SetSiteConnect,
       .get_text = [](const Config& c) { return c.monitor.site_connect; }},
      {.section = "monitor",
       .key = "ca_file",
       .doc = "HTTPS 探测额外信任的 CA 证书文件（PEM）；留空为系统证书",
       .set_text = SetCaFile,
       .get_text = [](const Config& c) { return c.monitor.ca_file; }},
      {.section = "monitor",
       .key = "alert_retry_base_s",
       .doc = "告警发送失败后首次重试的等待（秒），之后每次加倍",
       .int_ref = [](Config& c) -> int& { return c.monitor.alert_retry_base_s; },
       .min = 1,
       .max = 3600},
      {.section = "monitor",
       .key = "alert_retry_max_s",
       .doc = "告警重试的最长等待（秒）",
       .int_ref = [](Config& c) -> int& { return c.monitor.alert_retry_max_s; },
       .min = 1,
       .max = 86400},
      {.section = "monitor",
       .key = "alert_max_attempts",
       .doc = "告警最多尝试发送的次数，超过后标记为发送失败（可在接口和审计日志中查到）",
       .int_ref = [](Config& c) -> int& { return c.monitor.alert_max_attempts; },
       .min = 1,
       .max = 100000},
      {.section = "monitor",
       .key = "alert_rate_per_minute",
       .doc = "每个告警渠道每分钟最多发送的告警数，超出的在发件箱中排队",
       .int_ref = [](Config& c) -> int& { return c.monitor.alert_rate_per_minute; },
       .min = 1,
       .max = 10000},
      {.section = "monitor",
       .key = "status_public",
       .doc = "状态页是否也在公网监听端口上提供（/status）：0 否，1 是",
       .int_ref = [](Config& c) -> int& { return c.monitor.status_public; },
       .min = 0,
       .max = 1},
  };
  return kOptions;
}

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

std::string EnvName(const Option& o) {
  return std::string(kEnvPrefix) + Upper(o.section) + "_" + Upper(o.key);
}

std::string DottedKey(const Option& o) { return std::string(o.section) + "." + std::string(o.key); }

const Option* FindOption(std::string_view section, std::string_view key) {
  for (const Option& o : Options()) {
    if (o.section == section && o.key == key) return &o;
  }
  return nullptr;
}

bool IsSection(std::string_view name) {
  return std::any_of(std::begin(kSections), std::end(kSections),
                     [&](const Section& s) { return s.name == name; });
}

std::string RangeReason(const Option& o) {
  return "必须在 " + std::to_string(o.min) + " 到 " + std::to_string(o.max) + " 之间" +
         std::string(o.range_note);
}

Reason ApplyInt(Config& c, const Option& o, int64_t v) {
  if (v < o.min || v > o.max) return RangeReason(o);
  o.int_ref(c) = static_cast<int>(v);
  return std::nullopt;
}

// Applies a value given as text (environment, command line).
Reason ApplyText(Config& c, const Option& o, std::string_view text) {
  if (!o.is_int()) return o.set_text(c, text);
  std::string_view digits = text;
  const bool negative = !digits.empty() && digits.front() == '-';
  if (negative) digits.remove_prefix(1);
  if (digits.empty() || digits.size() > 12 ||
      !std::all_of(digits.begin(), digits.end(), [](char ch) { return ch >= '0' && ch <= '9'; })) {
    return "必须是整数";
  }
  int64_t v = 0;
  for (char ch : digits) v = v * 10 + (ch - '0');
  return ApplyInt(c, o, negative ? -v : v);
}

// Levenshtein distance, for "did you mean" on typos.
size_t Distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

std::string UnknownKeyReason(std::string_view section, std::string_view key) {
  std::string reason = "未知的配置项";
  const Option* best = nullptr;
  size_t best_distance = 3;
  for (const Option& o : Options()) {
    if (o.section != section) continue;
    const size_t d = Distance(key, o.key);
    if (d < best_distance) {
      best = &o;
      best_distance = d;
    }
  }
  if (best != nullptr) reason += "（是否想写 " + std::string(best->key) + "？）";
  return reason;
}

std::string SectionList() {
  std::string out;
  for (const Section& s : kSections) {
    if (!out.empty()) out += "、";
    out += s.name;
  }
  return out;
}

// An error found in the file, kept with its position so the first one in the
// file is reported (toml++ iterates tables in key order, not file order).
struct FileError {
  int64_t line = 0;
  int64_t column = 0;
  Error error;
};

Error LocatedError(const std::string& where, const std::string& reason) {
  return Error::Invalid(where, where + "：" + reason);
}

std::string Location(const toml::source_region& src) {
  return std::string(kConfigFileName) + ":" + std::to_string(src.begin.line);
}

Reason ApplyNode(Config& c, const Option& o, const toml::node& node) {
  if (o.is_int()) {
    if (const auto* v = node.as_integer()) return ApplyInt(c, o, v->get());
    if (node.is_string()) return "必须是整数（不要加引号）";
    return "必须是整数";
  }
  if (const auto* v = node.as_string()) return o.set_text(c, v->get());
  return "必须是字符串（需要加引号）";
}

Status ApplyFile(Config& c, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    Error e = Error::Invalid(std::string(kConfigFileName),
                             "无法读取配置文件 " + path + "：" + std::strerror(errno));
    e.internal = path;
    return Fail(std::move(e));
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();

  toml::table root;
  try {
    root = toml::parse(text, path);
  } catch (const toml::parse_error& err) {
    const auto& begin = err.source().begin;
    const std::string where = std::string(kConfigFileName) + ":" + std::to_string(begin.line) +
                              ":" + std::to_string(begin.column);
    Error e = LocatedError(where, "TOML 语法错误：" + std::string(err.description()));
    e.internal = path;
    return Fail(std::move(e));
  }

  std::vector<FileError> errors;
  const auto add = [&](const toml::source_region& src, std::string where, std::string reason) {
    errors.push_back({static_cast<int64_t>(src.begin.line), static_cast<int64_t>(src.begin.column),
                      LocatedError(where, reason)});
  };
  for (const auto& [section_key, section_node] : root) {
    const std::string section(section_key.str());
    const std::string here = Location(section_key.source());
    if (!IsSection(section)) {
      if (section_node.is_table()) {
        add(section_key.source(), here + " [" + section + "]",
            "未知的配置节，可用的有 " + SectionList());
      } else {
        add(section_key.source(), here + " " + section,
            "配置项必须写在某个配置节（如 [server]）之下");
      }
      continue;
    }
    const toml::table* table = section_node.as_table();
    if (table == nullptr) {
      add(section_key.source(), here + " " + section, "必须是一个配置节（[" + section + "]）");
      continue;
    }
    for (const auto& [key_name, value] : *table) {
      const std::string key(key_name.str());
      const std::string where = Location(key_name.source()) + " " + section + "." + key;
      const Option* o = FindOption(section, key);
      if (o == nullptr) {
        add(key_name.source(), where, UnknownKeyReason(section, key));
        continue;
      }
      if (Reason r = ApplyNode(c, *o, value)) add(key_name.source(), where, *r);
    }
  }
  if (errors.empty()) return {};
  const auto first =
      std::min_element(errors.begin(), errors.end(), [](const auto& a, const auto& b) {
        return std::tie(a.line, a.column) < std::tie(b.line, b.column);
      });
  first->error.internal = path;
  return Fail(std::move(first->error));
}

Status ApplyEnv(Config& c, const std::map<std::string, std::string>& env) {
  for (const auto& [name, value] : env) {
    std::string_view rest = name;
    if (rest.substr(0, kEnvPrefix.size()) != kEnvPrefix) continue;
    rest.remove_prefix(kEnvPrefix.size());
    const Section* section = nullptr;
    for (const Section& s : kSections) {
      const std::string prefix = Upper(s.name) + "_";
      if (rest.substr(0, prefix.size()) == prefix) section = &s;
    }
    if (section == nullptr) continue;  // not ours: ZHANQUN_DATA etc.
    const Option* option = nullptr;
    for (const Option& o : Options()) {
      if (EnvName(o) == name) option = &o;
    }
    const std::string where = "环境变量 " + name;
    if (option == nullptr) {
      std::string key(rest.substr(section->name.size() + 1));
      for (char& ch : key) {
        if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
      }
      return Fail(Error::Invalid(name, where + "：" + UnknownKeyReason(section->name, key)));
    }
    if (Reason r = ApplyText(c, *option, value)) {
      return Fail(Error::Invalid(name, where + "（" + DottedKey(*option) + "）：" + *r));
    }
  }
  return {};
}

bool IsWildcard(std::string_view host) { return host == "0.0.0.0" || host == "::"; }

std::string TomlQuote(std::string_view s) {
  std::string out = "\"";
  for (char ch : s) {
    if (ch == '"' || ch == '\\') out += '\\';
    out += ch;
  }
  out += '"';
  return out;
}

std::string DefaultText(const Option& o) {
  Config defaults;
  if (o.is_int()) return std::to_string(o.int_ref(defaults));
  return TomlQuote(o.get_text(defaults));
}

std::string Join(const std::string& dir, std::string_view rel) {
  return (fs::path(dir) / fs::path(rel)).string();
}

// "postgresql://user:secret@host/db?password=x" -> "postgresql://user:***@host/db?password=***"
std::string MaskUrl(std::string url) {
  const size_t scheme = url.find("://");
  if (scheme != std::string::npos) {
    const size_t start = scheme + 3;
    const size_t at = url.find('@', start);
    const size_t end = url.find_first_of("/?#", start);
    if (at != std::string::npos && (end == std::string::npos || at < end)) {
      const size_t colon = url.find(':', start);
      if (colon != std::string::npos && colon < at) url.replace(colon + 1, at - colon - 1, "***");
    }
  }
  for (size_t pos = 0; (pos = url.find("password=", pos)) != std::string::npos;) {
    const size_t begin = pos + 9;
    const size_t end = url.find('&', begin);
    url.replace(begin, end == std::string::npos ? std::string::npos : end - begin, "***");
    pos = begin + 3;
  }
  return url;
}

}  // namespace

std::string ListenAddr::ToString() const {
  const std::string p = std::to_string(port);
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + p;
  return host + ":" + p;
}

Result<ListenAddr> ParseListenAddr(std::string_view text) {
  const auto bad = [](std::string reason) { return Fail(Error::Invalid("", std::move(reason))); };
  if (text.empty()) return bad("不能为空");
  std::string_view host;
  std::string_view port;
  if (text.front() == '[') {
    const size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return bad("IPv6 地址的写法应为 [地址]:端口，如 [::1]:8081");
    }
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
    const std::string addr(host.substr(0, host.find('%')));  // zone id, e.g. %eth0
    in6_addr out;
    if (addr.empty() || inet_pton(AF_INET6, addr.c_str(), &out) != 1) {
      return bad("不是有效的 IPv6 地址");
    }
  } else {
    const size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) return bad("缺少端口，应为 主机:端口，如 127.0.0.1:8081");
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) {
      return bad("IPv6 地址需要写在方括号中，如 [::1]:8081");
    }
    if (host.empty()) return bad("缺少主机，监听所有地址请写 0.0.0.0 或 [::]");
    const bool dotted = std::all_of(host.begin(), host.end(),
                                    [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
    if (dotted) {
      in_addr out;
      if (inet_pton(AF_INET, std::string(host).c_str(), &out) != 1) {
        return bad("不是有效的 IPv4 地址");
      }
    } else {
      const bool name_ok = host.size() <= 253 && host.front() != '-' && host.front() != '.' &&
                           std::all_of(host.begin(), host.end(), [](char c) {
                             return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                                    (c >= '0' && c <= '9') || c == '-' || c == '.';
                           });
      if (!name_ok) return bad("主机名无效");
    }
  }
  if (port.empty() || port.size() > 5 ||
      !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return bad("端口必须是 0 到 65535 之间的整数");
  }
  const long value = std::stol(std::string(port));
  if (value > 65535) return bad("端口必须是 0 到 65535 之间的整数");
  return ListenAddr{std::string(host), static_cast<uint16_t>(value)};
}

std::string_view Name(CookieSecure v) {
  switch (v) {
    case CookieSecure::kAuto:
      return "auto";
    case CookieSecure::kAlways:
      return "always";
    case CookieSecure::kNever:
      return "never";
  }
  return "auto";
}

std::string_view Name(LogLevel v) {
  switch (v) {
    case LogLevel::kTrace:
      return "trace";
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

std::string Config::DatabaseUrl() const {
  if (database.url.empty()) return "sqlite:" + Join(data_dir, "zhanqun.db");
  if (database.url.substr(0, 7) == "sqlite:") {
    std::string_view path = std::string_view(database.url).substr(7);
    if (path.substr(0, 2) == "//") path.remove_prefix(2);
    if (path.empty()) return "sqlite:" + Join(data_dir, "zhanqun.db");
    if (path == ":memory:" || path.front() == '/') return "sqlite:" + std::string(path);
    return "sqlite:" + Join(data_dir, path);
  }
  return database.url;
}

std::string Config::LogDir() const {
  if (log.dir.empty()) return Join(data_dir, "logs");
  return Join(data_dir, log.dir);  // an absolute log.dir replaces data_dir
}

std::string Config::ConsoleDir() const {
  if (!server.console_dir.empty()) return Join(data_dir, server.console_dir);
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    for (fs::path p : {exe.parent_path().parent_path() / "web/admin/dist",
                       exe.parent_path().parent_path().parent_path() / "web/admin/dist"}) {
      if (fs::is_directory(p, ec)) return p.lexically_normal().string();
    }
  }
  return "/usr/share/zhanqun/console";
}

std::string Config::ThemesDir() const {
  if (!publish.themes_dir.empty()) return Join(data_dir, publish.themes_dir);
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    for (fs::path p : {exe.parent_path().parent_path() / "themes",
                       exe.parent_path().parent_path().parent_path() / "themes"}) {
      if (fs::is_directory(p, ec)) return p.lexically_normal().string();
    }
  }
  return "/usr/share/zhanqun/themes";
}

Result<Config> LoadConfig(const std::string& data_dir,
                          const std::map<std::string, std::string>& env) {
  if (data_dir.empty()) return Fail(Error::Invalid("data_dir", "数据目录不能为空"));
  Config c;
  c.data_dir = data_dir;
  const std::string path = Join(data_dir, kConfigFileName);
  std::error_code ec;
  if (fs::exists(path, ec)) {
    ZQ_TRY(ApplyFile(c, path));
  } else if (ec) {
    return Fail(Error::Invalid(std::string(kConfigFileName),
                               "无法访问配置文件 " + path + "：" + ec.message()));
  }
  ZQ_TRY(ApplyEnv(c, env));

  const ListenAddr& admin = c.server.admin_listen;
  const ListenAddr& pub = c.server.public_listen;
  if (admin.port != 0 && admin.port == pub.port &&
      (admin.host == pub.host || IsWildcard(admin.host) || IsWildcard(pub.host))) {
    return Fail(Error::Invalid("server.public_listen",
                               "server.public_listen：与 server.admin_listen 使用了同一个端口 " +
                                   std::to_string(pub.port)));
  }
  return c;
}

std::map<std::string, std::string> ProcessEnvironment() {
  std::map<std::string, std::string> out;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    const std::string_view entry(*e);
    const size_t eq = entry.find('=');
    if (eq == std::string_view::npos || entry.substr(0, kEnvPrefix.size()) != kEnvPrefix) continue;
    out.emplace(std::string(entry.substr(0, eq)), std::string(entry.substr(eq + 1)));
  }
  return out;
}

Status SetOption(Config& config, std::string_view key, std::string_view value,
                 std::string_view origin) {
  const size_t dot = key.find('.');
  const Option* o =
      dot == std::string_view::npos ? nullptr : FindOption(key.substr(0, dot), key.substr(dot + 1));
  if (o == nullptr) {
    return Fail(Error::Internal("SetOption: unknown option " + std::string(key)));
  }
  if (Reason r = ApplyText(config, *o, value)) {
    return Fail(Error::Invalid(std::string(origin),
                               std::string(origin) + "（" + DottedKey(*o) + "）：" + *r));
  }
  return {};
}

std::string DefaultConfigToml() {
  std::string out =
      "# 站群（Zhanqun）配置文件，放在数据目录下，名为 zhanqun.toml。\n"
      "#\n"
      "# 下面列出了全部配置项，均为默认值并已注释；需要修改时去掉行首的 \"# \"。\n"
      "# 每一项都可以用环境变量覆盖（见各项说明）。优先级：\n"
      "#   默认值 < 本文件 < 环境变量 < 命令行参数（serve --db / --admin / --public）\n"
      "# 写错的配置节、配置项或取值都会让程序拒绝启动，并指出行号。\n"
      "# 详细说明见 docs/configuration.md。\n";
  for (const Section& s : kSections) {
    out += "\n# " + std::string(s.doc) + "\n[" + std::string(s.name) + "]\n";
    for (const Option& o : Options()) {
      if (o.section != s.name) continue;
      out += "\n# " + std::string(o.doc) + "\n";
      if (o.is_int()) {
        out += "# 范围：" + std::to_string(o.min) + " 到 " + std::to_string(o.max) + "\n";
      }
      out += "# 环境变量：" + EnvName(o) + "\n";
      out += "# " + std::string(o.key) + " = " + DefaultText(o) + "\n";
    }
  }
  return out;
}

nlohmann::json ToJson(const Config& config) {
  nlohmann::json j = nlohmann::json::object();
  j["data_dir"] = config.data_dir;
  Config copy = config;
  for (const Option& o : Options()) {
    nlohmann::json& slot = j[std::string(o.section)][std::string(o.key)];
    if (o.is_int()) {
      slot = o.int_ref(copy);
    } else {
      slot = o.get_text(config);
    }
  }
  j["database"]["url"] = MaskUrl(config.DatabaseUrl());
  j["log"]["dir"] = config.LogDir();
  return j;
}

std::vector<OptionInfo> ListOptions() {
  std::vector<OptionInfo> out;
  for (const Option& o : Options()) {
    out.push_back({std::string(o.section), std::string(o.key), EnvName(o), DefaultText(o),
                   std::string(o.doc)});
  }
  return out;
}

}  // namespace zhanqun::config
