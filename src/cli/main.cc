// zhanqun: the one binary. The only place that wires modules together.
#include <spdlog/sinks/daily_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include "config/config.h"
#include "http/nginx_conf.h"
#include "app/platform.h"
#include "inspect/inspect.h"
#include "service/demo.h"
#include "store/migrations.h"
#include "zhanqun/version.h"

namespace {

using zhanqun::Error;
namespace fs = std::filesystem;

int Report(const Error& e) {
  std::cerr << "错误：" << e.message;
  if (!e.field.empty()) std::cerr << "（" << e.field << "）";
  std::cerr << "\n";
  if (!e.internal.empty()) std::cerr << "  详情：" << e.internal << "\n";
  return 2;
}

zhanqun::app::OpenOptions Options(const std::string& data, const std::string& db,
                                   bool create = false) {
  zhanqun::app::OpenOptions o;
  o.data_dir = data;
  o.env = zhanqun::config::ProcessEnvironment();
  if (!db.empty()) {
    o.overrides["database.url"] = db;
    o.override_origins["database.url"] = "--db";
  }
  o.create_data_dir = create;
  return o;
}

volatile std::sig_atomic_t g_stop = 0;
void OnSignal(int) { g_stop = 1; }

std::string DefaultData() {
  if (const char* d = std::getenv("ZHANQUN_DATA")) return d;
  return "data";
}

}  // namespace

// The service log (运行日志): the console and, one file a day, the log
// directory (kept 400 days: the audit rules ask for at least a year), at the
// configured level. Monthly inspection reads the error rate from there.
static void StartServiceLog(const zhanqun::config::Config& cfg) {
  using zhanqun::config::LogLevel;
  std::error_code ec;
  fs::create_directories(cfg.LogDir(), ec);
  try {
    auto file = std::make_shared<spdlog::sinks::daily_file_sink_mt>(
        (fs::path(cfg.LogDir()) / "zhanqun.log").string(), 0, 0, false, 400);
    auto console = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
    auto logger =
        std::make_shared<spdlog::logger>("zhanqun", spdlog::sinks_init_list{console, file});
    spdlog::set_default_logger(logger);
  } catch (const spdlog::spdlog_ex& e) {
    spdlog::warn("日志目录 {} 不可写，运行日志只输出到终端：{}", cfg.LogDir(), e.what());
  }
  static constexpr spdlog::level::level_enum kLevels[] = {spdlog::level::trace,
                                                          spdlog::level::debug, spdlog::level::info,
                                                          spdlog::level::warn, spdlog::level::err};
  spdlog::set_level(kLevels[static_cast<int>(cfg.log.level)]);
  spdlog::flush_on(spdlog::level::info);
}

