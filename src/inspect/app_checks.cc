// Application, database and data-safety checks: the platform's own state in
// the store and the data directory.
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>

#include "inspect/inspect.h"
#include "inspect/util.h"
#include "store/migrations.h"
#include "zhanqun/version.h"

namespace zhanqun::inspect {

using namespace detail;
namespace fs = std::filesystem;

namespace {

int64_t FileMs(const fs::path& p) {
  struct stat st {};
  if (stat(p.c_str(), &st) != 0) return 0;
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1000000;
}

std::string SqlitePath(const config::Config& cfg) {
  std::string url = cfg.DatabaseUrl();
  if (url.rfind("sqlite:", 0) != 0) return {};
  std::string p = url.substr(7);
  if (p.rfind("//", 0) == 0) p = p.substr(2);
  return p;
}

uint64_t FileSize(const std::string& p) {
  std::error_code ec;
  auto s = fs::file_size(p, ec);
  return ec ? 0 : s;
}

uint64_t TreeSize(const fs::path& root) {
  uint64_t total = 0;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file(ec)) total += it->file_size(ec);
  }
  return total;
}

Check DbFailed(std::string id, std::string name, const Error& e) {
  Check c = Make(std::move(id), "database", std::move(name));
  c.status = "fail";
  c.value = "查询失败：" + e.message + (e.internal.empty() ? "" : "（" + e.internal + "）");
  c.threshold = "查询成功";
  c.advice = "数据库无法完成检查查询：检查数据库服务与文件权限，必要时从备份恢复。";
  return c;
}

}  // namespace

