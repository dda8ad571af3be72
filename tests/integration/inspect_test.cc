// The monthly inspection (巡检): the binary's JSON has at least 30 real checks
// in every group, crafted conditions flip checks, the PDF renders to a
// non-blank page with the Chinese title, a second run compares with the first,
// the scheduler's monthly run is stored once, and a bad --format is refused.
#include "inspect/inspect.h"

#include <cairo.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <set>

#include "store/db.h"
#include "support/fixture.h"
#include "support/subprocess.h"
#include "support/test_env.h"

namespace zhanqun::testing {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> Cmd(std::vector<std::string> args, const std::string& db) {
  args.insert(args.begin(), ZQ_BINARY_PATH);
  if (!db.empty()) {
    args.push_back("--db");
    args.push_back(db);
  }
  return args;
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool HasCjk(const std::string& s) {
  // U+4E00..U+9FFF are three UTF-8 bytes starting with 0xE4..0xE9.
  for (unsigned char c : s) {
    if (c >= 0xE4 && c <= 0xE9) return true;
  }
  return false;
}

const inspect::Check* Find(const std::vector<inspect::Check>& v, const std::string& id) {
  for (const auto& c : v) {
    if (c.id == id) return &c;
  }
  return nullptr;
}

// A data directory made by `zhanqun init`, on the suite's engine.
struct InitedDir {
  TempDir dir;
  std::string db = FreshDatabaseUrl();
  InitedDir() {
    std::string out;
    EXPECT_EQ(zhanqun::testing::Run(Cmd({"init", "--data", dir.path()}, db), &out), 0) << out;
  }
};

TEST(InspectCli, JsonHasThirtyRealChecksInEveryGroup) {
  InitedDir d;
  std::string file = d.dir.path() + "/report.json", out;
  ASSERT_EQ(
      zhanqun::testing::Run(
          Cmd({"inspect", "--data", d.dir.path(), "--format", "json", "--output", file}, d.db),
          &out),
      0)
      << out;
  json r = json::parse(Slurp(file), nullptr, false);
  ASSERT_TRUE(r.is_object()) << Slurp(file);
  ASSERT_TRUE(r["checks"].is_array());
  EXPECT_GE(r["checks"].size(), 30u);
  EXPECT_EQ(r["title"], "网站群运维月度巡检报告");
  EXPECT_TRUE(r["id"].is_number_integer());

  std::map<std::string, int> per_group;
  std::set<std::string> ids;
  int ok = 0, warn = 0, fail = 0;
  for (const auto& c : r["checks"]) {
    std::string id = c.value("id", "");
    SCOPED_TRACE(c.dump());
    EXPECT_TRUE(ids.insert(id).second) << "duplicate id " << id;
    for (const char* k : {"id", "group", "status", "value", "threshold", "advice", "name"}) {
      ASSERT_TRUE(c.contains(k) && c[k].is_string()) << k;
      EXPECT_FALSE(c[k].get<std::string>().empty()) << k;
      std::string low = Lower(c[k].get<std::string>());
      for (const char* bad : {"todo", "placeholder", "tbd", "fixme", "n/a", "not implemented"}) {
        EXPECT_EQ(low.find(bad), std::string::npos) << k << " contains " << bad;
      }
    }
    EXPECT_TRUE(HasCjk(c["advice"])) << "advice in Chinese";
    std::string st = c["status"];
    EXPECT_TRUE(st == "ok" || st == "warn" || st == "fail") << st;
    (st == "ok" ? ok : st == "warn" ? warn : fail)++;
    per_group[c["group"]]++;
  }
  for (const auto& [gid, name] : inspect::Groups()) {
    EXPECT_GE(per_group[gid], 2) << "group " << gid << " (" << name << ") has too few checks";
  }
  EXPECT_EQ(per_group.size(), inspect::Groups().size()) << "a check outside the known groups";
  EXPECT_EQ(r["summary"]["total"], r["checks"].size());
  EXPECT_EQ(r["summary"]["ok"], ok);
  EXPECT_EQ(r["summary"]["warn"], warn);
  EXPECT_EQ(r["summary"]["fail"], fail);
  // The backup feature does not exist yet: an honest fail with advice, not a pass.
  for (const auto& c : r["checks"]) {
    if (c["id"] == "data_safety.last_backup" || c["id"] == "data_safety.restore_test") {
      EXPECT_EQ(c["status"], "fail") << c.dump();
    }
  }
}

TEST(InspectCli, BadFormatIsRefusedNamingTheFlag) {
  InitedDir d;
  std::string out;
  int rc = zhanqun::testing::Run(Cmd({"inspect", "--data", d.dir.path(), "--format", "xml"}, d.db),
                                 &out);
  EXPECT_NE(rc, 0);
  EXPECT_NE(out.find("--format"), std::string::npos) << out;
  EXPECT_NE(out.find("xml"), std::string::npos) << out;
  EXPECT_EQ(out.find("\"checks\""), std::string::npos) << "no report on a refused flag";
}

TEST(InspectCli, PdfRendersToANonBlankPageWithTheChineseTitle) {
  InitedDir d;
  std::string pdf = d.dir.path() + "/report.pdf", out;
  ASSERT_EQ(
      zhanqun::testing::Run(
          Cmd({"inspect", "--data", d.dir.path(), "--format", "pdf", "--output", pdf}, d.db), &out),
      0)
      << out;
  std::string bytes = Slurp(pdf);
  ASSERT_GT(bytes.size(), 1000u);
  EXPECT_EQ(bytes.substr(0, 5), "%PDF-");

  std::string text;
  ASSERT_EQ(zhanqun::testing::Run({"/usr/bin/pdftotext", "-enc", "UTF-8", pdf, "-"}, &text), 0)
      << text;
  EXPECT_NE(text.find("网站群运维月度巡检报告"), std::string::npos) << text.substr(0, 500);
  EXPECT_NE(text.find("巡检人"), std::string::npos);
  EXPECT_NE(text.find("审核人"), std::string::npos);
  // pdftotext drops the spaces between CJK and digits: "第1页/共4页".
  std::string compact;
  for (char ch : text) {
    if (ch != ' ') compact += ch;
  }
  EXPECT_NE(compact.find("第1页/共"), std::string::npos) << "page numbers";
  EXPECT_NE(text.find("服务器运行状态"), std::string::npos);

  std::string prefix = d.dir.path() + "/page";
  ASSERT_EQ(zhanqun::testing::Run({"/usr/bin/pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1",
                                   "-singlefile", pdf, prefix},
                                  &out),
            0)
      << out;
  cairo_surface_t* png = cairo_image_surface_create_from_png((prefix + ".png").c_str());
  ASSERT_EQ(cairo_surface_status(png), CAIRO_STATUS_SUCCESS);
  int w = cairo_image_surface_get_width(png), h = cairo_image_surface_get_height(png);
  int stride = cairo_image_surface_get_stride(png);
  EXPECT_GT(w, 400);
  EXPECT_GT(h, 600);  // A4 portrait
  const unsigned char* data = cairo_image_surface_get_data(png);
  int64_t ink = 0, colour = 0;
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      uint32_t px = *reinterpret_cast<const uint32_t*>(data + y * stride + x * 4);
      int r = (px >> 16) & 255, g = (px >> 8) & 255, b = px & 255;
      if (r < 200 || g < 200 || b < 200) ++ink;
      if (std::abs(r - g) > 60 || std::abs(g - b) > 60) ++colour;  // the charts
    }
  }
  cairo_surface_destroy(png);
  EXPECT_GT(ink, static_cast<int64_t>(w) * h / 100) << "page 1 is (nearly) blank";
  EXPECT_GT(colour, 200) << "no coloured chart on page 1";