int main(int argc, char** argv) {
  CLI::App app{"Zhanqun 站群 — 学校网站集群平台（内建运维）"};
  app.require_subcommand(1);
  app.set_version_flag("--version", zhanqun::kVersion);

  auto* version = app.add_subcommand("version", "打印版本号");

  std::string data = DefaultData(), db;
  auto* init = app.add_subcommand("init", "创建数据目录、数据库和三员账号（系统/安全/审计管理员）");
  init->add_option("--data", data, "数据目录（默认 $ZHANQUN_DATA 或 ./data）");
  init->add_option("--db", db,
                   "数据库地址：sqlite:/path/x.db 或 postgresql://…（默认数据目录下的 SQLite）");
  std::string district = "示范区教育局";
  init->add_option("--district", district, "区（根部门）的名称");

  std::string admin_addr, public_addr;
  auto* serve = app.add_subcommand("serve", "运行平台：管理端、公网站点与调度器");
  serve->add_option("--data", data, "数据目录");
  serve->add_option("--db", db, "数据库地址（覆盖配置文件）");
  serve->add_option("--admin", admin_addr, "管理端监听地址，默认 127.0.0.1:8081");
  serve->add_option("--public", public_addr, "公网站点监听地址，默认 0.0.0.0:8080");

  auto* user = app.add_subcommand("user", "账号维护");
  user->require_subcommand(1);
  std::string username;
  bool temporary = false;
  auto* set_password =
      user->add_subcommand("set-password", "为账号设置新密码（从标准输入读取一行；记入审计日志）");
  set_password->add_option("name", username, "用户名")->required();
  set_password->add_option("--data", data, "数据目录");
  set_password->add_option("--db", db, "数据库地址");
  set_password->add_flag("--temporary", temporary, "临时密码：下次登录时必须修改");

  auto* audit = app.add_subcommand("audit", "审计日志");
  audit->require_subcommand(1);
  auto* verify = audit->add_subcommand(
      "verify", "校验审计日志的 SM3 哈希链；完好退出码 0，否则 1 并指出第一条异常记录");
  verify->add_option("--data", data, "数据目录");
  verify->add_option("--db", db, "数据库地址");

  std::string site_code;
  auto* publish =
      app.add_subcommand("publish", "发布站点：把已发布的信息按主题生成静态页面（全部或指定站点）");
  publish->add_option("--data", data, "数据目录");
  publish->add_option("--db", db, "数据库地址");
  publish->add_option("--site", site_code, "只发布这个站点（站点代码）");

  std::string nginx_listen = "80", nginx_upstream;
  auto* nginx = app.add_subcommand(
      "nginx-conf",
      "打印生产环境用的 nginx 配置：按域名提供各站点的静态文件，行为与内置公网站点服务一致");
  nginx->add_option("--data", data, "数据目录");
  nginx->add_option("--db", db, "数据库地址");
  nginx->add_option("--listen", nginx_listen, "nginx 监听地址，默认 80");
  nginx->add_option("--upstream", nginx_upstream,
                    "zhanqun 公网站点监听地址（站内搜索转发到这里），默认取配置");

  int sites = 70;
  uint64_t seed = 1;
  auto* demo =
      app.add_subcommand("demo", "创建示范区：学校、站点、栏目、信息与账号（同一种子结果相同）");
  demo->add_option("--data", data, "数据目录");
  demo->add_option("--db", db, "数据库地址");
  demo->add_option("--sites", sites, "站点数量")->check(CLI::Range(1, 500));
  demo->add_option("--seed", seed, "随机种子");
  // Hidden, for bench/publish-vs-hugo: a site with a very long 新闻动态, not
  // yet published.
  int news_articles = 0;
  bool no_publish = false;
  demo->add_option("--news-articles", news_articles, "每个站点新闻动态的信息数（基准测试用）")
      ->check(CLI::Range(0, 1000000))
      ->group("");
  demo->add_flag("--no-publish", no_publish, "只建数据，不发布（基准测试用）")->group("");

  std::string inspect_format = "json", inspect_output;
  auto* inspect = app.add_subcommand("inspect",
                                     "月度巡检：检查服务器、操作系统、中间件、应用系统、数据库与数"
                                     "据安全，保存本次记录并与上月对比，"
                                     "输出报告");
  inspect->add_option("--data", data, "数据目录");
  inspect->add_option("--db", db, "数据库地址");
  inspect->add_option("--format", inspect_format, "报告格式：json（默认）、html 或 pdf");
  inspect->add_option("--output", inspect_output, "写入此文件（默认写到标准输出）");

  CLI11_PARSE(app, argc, argv);
  spdlog::set_level(spdlog::level::info);

  if (version->parsed()) {
    std::cout << "zhanqun " << zhanqun::kVersion << "\n";
    return 0;
  }

  if (init->parsed()) {
    std::error_code ec;
    fs::create_directories(data, ec);
    fs::path cfg = fs::path(data) / "zhanqun.toml";
    if (!fs::exists(cfg)) {
      std::string text = zhanqun::config::DefaultConfigToml();
      if (!db.empty()) {
        if (db.find_first_of("\"\\\n") != std::string::npos) {
          return Report(Error::Invalid("--db", "--db 中不能含有引号、反斜杠或换行"));
        }
        // Persist the chosen database so that later commands find it.
        size_t section = text.find("\n[database]");
        size_t line = section == std::string::npos ? section : text.find("\n# url = ", section);
        if (line != std::string::npos) {
          size_t end = text.find('\n', line + 1);
          text.replace(line + 1, end - line - 1, "url = \"" + db + "\"");
        } else {
          text += "\n[database]\nurl = \"" + db + "\"\n";
        }
      }
      std::ofstream(cfg) << text;
    }
    auto platform = zhanqun::app::Platform::Open(Options(data, db, true));
    if (!platform) return Report(platform.error());
    auto created = (*platform)->service().Bootstrap(district);
    if (!created) return Report(created.error());
    std::cout << "数据目录：" << fs::absolute(data).string() << "\n";
    std::cout << "数据库：" << (*platform)->service().db().Describe() << "\n";
    if (created->empty()) {
      std::cout << "三员账号已存在，未做改动。\n";
    } else {
      std::cout << "已创建三员账号（一次性密码，首次登录后必须修改）：\n";
      for (const auto& [name, pw] : *created) std::cout << "  " << name << "  " << pw << "\n";
    }
    return 0;
  }

  if (serve->parsed()) {
    auto opts = Options(data, db);
    if (!admin_addr.empty()) {
      opts.overrides["server.admin_listen"] = admin_addr;
      opts.override_origins["server.admin_listen"] = "--admin";
    }
    if (!public_addr.empty()) {
      opts.overrides["server.public_listen"] = public_addr;
      opts.override_origins["server.public_listen"] = "--public";
    }
    auto platform = zhanqun::app::Platform::Open(opts);
    if (!platform) return Report(platform.error());
    StartServiceLog((*platform)->config());
    auto st = (*platform)->Start();
    if (!st) return Report(st.error());
    zhanqun::config::ListenAddr shown = (*platform)->config().server.admin_listen;
    shown.port = (*platform)->admin_port();
    std::cout << "管理端：http://" << shown.ToString() << "/\n"
              << "公网站点：端口 " << (*platform)->public_port() << "\n"
              << std::flush;
    std::signal(SIGINT, OnSignal);
    std::signal(SIGTERM, OnSignal);
    while (!g_stop) {
      struct timespec ts {
        0, 100 * 1000 * 1000
      };
      nanosleep(&ts, nullptr);
    }
    std::cout << "正在停止…\n";
    (*platform)->Stop();
    return 0;
  }

  if (set_password->parsed()) {
    std::string pw;
    if (!std::getline(std::cin, pw)) {
      std::cerr << "错误：未从标准输入读到密码\n";
      return 2;
    }
    if (!pw.empty() && pw.back() == '\r') pw.pop_back();
    auto platform = zhanqun::app::Platform::Open(Options(data, db));
    if (!platform) return Report(platform.error());
    auto st = (*platform)->service().SetPasswordByName(username, pw, temporary);
    if (!st) return Report(st.error());
    std::cout << "已为 " << username << " 设置新密码" << (temporary ? "（下次登录须修改）" : "")
              << "\n";
    return 0;
  }

  if (verify->parsed()) {
    auto platform = zhanqun::app::Platform::Open(Options(data, db));
    if (!platform) return Report(platform.error());
    auto rep = (*platform)->service().VerifyAudit();
    if (!rep) return Report(rep.error());
    if (rep->ok) {
      std::cout << "OK " << rep->message << "\n";
      return 0;
    }
    std::cout << "FAIL entry " << rep->first_bad_seq << " " << rep->problem << ": " << rep->message
              << "\n";
    return 1;
  }

  if (nginx->parsed()) {
    auto platform = zhanqun::app::Platform::Open(Options(data, db));
    if (!platform) return Report(platform.error());
    auto& cfg = (*platform)->config();
    std::string publish_dir = (fs::path(cfg.data_dir) / "publish").string();
    auto domains = (*platform)->service().OpenSiteDomains();
    if (!domains) return Report(domains.error());
    std::vector<zhanqun::http::NginxSite> sites_or;
    for (const auto& d : *domains) {
      if (sites_or.empty() || sites_or.back().code != d.code) {
        sites_or.push_back({d.code, {}, publish_dir + "/" + d.code, d.theme});
      }
      sites_or.back().domains.push_back(d.domain);
    }
    zhanqun::http::NginxOptions no;
    no.listen = nginx_listen;
    zhanqun::config::ListenAddr up = cfg.server.public_listen;
    if (up.host == "0.0.0.0") up.host = "127.0.0.1";
    if (up.host == "::") up.host = "::1";
    no.upstream = nginx_upstream.empty() ? up.ToString() : nginx_upstream;
    auto conf = zhanqun::http::NginxConf(sites_or, no);
    if (!conf) return Report(conf.error());
    std::cout << *conf;
    return 0;
  }

  if (publish->parsed()) {
    auto platform = zhanqun::app::Platform::Open(Options(data, db));
    if (!platform) return Report(platform.error());
    std::vector<std::string> codes;
    if (!site_code.empty()) {
      codes.push_back(site_code);
    } else {
      auto all = (*platform)->service().SiteCodes(/*open_only=*/true);
      if (!all) return Report(all.error());
      codes = *all;
    }
    for (const auto& code : codes) {
      auto r = (*platform)->publisher().PublishSiteByCode(code);
      if (!r) return Report(r.error());
      std::cout << code << "：" << r->files << " 个文件，更新 " << r->written.size() << "，删除 "
                << r->removed.size() << "，用时 " << r->ms << " ms（读取 " << r->load_ms
                << " ms；各线程合计：生成 " << r->render_ms << " ms，压缩 " << r->compress_ms
                << " ms，写入 " << r->write_ms << " ms；落盘 " << r->sync_ms << " ms）\n";
    }
    return 0;
  }

  if (inspect->parsed()) {
    if (inspect_format != "json" && inspect_format != "html" && inspect_format != "pdf") {
      return Report(Error::Invalid(
          "--format", "--format 必须是 json、html 或 pdf，收到的是“" + inspect_format + "”"));
    }
    auto platform = zhanqun::app::Platform::Open(Options(data, db));
    if (!platform) return Report(platform.error());
    auto report = (*platform)->inspector().Run("cli", zhanqun::service::Principal::System("cli"));
    if (!report) return Report(report.error());
    std::string out;
    if (inspect_format == "json") {
      out = report->dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    } else if (inspect_format == "html") {
      out = zhanqun::inspect::RenderHtml(*report);
    } else {
      auto pdf = zhanqun::inspect::RenderPdf(*report);
      if (!pdf) return Report(pdf.error());
      out = std::move(*pdf);
    }
    if (inspect_output.empty()) {
      std::cout.write(out.data(), static_cast<std::streamsize>(out.size()));
      std::cout.flush();
    } else {
      std::ofstream f(inspect_output, std::ios::binary);
      f.write(out.data(), static_cast<std::streamsize>(out.size()));
      if (!f.flush()) {
        return Report(Error::Invalid("--output", "无法写入 " + inspect_output));
      }
      const auto& s = (*report)["summary"];
      std::cerr << "巡检完成（编号 " << (*report)["id"] << "）：" << s["total"] << " 项，正常 "
                << s["ok"] << "，警告 " << s["warn"] << "，异常 " << s["fail"] << "；报告已写入 "
                << inspect_output << "\n";
    }
    return 0;
  }

  if (demo->parsed()) {
    auto demo_opts = Options(data, db, true);
    demo_opts.bulk_load = true;
    auto platform = zhanqun::app::Platform::Open(demo_opts);
    if (!platform) return Report(platform.error());
    auto out = zhanqun::service::CreateDemo((*platform)->service(), sites, seed, news_articles);
    if (!out) return Report(out.error());
    std::cout << *out;
    if (no_publish) return 0;
    auto all = (*platform)->service().SiteCodes(/*open_only=*/false);
    if (!all) return Report(all.error());
    for (const auto& code : *all) {
      auto r = (*platform)->publisher().PublishSiteByCode(code);
      if (!r) return Report(r.error());
    }
    std::cout << "已发布 " << all->size() << " 个站点\n";
    return 0;
  }
  return 0;
}