std::vector<Check> ApplicationChecks(const config::Config& cfg, service::Service& svc,
                                     int64_t now_ms) {
  const auto& ic = cfg.inspect;
  store::Db& db = svc.db();
  std::vector<Check> out;
  {
    Check c = Make("application.version", "application", "软件版本与数据库结构");
    auto v = store::SchemaVersion(db);
    int latest = store::AllMigrations().back().version;
    c.metric = v ? *v : -1;
    c.value = std::string("zhanqun ") + kVersion + "，数据库结构版本 " +
              (v ? std::to_string(*v) : "无法读取");
    c.threshold = "数据库结构版本 = 程序要求的 " + std::to_string(latest);
    c.status = v && *v == latest ? "ok" : "fail";
    c.advice = c.status == "ok"
                   ? "程序与数据库结构一致。"
                   : "程序与数据库结构版本不一致：确认升级步骤已完整执行，或回退程序。";
    out.push_back(std::move(c));
  }
  {
    std::vector<std::string> issues;
    const auto& s = cfg.server;
    bool admin_local = s.admin_listen.host.rfind("127.", 0) == 0 || s.admin_listen.host == "::1" ||
                       s.admin_listen.host == "localhost";
    if (!admin_local && cfg.security.cookie_secure != config::CookieSecure::kAlways) {
      issues.push_back("管理端监听 " + s.admin_listen.ToString() +
                       " 不是本机地址，但 security.cookie_secure 不是 always");
    }
    struct stat st {};
    if (stat(cfg.data_dir.c_str(), &st) == 0 && (st.st_mode & S_IWOTH)) {
      issues.push_back("数据目录对所有用户可写");
    }
    std::error_code ec;
    fs::create_directories(cfg.LogDir(), ec);
    std::string probe = (fs::path(cfg.LogDir()) / ".inspect-write-test").string();
    {
      std::ofstream f(probe);
      if (!f) issues.push_back("日志目录不可写：" + cfg.LogDir());
    }
    fs::remove(probe, ec);
    std::string theme_dir = (fs::path(cfg.ThemesDir()) / cfg.publish.default_theme).string();
    if (!fs::is_directory(theme_dir, ec)) issues.push_back("默认主题目录不存在：" + theme_dir);
    if (cfg.inspect.cpu_warn_percent > cfg.inspect.cpu_fail_percent ||
        cfg.inspect.disk_warn_percent > cfg.inspect.disk_fail_percent ||
        cfg.inspect.memory_warn_percent > cfg.inspect.memory_fail_percent) {
      issues.push_back("[inspect] 的警告阈值高于异常阈值");
    }
    Check c = Make("application.config", "application", "配置检查");
    c.metric = static_cast<double>(issues.size());
    c.unit = "项";
    c.value = issues.empty() ? "未发现问题（监听、Cookie、目录权限、主题、阈值）"
                             : std::to_string(issues.size()) + " 项问题：";
    for (size_t i = 0; i < issues.size(); ++i) c.value += (i ? "；" : "") + issues[i];
    c.threshold = "0 项问题";
    c.status = issues.empty() ? "ok" : "warn";
    c.advice = issues.empty()
                   ? "配置合理。"
                   : "按所列问题修改 zhanqun.toml（见 docs/configuration.md）后重启服务。";
    out.push_back(std::move(c));
  }
  {
    // The scheduler writes a heartbeat each minute (http/platform.cc) into
    // scheduler_state.
    auto rows = db.ReadValue<store::Rows>([](store::Conn& cn) {
      return cn.Query("SELECT name, value, updated_at FROM scheduler_state");
    });
    std::map<std::string, std::pair<std::string, int64_t>> kv;
    if (rows) {
      for (const auto& r : *rows) kv[r.Text("name")] = {r.Text("value"), r.Int("updated_at")};
    }
    Check c = Make("application.scheduler", "application", "调度任务");
    c.unit = "秒";
    c.threshold = "心跳 ≤ 300 秒前，24 小时内无失败";
    if (!kv.count("heartbeat")) {
      c.status = "warn";
      c.value = "调度器从未运行（没有心跳记录）";
      c.advice =
          "定时发布与自动巡检由 zhanqun serve 中的调度器执行：请以服务方式运行 zhanqun serve。";
    } else {
      double age = (now_ms - kv["heartbeat"].second) / 1000.0;
      c.metric = age;
      c.value = "最近心跳 " + FormatTime(kv["heartbeat"].second) + "（" + Fixed(age, 0) + " 秒前）";
      bool recent_error = kv.count("last_error") && now_ms - kv["last_error"].second < 86400000;
      if (recent_error) {
        c.value +=
            "；最近失败 " + FormatTime(kv["last_error"].second) + "：" + kv["last_error"].first;
      }
      c.status = age > 300 ? "fail" : recent_error ? "warn" : "ok";
      c.advice = c.status == "ok" ? "调度器按时运行。"
                 : c.status == "fail"
                     ? "调度器已停止（服务未运行或卡死）：检查 zhanqun serve "
                       "进程与日志，必要时重启服务。"
                     : "调度任务近期有失败：按所示错误排查（定时发布、自动巡检）。";
    }
    out.push_back(std::move(c));
  }
  {
    Check c = Make("application.inspection_schedule", "application", "自动巡检执行");
    auto due = DueTime(ic, now_ms);
    if (!due) {
      c.status = "warn";
      c.value = "未开启自动巡检（[inspect] schedule_day = 0）";
      c.threshold = "每月按时执行";
      c.advice = "合同要求每月一次巡检：请设置 schedule_day，或每月手工执行并存档。";
    } else {
      c.threshold = "每月 " + std::to_string(ic.schedule_day) + " 日 " + ic.schedule_time +
                    " 执行，逾期不超过 1 天";
      auto last = db.ReadValue<store::Rows>([](store::Conn& cn) {
        return cn.Query("SELECT MAX(started_at) AS t FROM inspections WHERE kind = 'schedule'");
      });
      auto since = db.ReadValue<int64_t>([](store::Conn& cn) {
        return cn.QueryInt("SELECT COALESCE(MIN(created_at), 0) FROM departments");
      });
      int64_t last_ms = last && !last->empty() ? last->front().Int("t") : 0;
      // The due time that should already have run: this month's if past, else last month's.
      int64_t expected = *due;
      if (expected > now_ms)
        expected = DueTime(ic, *due - 27LL * 86400000).value_or(expected);  // a month earlier
      if (expected > now_ms) expected = 0;
      bool installed_after = since && *since > expected;
      bool missed =
          expected > 0 && !installed_after && last_ms < expected && now_ms - expected > 86400000;
      c.metric = last_ms ? (now_ms - last_ms) / 86400000.0 : -1;
      c.unit = "天";
      c.value = last_ms ? "上次自动巡检 " + FormatTime(last_ms) : "尚无自动巡检记录";
      c.value +=
          "；下次 " +
          FormatTime(*due > now_ms ? *due : DueTime(ic, *due + 32LL * 86400000).value_or(*due));
      c.status = missed ? "warn" : "ok";
      c.advice = missed ? "应于 " + FormatTime(expected) +
                              " 执行的自动巡检没有记录：确认服务在该时刻运行，并补做一次巡检。"
                        : "自动巡检按计划执行。";
    }
    out.push_back(std::move(c));
  }
  {
    int64_t lag_ms = static_cast<int64_t>(ic.publish_lag_minutes) * 60000;
    auto rows = db.ReadValue<store::Rows>([&](store::Conn& cn) {
      return cn.Query(
          "SELECT COUNT(*) AS n, MIN(publish_at) AS oldest FROM articles WHERE status = "
          "'approved' AND publish_at IS NOT NULL AND publish_at < ?",
          {now_ms - lag_ms});
    });
    Check c = Make("application.publish_lag_articles", "application", "定时发布滞后");
    c.unit = "篇";
    c.threshold = "超过预定时间 " + std::to_string(ic.publish_lag_minutes) + " 分钟仍未发布：0 篇";
    if (!rows) {
      c.status = "fail";
      c.value = "查询失败：" + rows.error().message;
      c.advice = "数据库查询失败，见数据库检查。";
    } else {
      int64_t n = rows->front().Int("n");
      c.metric = static_cast<double>(n);
      c.value = std::to_string(n) + " 篇已到预定时间仍未发布";
      if (n > 0) c.value += "，最早应于 " + FormatTime(rows->front().Int("oldest")) + " 发布";
      c.status = n > 0 ? "warn" : "ok";
      c.advice = n > 0 ? "定时发布没有执行：确认 zhanqun serve 与调度器在运行，查看日志中的 "
                         "“scheduled publish” 错误，然后在后台手工发布这些信息。"
                       : "定时发布按时完成。";
    }
    out.push_back(std::move(c));
  }
  {
    int64_t lag_ms = static_cast<int64_t>(ic.publish_lag_minutes) * 60000;
    auto rows = db.ReadValue<store::Rows>([](store::Conn& cn) {
      return cn.Query(
          "SELECT s.code, s.updated_at AS site_at, "
          "(SELECT MAX(updated_at) FROM columns c WHERE c.site_id = s.id) AS col_at, "
          "(SELECT MAX(updated_at) FROM articles a WHERE a.site_id = s.id AND a.status IN "
          "('published','withdrawn')) AS art_at "
          "FROM sites s WHERE s.status = 'open' ORDER BY s.code");
    });
    Check c = Make("application.publish_lag_sites", "application", "站点发布状态");
    c.unit = "个";
    c.threshold = "发布时间不早于最后一次修改 " + std::to_string(ic.publish_lag_minutes) +
                  " 分钟以上：0 个站点";
    if (!rows) {
      c.status = "fail";
      c.value = "查询失败：" + rows.error().message;
      c.advice = "数据库查询失败，见数据库检查。";
    } else {
      std::vector<std::string> stale, never;
      for (const auto& r : *rows) {
        int64_t changed = std::max({r.Int("site_at"), r.Int("col_at"), r.Int("art_at")});
        int64_t published =
            FileMs(fs::path(cfg.data_dir) / "publish" / r.Text("code") / "manifest.json");
        if (published == 0) {
          never.push_back(r.Text("code"));
        } else if (changed > published + lag_ms) {
          stale.push_back(r.Text("code"));
        }
      }
      c.metric = static_cast<double>(stale.size() + never.size());
      c.value = std::to_string(rows->size()) + " 个开通站点：" + std::to_string(stale.size()) +
                " 个修改后未重新发布，" + std::to_string(never.size()) + " 个从未发布";
      auto names = [](const std::vector<std::string>& v) {
        std::string s;
        for (size_t i = 0; i < v.size() && i < 5; ++i) s += (i ? "、" : "") + v[i];
        if (v.size() > 5) s += " 等";
        return s;
      };
      if (!stale.empty()) c.value += "（未重新发布：" + names(stale) + "）";
      if (!never.empty()) c.value += "（从未发布：" + names(never) + "）";
      c.status = stale.empty() && never.empty() ? "ok" : "warn";
      c.advice = c.status == "ok" ? "所有站点的公开页面都是最新的。"
                                  : "公开页面落后于后台内容：执行 zhanqun publish --site "
                                    "<站点代码>，并查看日志中发布失败的原因。";
    }
    out.push_back(std::move(c));
  }
  {
    int64_t lines = 0, errors = 0, files = 0;
    std::error_code ec;
    auto cutoff = fs::file_time_type::clock::now() - std::chrono::hours(24 * 30);
    for (auto it = fs::recursive_directory_iterator(cfg.LogDir(), ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (!it->is_regular_file(ec)) continue;
      std::string name = it->path().filename().string();
      if (name.find(".log") == std::string::npos) continue;
      if (it->last_write_time(ec) < cutoff) continue;
      ++files;
      auto size = it->file_size(ec);
      std::ifstream in(it->path(), std::ios::binary);
      const uint64_t kTail = 64ull << 20;
      if (size > kTail) in.seekg(static_cast<std::streamoff>(size - kTail));
      std::string line;
      while (std::getline(in, line)) {
        ++lines;
        if (line.find("[error]") != std::string::npos ||
            line.find("[critical]") != std::string::npos ||
            line.find(" ERROR ") != std::string::npos || line.find("[crit]") != std::string::npos ||
            line.find("[emerg]") != std::string::npos)
          ++errors;
      }
    }
    Check c = Make("application.error_rate", "application", "日志错误率");
    c.unit = "‰";
    c.threshold = "错误行占比 警告 ≥ " + std::to_string(ic.error_rate_warn_permille) +
                  "‰，异常 ≥ " + std::to_string(ic.error_rate_fail_permille) + "‰（近 30 天）";
    if (lines == 0) {
      c.metric = 0;
      c.status = "warn";
      c.value = "日志目录 " + cfg.LogDir() + " 中近 30 天没有日志（" + std::to_string(files) +
                " 个文件）";
      c.advice =
          "服务日志没有写入日志目录，故障无从追查：以 systemd 运行时请把输出写到 "
          "logs/zhanqun.log（StandardOutput=append:…），nginx 日志也可放在此目录。";
    } else {
      double permille = 1000.0 * static_cast<double>(errors) / static_cast<double>(lines);
      c.metric = permille;
      c.status = Grade(permille, ic.error_rate_warn_permille, ic.error_rate_fail_permille);
      c.value = Fixed(permille, 2) + "‰（" + std::to_string(errors) + " / " +
                std::to_string(lines) + " 行，" + std::to_string(files) + " 个日志文件）";
      c.advice = c.status == "ok"
                     ? "错误日志占比正常。"
                     : "错误日志偏多：按时间查看 [error] 行，找出反复出现的错误并处理。";
    }
    out.push_back(std::move(c));
  }
  {
    Check c = Make("application.audit_chain", "application", "审计日志完整性");
    c.threshold = "SM3 哈希链完整";
    auto rep = svc.VerifyAudit();
    if (!rep) {
      c.status = "fail";
      c.value = "校验失败：" + rep.error().message;
      c.advice = "无法校验审计日志，请检查数据库。";
    } else {
      c.metric = static_cast<double>(rep->entries);
      c.unit = "条";
      c.value = std::to_string(rep->entries) + " 条记录，" +
                (rep->ok ? std::string("哈希链完整")
                         : "第 " + std::to_string(rep->first_bad_seq) + " 条 " + rep->problem +
                               "：" + rep->message);
      c.status = rep->ok ? "ok" : "fail";
      c.advice = rep->ok ? "审计日志未被篡改。"
                         : "审计日志被修改或删除：立即保全数据库文件与备份，报告安全管理员，"
                           "按应急预案调查（zhanqun audit verify 可复核）。";
    }
    out.push_back(std::move(c));
  }
  return out;
}

std::vector<Check> DatabaseChecks(const config::Config& cfg, store::Db& db) {
  const auto& ic = cfg.inspect;
  std::vector<Check> out;
  if (db.engine() == store::Engine::kSqlite) {
    for (const char* pragma : {"integrity_check", "quick_check"}) {
      std::string id = std::string("database.") + pragma;
      std::string name = std::string("SQLite ") + (pragma[0] == 'i' ? "完整性检查" : "快速检查");
      auto rows = db.ReadValue<store::Rows>(
          [&](store::Conn& cn) { return cn.Query(std::string("PRAGMA ") + pragma + "(20)"); });
      if (!rows) {
        Check c = DbFailed(id, name, rows.error());
        c.advice =
            "数据库文件已损坏或无法读取：停止服务，从最近一次完好的备份恢复，"
            "并用 sqlite3 .recover 抢救备份之后的数据。";
        out.push_back(std::move(c));
        continue;
      }
      Check c = Make(id, "database", name);
      std::string first = rows->empty() ? "" : rows->front().Text(rows->front().names->front());
      bool ok = rows->size() == 1 && first == "ok";
      c.metric = ok ? 0 : static_cast<double>(rows->size());
      c.unit = "处";
      c.value = ok ? "ok" : std::to_string(rows->size()) + " 处问题：" + first;
      c.threshold = "PRAGMA " + std::string(pragma) + " 返回 ok";
      c.status = ok ? "ok" : "fail";
      c.advice = ok ? "数据库文件结构完好。"
                    : "数据库文件已损坏：停止服务，从最近一次完好的备份恢复，"
                      "并用 sqlite3 .recover 抢救备份之后的数据。";
      out.push_back(std::move(c));
    }
    std::string path = SqlitePath(cfg);
    {
      Check c = Make("database.size", "database", "数据库大小");
      double mib = FileSize(path) / 1048576.0;
      c.metric = mib;
      c.unit = "MiB";
      c.value = Fixed(mib, 1) + " MiB（" + path + "）";
      c.threshold = "< " + std::to_string(ic.db_size_warn_mib) + " MiB";
      c.status = mib >= ic.db_size_warn_mib ? "warn" : "ok";
      c.advice = c.status == "ok" ? "数据库大小正常。"
                                  : "数据库较大：确认审计日志与修订历史的保存策略，考虑迁移到 "
                                    "PostgreSQL。";
      out.push_back(std::move(c));
    }
    {
      Check c = Make("database.wal_size", "database", "WAL 日志大小");
      double mib = FileSize(path + "-wal") / 1048576.0;
      c.metric = mib;
      c.unit = "MiB";
      c.value = Fixed(mib, 2) + " MiB";
      c.threshold = "< " + std::to_string(ic.wal_size_warn_mib) + " MiB";
      c.status = mib >= ic.wal_size_warn_mib ? "warn" : "ok";
      c.advice = c.status == "ok" ? "检查点正常完成。"
                                  : "WAL 文件持续增长，说明检查点被长时间的读事务阻塞：重启服务，"
                                    "并检查是否有外部程序长期打开数据库。";
      out.push_back(std::move(c));
    }
    {
      auto rows = db.ReadValue<store::Rows>(
          [](store::Conn& cn) { return cn.Query("PRAGMA foreign_key_check"); });
      if (!rows) {
        out.push_back(DbFailed("database.foreign_keys", "外键一致性", rows.error()));
      } else {
        Check c = Make("database.foreign_keys", "database", "外键一致性");
        c.metric = static_cast<double>(rows->size());
        c.unit = "行";
        c.value = std::to_string(rows->size()) + " 行引用了不存在的记录";
        c.threshold = "0 行";
        c.status = rows->empty() ? "ok" : "fail";
        c.advice = rows->empty() ? "数据之间的引用完整。"
                                 : "有记录引用了已不存在的数据：用 PRAGMA foreign_key_check "
                                   "查明后修复，并追查是谁绕过了平台修改了数据库。";
        out.push_back(std::move(c));
      }
    }
    {
      auto rows = db.ReadValue<store::Rows>(
          [](store::Conn& cn) { return cn.Query("PRAGMA journal_mode"); });
      if (!rows || rows->empty()) {
        out.push_back(DbFailed("database.journal_mode", "日志模式",
                               rows ? Error::Internal("no row") : rows.error()));
      } else {
        std::string mode = rows->front().Text(rows->front().names->front());
        Check c = Make("database.journal_mode", "database", "日志模式");
        c.metric = mode == "wal" ? 1 : 0;
        c.value = mode;
        c.threshold = "wal";
        c.status = mode == "wal" ? "ok" : "warn";
        c.advice = mode == "wal" ? "WAL 模式：读写互不阻塞，崩溃后可恢复。"
                                 : "数据库未处于 WAL 模式：重启 zhanqun 会自动切换；"
                                   "如仍不是 WAL，检查文件系统是否支持共享内存。";
        out.push_back(std::move(c));
      }
    }
    return out;
  }

  // PostgreSQL.
  auto one = [&](const char* sql, store::Params params = {}) {
    return db.ReadValue<store::Rows>([&](store::Conn& cn) { return cn.Query(sql, params); });
  };
  {
    auto r =
        one("SELECT (SELECT COUNT(*) FROM pg_stat_activity) AS n, "
            "current_setting('max_connections')::bigint AS max");
    if (!r) {
      out.push_back(DbFailed("database.pg_connections", "PostgreSQL 连接数", r.error()));
    } else {
      double n = static_cast<double>(r->front().Int("n"));
      double max = static_cast<double>(r->front().Int("max"));
      double pct = max > 0 ? 100.0 * n / max : 0;
      Check c = Make("database.pg_connections", "database", "PostgreSQL 连接数");
      c.metric = pct;
      c.unit = "%";
      c.value = Fixed(n, 0) + " / " + Fixed(max, 0) + "（" + Fixed(pct, 0) + "%）";
      c.threshold = "< max_connections 的 " + std::to_string(ic.pg_connections_warn_percent) + "%";
      c.status = pct >= ic.pg_connections_warn_percent ? "warn" : "ok";
      c.advice = c.status == "ok" ? "连接数正常。"
                                  : "连接数接近上限：检查各节点的 database.pool_size 与空闲连接，"
                                    "必要时使用 PgBouncer。";
      out.push_back(std::move(c));
    }
  }
  {
    auto r = one(
        "SELECT COUNT(*) AS n, COALESCE(MAX(EXTRACT(EPOCH FROM (now() - xact_start)))::bigint, 0) "
        "AS longest FROM pg_stat_activity WHERE xact_start IS NOT NULL AND pid <> pg_backend_pid() "
        "AND now() - xact_start > make_interval(secs => ?)",
        {int64_t{ic.pg_long_transaction_s}});
    if (!r) {
      out.push_back(DbFailed("database.pg_long_transactions", "PostgreSQL 长事务", r.error()));
    } else {
      int64_t n = r->front().Int("n");
      Check c = Make("database.pg_long_transactions", "database", "PostgreSQL 长事务");
      c.metric = static_cast<double>(n);
      c.unit = "个";
      c.value = std::to_string(n) + " 个事务超过 " + std::to_string(ic.pg_long_transaction_s) +
                " 秒" + (n ? "，最长 " + std::to_string(r->front().Int("longest")) + " 秒" : "");
      c.threshold = "0 个事务超过 " + std::to_string(ic.pg_long_transaction_s) + " 秒";
      c.status = n > 0 ? "warn" : "ok";
      c.advice = n > 0 ? "长事务会阻止 VACUUM 并持有锁：用 pg_stat_activity 找到对应会话，"
                         "确认后 pg_terminate_backend。"
                       : "没有长事务。";
      out.push_back(std::move(c));
    }
  }
  {
    auto r = one(
        "SELECT relname, n_dead_tup, n_live_tup FROM pg_stat_user_tables WHERE n_dead_tup >= 1000 "
        "ORDER BY n_dead_tup::float / GREATEST(n_live_tup + n_dead_tup, 1) DESC LIMIT 1");
    if (!r) {
      out.push_back(DbFailed("database.pg_dead_tuples", "PostgreSQL 死元组", r.error()));
    } else {
      Check c = Make("database.pg_dead_tuples", "database", "PostgreSQL 死元组");
      c.unit = "%";
      c.threshold = "单表死元组占比 < " + std::to_string(ic.pg_dead_tuples_warn_percent) +
                    "%（死元组 ≥ 1000 的表）";
      if (r->empty()) {
        c.metric = 0;
        c.value = "没有死元组达到 1000 的表";
      } else {
        double dead = static_cast<double>(r->front().Int("n_dead_tup"));
        double live = static_cast<double>(r->front().Int("n_live_tup"));
        double pct = 100.0 * dead / std::max(1.0, dead + live);
        c.metric = pct;
        c.value = r->front().Text("relname") + "：" + Fixed(dead, 0) + " 个死元组（" +
                  Fixed(pct, 1) + "%）";
        c.status = pct >= ic.pg_dead_tuples_warn_percent ? "warn" : "ok";
      }
      c.advice = c.status == "ok" ? "autovacuum 工作正常。"
                                  : "死元组偏多：确认 autovacuum 已开启且未被长事务阻塞，"
                                    "可手工 VACUUM (ANALYZE) 该表。";
      out.push_back(std::move(c));
    }
  }
  {
    auto r = one(
        "SELECT pg_is_in_recovery() AS replica, "
        "(SELECT COUNT(*) FROM pg_stat_replication) AS replicas, "
        "COALESCE((SELECT MAX(EXTRACT(EPOCH FROM replay_lag))::bigint FROM pg_stat_replication), "
        "0) AS lag_primary, "
        "COALESCE(EXTRACT(EPOCH FROM (now() - pg_last_xact_replay_timestamp()))::bigint, 0) AS "
        "lag_replica");
    if (!r) {
      out.push_back(DbFailed("database.pg_replication", "PostgreSQL 复制延迟", r.error()));
    } else {
      const auto& row = r->front();
      bool replica =
          row.Text("replica") == "t" || row.Text("replica") == "true" || row.Int("replica") == 1;
      int64_t replicas = row.Int("replicas");
      int64_t lag = replica ? row.Int("lag_replica") : row.Int("lag_primary");
      Check c = Make("database.pg_replication", "database", "PostgreSQL 复制延迟");
      c.metric = static_cast<double>(lag);
      c.unit = "秒";
      c.threshold = "复制延迟 < " + std::to_string(ic.pg_replication_lag_warn_s) + " 秒";
      if (!replica && replicas == 0) {
        c.value = "主库，没有连接的备库（复制延迟 0 秒）";
        c.advice = "单库运行：请确保每日备份与恢复演练正常；需要高可用时配置流复制备库。";
      } else {
        c.value =
            std::string(replica ? "本库为备库" : "主库，" + std::to_string(replicas) + " 个备库") +
            "，复制延迟 " + std::to_string(lag) + " 秒";
        c.status = lag >= ic.pg_replication_lag_warn_s ? "warn" : "ok";
        c.advice =
            c.status == "ok" ? "复制正常。" : "备库落后：检查网络、备库磁盘 I/O 与 wal_keep_size。";
      }
      out.push_back(std::move(c));
    }
  }
  {
    auto r = one(
        "SELECT pg_database_size(current_database()) AS bytes, current_setting('data_checksums') "
        "AS checksums");
    if (!r) {
      out.push_back(DbFailed("database.pg_size", "PostgreSQL 数据库大小", r.error()));
    } else {
      double mib = static_cast<double>(r->front().Int("bytes")) / 1048576.0;
      Check c = Make("database.pg_size", "database", "PostgreSQL 数据库大小");
      c.metric = mib;
      c.unit = "MiB";
      c.value = Fixed(mib, 1) + " MiB";
      c.threshold = "< " + std::to_string(ic.db_size_warn_mib) + " MiB";
      c.status = mib >= ic.db_size_warn_mib ? "warn" : "ok";
      c.advice = c.status == "ok" ? "数据库大小正常。" : "数据库较大：检查审计与修订历史的增长。";
      out.push_back(std::move(c));
      Check k = Make("database.pg_checksums", "database", "PostgreSQL 数据校验和");
      std::string on = r->front().Text("checksums");
      k.metric = on == "on" ? 1 : 0;
      k.value = "data_checksums = " + on;
      k.threshold = "on";
      k.status = on == "on" ? "ok" : "warn";
      k.advice = on == "on" ? "数据页损坏可被发现。"
                            : "未开启数据校验和，磁盘静默损坏无法被发现：在维护窗口用 "
                              "pg_checksums --enable 开启（需停库）。";
      out.push_back(std::move(k));
    }
  }
  return out;
}

std::vector<Check> DataSafetyChecks(const config::Config& cfg, store::Db& db, int64_t now_ms) {
  const auto& ic = cfg.inspect;
  std::vector<Check> out;
  fs::path backups = fs::path(cfg.data_dir) / "backups";
  int64_t newest = 0;
  int count = 0;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(backups, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    std::string n = it->path().filename().string();
    if (n.find(".tar") == std::string::npos && n.find(".zst") == std::string::npos) continue;
    ++count;
    newest = std::max(newest, FileMs(it->path()));
  }
  {
    Check c = Make("data_safety.last_backup", "data_safety", "最近一次备份");
    c.unit = "小时";
    c.threshold = "≤ " + std::to_string(ic.backup_max_age_hours) + " 小时";
    if (count == 0) {
      c.metric = -1;
      c.status = "fail";
      c.value = "没有备份：" + backups.string() + " 中没有备份包";
      c.advice =
          "平台的备份功能（运维 II：备份与恢复）尚未上线，目前没有任何自动备份：在此之前请每日用 "
          "sqlite3 .backup（或 pg_dump）备份数据库，并打包 media/ 与 zhanqun.toml，异地保存。";
    } else {
      double hours = (now_ms - newest) / 3600000.0;
      c.metric = hours;
      c.value = std::to_string(count) + " 个备份包，最新的生成于 " + FormatTime(newest) + "（" +
                Fixed(hours, 1) + " 小时前）";
      c.status = hours > ic.backup_max_age_hours ? "fail" : "ok";
      c.advice = c.status == "ok"
                     ? "备份按时生成。"
                     : "最近没有新的备份：检查备份任务是否运行、备份目标空间是否充足。";
    }
    out.push_back(std::move(c));
  }
  {
    auto r = db.ReadValue<store::Rows>([](store::Conn& cn) {
      return cn.Query(
          "SELECT value, updated_at FROM settings WHERE key = 'backup.last_restore_test'");
    });
    Check c = Make("data_safety.restore_test", "data_safety", "最近一次恢复演练");
    c.unit = "天";
    c.threshold = "≤ " + std::to_string(ic.restore_test_max_age_days) + " 天";
    if (!r || r->empty()) {
      c.metric = -1;
      c.status = "fail";
      c.value = "没有恢复演练记录";
      c.advice =
          "合同要求每月利用网站备份包进行数据恢复：备份与恢复功能上线前，请每月把备份恢复到"
          "一台测试机并核对站点数量与最新信息，记录在运维日志中。";
    } else {
      double days = (now_ms - r->front().Int("updated_at")) / 86400000.0;
      c.metric = days;
      c.value =
          "最近一次 " + FormatTime(r->front().Int("updated_at")) + "：" + r->front().Text("value");
      c.status = days > ic.restore_test_max_age_days ? "fail" : "ok";
      c.advice = c.status == "ok" ? "恢复演练按月进行。" : "本月尚未进行恢复演练：请安排。";
    }
    out.push_back(std::move(c));
  }
  {
    uint64_t db_bytes = 0;
    std::string path = SqlitePath(cfg);
    if (!path.empty()) {
      db_bytes = FileSize(path) + FileSize(path + "-wal");
    } else {
      auto size = db.ReadValue<int64_t>([](store::Conn& cn) {
        return cn.QueryInt("SELECT pg_database_size(current_database())");
      });
      if (size) db_bytes = static_cast<uint64_t>(*size);
    }
    uint64_t media = TreeSize(fs::path(cfg.data_dir) / "media");
    auto space = fs::space(fs::exists(backups, ec) ? backups : fs::path(cfg.data_dir), ec);
    double need = 2.0 * static_cast<double>(db_bytes + media);
    double avail = ec ? 0 : static_cast<double>(space.available);
    Check c = Make("data_safety.backup_space", "data_safety", "备份空间");
    c.metric = need > 0 ? avail / need : 0;
    c.unit = "倍";
    c.value = "备份目录可用 " + Bytes(avail) + "，一次完整备份约 " +
              Bytes(static_cast<double>(db_bytes + media)) + "（数据库 " +
              Bytes(static_cast<double>(db_bytes)) + " + 媒体 " +
              Bytes(static_cast<double>(media)) + "）";
    c.threshold = "可用空间 ≥ 两次完整备份";
    c.status = avail >= need ? "ok" : "warn";
    c.advice = c.status == "ok" ? "备份空间充足。"
                                : "备份目录空间不足以保存两份完整备份：清理旧备份或把备份放到"
                                  "独立磁盘/对象存储。";
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace zhanqun::inspect