  std::string info;
  ASSERT_EQ(zhanqun::testing::Run({"/usr/bin/pdfinfo", pdf}, &info), 0);
  EXPECT_NE(info.find("595.28 x 841.89"), std::string::npos) << info;  // A4 in points
}

// Checks flip on crafted conditions: a tiny disk threshold, a stale scheduled
// article, a site changed after its last publish.
TEST(Inspect, CraftedConditionsFlipChecks) {
  TempDir dir;
  app::OpenOptions o;
  o.data_dir = dir.path();
  std::string db = FreshDatabaseUrl();
  if (!db.empty()) o.overrides["database.url"] = db;
  o.overrides["inspect.disk_warn_percent"] = "1";
  o.overrides["inspect.disk_fail_percent"] = "100";
  auto p = app::Platform::Open(o);
  ASSERT_TRUE(p) << p.error().message << p.error().internal;
  auto& platform = **p;
  ASSERT_TRUE(platform.service().Bootstrap("测试区"));

  auto server = inspect::ServerChecks(platform.config());
  const auto* disk = Find(server, "server.disk_space");
  ASSERT_NE(disk, nullptr);
  EXPECT_EQ(disk->status, "warn") << disk->value;  // any used space is >= 1%
  config::Config relaxed = platform.config();
  relaxed.inspect.disk_warn_percent = 100;
  relaxed.inspect.disk_fail_percent = 100;
  EXPECT_EQ(Find(inspect::ServerChecks(relaxed), "server.disk_space")->status, "ok");

  int64_t now = platform.service().Now();
  auto app = inspect::ApplicationChecks(platform.config(), platform.service(), now);
  EXPECT_EQ(Find(app, "application.publish_lag_articles")->status, "ok");

  // A site with an approved article whose scheduled time passed an hour ago,
  // with no scheduler running to publish it.
  auto st = platform.service().db().Write([&](store::Conn& c) -> Status {
    ZQ_TRY(c.Exec("INSERT INTO sites (code, name, created_at, updated_at) VALUES (?, ?, ?, ?)",
                  {std::string("lag"), std::string("滞后小学"), now, now}));
    ZQ_ASSIGN_OR_RETURN(int64_t site, c.QueryInt("SELECT id FROM sites WHERE code = 'lag'"));
    ZQ_TRY(c.Exec(
        "INSERT INTO columns (site_id, name, slug, type, created_at, updated_at) VALUES (?, ?, ?, "
        "'list', ?, ?)",
        {site, std::string("通知公告"), std::string("notice"), now, now}));
    ZQ_ASSIGN_OR_RETURN(int64_t col, c.QueryInt("SELECT id FROM columns WHERE slug = 'notice'"));
    ZQ_TRY(
        c.Exec("INSERT INTO articles (site_id, column_id, title, status, publish_at, created_at, "
               "updated_at) VALUES (?, ?, ?, 'approved', ?, ?, ?)",
               {site, col, std::string("期末考试安排"), now - 3600 * 1000, now - 7200 * 1000,
                now - 7200 * 1000}));
    return {};
  });
  ASSERT_TRUE(st) << st.error().message << st.error().internal;
  app = inspect::ApplicationChecks(platform.config(), platform.service(), now);
  const auto* lag = Find(app, "application.publish_lag_articles");
  EXPECT_EQ(lag->status, "warn") << lag->value;
  EXPECT_EQ(lag->metric.value_or(0), 1);
  EXPECT_NE(lag->value.find("1 篇"), std::string::npos) << lag->value;
  const auto* sites = Find(app, "application.publish_lag_sites");
  EXPECT_EQ(sites->status, "warn") << sites->value;
  EXPECT_NE(sites->value.find("lag"), std::string::npos) << sites->value;
}

// A self-signed certificate valid for `days` more days, written as PEM.
void WriteCertificate(const std::string& path, long days) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  ASSERT_NE(key, nullptr);
  X509* x = X509_new();
  X509_set_version(x, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
  X509_gmtime_adj(X509_getm_notBefore(x), -86400);
  X509_gmtime_adj(X509_getm_notAfter(x), days * 86400 + 3600);
  X509_set_pubkey(x, key);
  X509_NAME* name = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("school.example.edu.cn"), -1,
                             -1, 0);
  X509_set_issuer_name(x, name);
  ASSERT_GT(X509_sign(x, key, EVP_sha256()), 0);
  FILE* f = fopen(path.c_str(), "w");
  ASSERT_NE(f, nullptr);
  PEM_write_X509(f, x);
  fclose(f);
  X509_free(x);
  EVP_PKEY_free(key);
}

// A certificate in [inspect] tls_certificates: ok far from expiry, warn
// inside cert_warn_days, fail inside cert_fail_days; an unreadable file fails.
TEST(Inspect, CertificateExpiryFlipsTheTlsCheck) {
  TempDir dir;
  auto db = store::Db::Open({"sqlite:" + dir.path() + "/t.db"});
  ASSERT_TRUE(db);
  config::Config cfg;
  cfg.data_dir = dir.path();
  cfg.server.admin_listen = {"127.0.0.1", 1};
  cfg.server.public_listen = {"127.0.0.1", 1};
  std::string pem = dir.path() + "/site.pem";
  cfg.inspect.tls_certificates = pem;
  for (auto [days, want] : {std::pair{400L, "ok"}, {20L, "warn"}, {3L, "fail"}}) {
    ASSERT_NO_FATAL_FAILURE(WriteCertificate(pem, days));
    auto checks = inspect::MiddlewareChecks(cfg, **db);
    const auto* c = Find(checks, "middleware.tls_certificates");
    ASSERT_NE(c, nullptr);
    EXPECT_EQ(c->status, want) << days << " days: " << c->value;
    EXPECT_NE(c->value.find(pem), std::string::npos) << c->value;
    EXPECT_NEAR(c->metric.value_or(-1), static_cast<double>(days), 1.0);
  }
  cfg.inspect.tls_certificates = pem + "," + dir.path() + "/missing.pem";
  auto checks = inspect::MiddlewareChecks(cfg, **db);
  const auto* c = Find(checks, "middleware.tls_certificates");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->status, "fail") << c->value;
  EXPECT_NE(c->value.find("missing.pem 无法读取"), std::string::npos) << c->value;
}

// A SQLite file with a damaged table page: integrity_check and quick_check fail.
TEST(Inspect, CorruptedSqliteFileFailsTheIntegrityChecks) {
  TempDir dir;
  std::string path = dir.path() + "/broken.db";
  {
    auto db = store::Db::Open({"sqlite:" + path});
    ASSERT_TRUE(db) << db.error().internal;
    auto st = (*db)->Write([](store::Conn& c) -> Status {
      ZQ_TRY(
          c.ExecScript("CREATE TABLE filler (id INTEGER PRIMARY KEY, t TEXT NOT NULL);"
                       "CREATE INDEX ix_filler_t ON filler(t);"));
      for (int i = 0; i < 3000; ++i) {
        ZQ_TRY(c.Exec("INSERT INTO filler (t) VALUES (?)",
                      {std::string(150, static_cast<char>('a' + i % 26)) + std::to_string(i)}));
      }
      return {};
    });
    ASSERT_TRUE(st);
    config::Config cfg;
    cfg.data_dir = dir.path();
    cfg.database.url = "sqlite:" + path;
    auto checks = inspect::DatabaseChecks(cfg, **db);
    EXPECT_EQ(Find(checks, "database.integrity_check")->status, "ok");
    EXPECT_EQ(Find(checks, "database.quick_check")->status, "ok");
  }  // closing the last connection checkpoints the WAL into the file
  {
    auto size = fs::file_size(path);
    ASSERT_GT(size, 200000u);
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    // Scribble over the middle of a few pages (never page 1, the schema).
    for (uint64_t off : {size / 2, size / 3, size * 2 / 3}) {
      f.seekp(static_cast<std::streamoff>((off / 4096) * 4096 + 8));
      std::string junk(3000, '\xA5');
      f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
    }
  }
  auto db = store::Db::Open({"sqlite:" + path});
  ASSERT_TRUE(db) << db.error().internal;
  config::Config cfg;
  cfg.data_dir = dir.path();
  cfg.database.url = "sqlite:" + path;
  auto checks = inspect::DatabaseChecks(cfg, **db);
  for (const char* id : {"database.integrity_check", "database.quick_check"}) {
    const auto* c = Find(checks, id);
    ASSERT_NE(c, nullptr) << id;
    EXPECT_EQ(c->status, "fail") << id << ": " << c->value;
    EXPECT_NE(c->advice.find("备份"), std::string::npos) << c->advice;
  }
}

// Through the API: a manual run is audited, a second run compares with the
// first, both reports render; the auditor reads, only the sysadmin runs.
TEST(Inspect, SecondRunComparesWithTheFirstThroughTheApi) {
  TestPlatform tp;
  Client sys = tp.As("sysadmin");
  Client aud = tp.As("auditor");
  auto first = sys.Post("/api/v1/inspections", json::object());
  ASSERT_EQ(first.status, 201) << first.body;
  json a = first.Json();
  EXPECT_TRUE(a["previous"].is_null());
  // The platform is running: its own listeners answer, its scheduler beats.
  int running = 0;
  for (const auto& c : a["checks"]) {
    if (c["id"] == "middleware.admin_listener" || c["id"] == "middleware.public_listener" ||
        c["id"] == "application.scheduler") {
      EXPECT_EQ(c["status"], "ok") << c.dump();
      ++running;
    }
  }
  EXPECT_EQ(running, 3);

  auto second = sys.Post("/api/v1/inspections", json::object());
  ASSERT_EQ(second.status, 201) << second.body;
  json b = second.Json();
  ASSERT_TRUE(b["previous"].is_object()) << b["previous"].dump();
  EXPECT_EQ(b["previous"]["id"], a["id"]);
  int compared = 0;
  for (const auto& c : b["checks"]) {
    ASSERT_TRUE(c["previous"].is_object()) << c.dump();
    EXPECT_TRUE(c["changed"].is_boolean());
    ++compared;
  }
  EXPECT_GE(compared, 30);

  auto list = aud.Get("/api/v1/inspections");
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(list.Json()["total"], 2);
  EXPECT_EQ(list.Json()["items"][0]["id"], b["id"]);

  std::string id = std::to_string(b["id"].get<int64_t>());
  auto got = aud.Get("/api/v1/inspections/" + id);
  ASSERT_EQ(got.status, 200);
  EXPECT_EQ(got.Json()["checks"].size(), b["checks"].size());

  auto html = aud.Get("/api/v1/inspections/" + id + "/report.html");
  ASSERT_EQ(html.status, 200);
  EXPECT_EQ(html.headers["content-type"].rfind("text/html", 0), 0u);
  for (const char* s : {"网站群运维月度巡检报告", "二、与上月对比", "对比对象", "巡检人", "审核人",
                        "数据安全", "测试区"}) {
    EXPECT_NE(html.body.find(s), std::string::npos) << s;
  }
  EXPECT_EQ(html.body.find("<script"), std::string::npos);
  EXPECT_EQ(html.body.find("http://"), std::string::npos) << "self-contained";

  auto pdf = sys.Get("/api/v1/inspections/" + id + "/report.pdf");
  ASSERT_EQ(pdf.status, 200);
  EXPECT_EQ(pdf.headers["content-type"], "application/pdf");
  EXPECT_EQ(pdf.body.substr(0, 5), "%PDF-");

  EXPECT_EQ(aud.Post("/api/v1/inspections", json::object()).status, 403);
  EXPECT_EQ(tp.As("secadmin").Get("/api/v1/inspections").status, 403);
  EXPECT_EQ(sys.Get("/api/v1/inspections/987654").status, 404);

  auto audit = aud.Get("/api/v1/audit?action=inspection.run");
  ASSERT_EQ(audit.status, 200) << audit.body;
  EXPECT_EQ(audit.Json()["total"], 2) << audit.body;
}

// The scheduler's monthly run: due once the configured day and time passed,
// stored as kind "schedule", not repeated within the month.
TEST(Inspect, MonthlyScheduleRunsOncePerMonth) {
  TempDir dir;
  app::OpenOptions o;
  o.data_dir = dir.path();
  std::string db = FreshDatabaseUrl();
  if (!db.empty()) o.overrides["database.url"] = db;
  o.overrides["inspect.schedule_day"] = "1";
  o.overrides["inspect.schedule_time"] = "00:00";
  auto p = app::Platform::Open(o);
  ASSERT_TRUE(p) << p.error().message;
  auto& platform = **p;
  ASSERT_TRUE(platform.service().Bootstrap("测试区"));
  int64_t now = platform.service().Now();
  auto due = inspect::DueTime(platform.config().inspect, now);
  ASSERT_TRUE(due);
  ASSERT_LE(*due, now);

  // Set up after this month's due time: nothing is owed until next month.
  auto none = platform.inspector().RunIfDue(now);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->is_null());

  // Installed before it: the run is due, stored once.
  auto st = platform.service().db().Write([&](store::Conn& c) -> Status {
    ZQ_TRY(c.Exec("UPDATE departments SET created_at = ?", {*due - 86400000}));
    return {};
  });
  ASSERT_TRUE(st);
  auto ran = platform.inspector().RunIfDue(now);
  ASSERT_TRUE(ran) << ran.error().internal;
  ASSERT_TRUE(ran->is_object());
  EXPECT_EQ((*ran)["kind"], "schedule");
  auto again = platform.inspector().RunIfDue(now + 60000);
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->is_null());
  auto list = platform.inspector().List(10);
  ASSERT_TRUE(list);
  EXPECT_EQ((*list)["total"], 1);

  config::InspectConfig off;
  off.schedule_day = 0;
  EXPECT_FALSE(inspect::DueTime(off, now));
}

}  // namespace
}  // namespace zhanqun::testing
