#include "service/demo.h"

#include <zlib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>

#include "security/password.h"
#include "service/internal.h"

namespace zhanqun::service {

using namespace internal;
namespace fs = std::filesystem;

namespace {

constexpr const char* kDemoPassword = "Zq-Demo-2026!";
// Content dates are laid out backwards from this day (2026-11-20 09:00
// Shanghai), not from the clock, so the same seed gives the same sites.
constexpr int64_t kBaseMs = 1795654800000;
constexpr int64_t kDayMs = 24 * 3600 * 1000;

struct SchoolKind {
  const char* type;
  const char* suffix;
  const char* code;
};

constexpr SchoolKind kKinds[] = {{"kindergarten", "幼儿园", "kg"}, {"primary", "小学", "ps"},
                                 {"primary", "实验小学", "es"},    {"middle", "中学", "ms"},
                                 {"middle", "初级中学", "jm"},     {"nine_year", "学校", "ny"},
                                 {"high", "高级中学", "hs"},       {"complete", "完全中学", "cs"}};

constexpr const char* kPlaces[] = {"春申", "莘庄",   "七宝", "古美", "梅陇", "颛桥", "华漕", "虹桥",
                                   "马桥", "吴泾",   "浦江", "江川", "新虹", "航华", "龙柏", "平阳",
                                   "田园", "罗阳",   "景谷", "明强", "文来", "闵行", "鹤北", "北桥",
                                   "紫竹", "召稼楼", "君莲", "碧江", "汇丰", "莲花"};

struct ColumnSpec {
  const char* name;
  const char* slug;
  const char* type;
  const char* update_class;
};

constexpr ColumnSpec kColumns[] = {
    {"学校概况", "about", "page", "static"},     {"新闻动态", "news", "list", "news"},
    {"通知公告", "notices", "list", "notice"},   {"教育教学", "teaching", "list", "news"},
    {"德育工作", "moral", "list", "news"},       {"党建工作", "party", "list", "news"},
    {"招生信息", "admission", "list", "notice"}, {"信息公开", "disclosure", "list", "planning"}};

constexpr const char* kTopics[] = {"开学典礼", "家长开放日", "科技节",   "秋季运动会", "读书节",
                                   "教研活动", "安全教育",   "志愿服务", "艺术展演",   "心理健康周",
                                   "劳动教育", "主题班会",   "消防演练", "研学旅行",   "体育节"};

constexpr const char* kSentences[] = {"全校师生积极参与，活动现场气氛热烈。",
                                      "活动旨在促进学生全面发展，营造良好的校园文化氛围。",
                                      "学校领导出席并讲话，对下一阶段工作提出了要求。",
                                      "各年级结合学段特点精心组织，内容丰富、形式多样。",
                                      "家长代表也参加了活动，对学校的工作给予充分肯定。",
                                      "本次活动进一步增强了学生的责任意识和团队合作精神。",
                                      "学校将继续深化课程改革，推动教育教学质量稳步提升。"};

// A small PNG: a two-colour banner. Written by hand (zlib for the data) so
// the demo needs no image library.
std::string Png(int w, int h, uint8_t r1, uint8_t g1, uint8_t b1, uint8_t r2, uint8_t g2,
                uint8_t b2) {
  std::string raw;
  for (int y = 0; y < h; ++y) {
    raw.push_back(0);
    for (int x = 0; x < w; ++x) {
      double t = static_cast<double>(x + y) / (w + h);
      raw.push_back(static_cast<char>(r1 + (r2 - r1) * t));
      raw.push_back(static_cast<char>(g1 + (g2 - g1) * t));
      raw.push_back(static_cast<char>(b1 + (b2 - b1) * t));
    }
  }
  uLongf zlen = compressBound(raw.size());
  std::string z(zlen, '\0');
  compress2(reinterpret_cast<Bytef*>(z.data()), &zlen, reinterpret_cast<const Bytef*>(raw.data()),
            raw.size(), 9);
  z.resize(zlen);
  auto be32 = [](uint32_t v) {
    std::string s(4, '\0');
    s[0] = static_cast<char>(v >> 24);
    s[1] = static_cast<char>(v >> 16);
    s[2] = static_cast<char>(v >> 8);
    s[3] = static_cast<char>(v);
    return s;
  };
  auto chunk = [&](const char* type, const std::string& data) {
    std::string body = std::string(type, 4) + data;
    uint32_t crc = crc32(0, reinterpret_cast<const Bytef*>(body.data()), body.size());
    return be32(static_cast<uint32_t>(data.size())) + body + be32(crc);
  };
  std::string ihdr = be32(w) + be32(h) + std::string("\x08\x02\x00\x00\x00", 5);
  return std::string("\x89PNG\r\n\x1a\n", 8) + chunk("IHDR", ihdr) + chunk("IDAT", z) +
         chunk("IEND", "");
}

}  // namespace

Result<std::string> CreateDemo(Service& service, int sites, uint64_t seed, int news_articles) {
  std::ostringstream out;
  ZQ_ASSIGN_OR_RETURN(auto created, service.Bootstrap("闵行区教育局"));
  std::mt19937_64 rng(seed);
  Principal admin;
  auto loaded = service.db().ReadValue<Row>([](Conn& c) {
    return c.QueryOne("SELECT id, department_id FROM users WHERE platform_role = 'sysadmin'", {},
                      "系统管理员");
  });
  if (!loaded) return Fail(std::move(loaded.error()));
  admin.user_id = loaded->Int("id");
  admin.username = "sysadmin";
  admin.platform_role = "sysadmin";
  admin.ip = "demo";
  int64_t district = loaded->Int("department_id");
  ZQ_ASSIGN_OR_RETURN(std::string demo_hash, security::HashPassword(kDemoPassword));
  fs::path tmp = fs::path(service.options().data_dir) / "tmp";
  fs::create_directories(tmp);

  // About 60 schools for 70 sites: every seventh school also runs a second site.
  std::set<std::string> used_names;
  int site_no = 0, articles = 0;
  for (int s = 0; site_no < sites; ++s) {
    const SchoolKind& kind = kKinds[rng() % std::size(kKinds)];
    std::string name;
    for (int tries = 0; tries < 100; ++tries) {
      name = std::string("闵行区") + kPlaces[rng() % std::size(kPlaces)] + kind.suffix;
      if (tries > 20) name += std::string("（") + std::to_string(tries) + "）";
      if (used_names.insert(name).second) break;
    }
    std::string school_code = std::string(kind.code) + std::to_string(101 + s);
    ZQ_ASSIGN_OR_RETURN(json school, service.CreateDepartment(admin, {{"name", name},
                                                                      {"kind", "school"},
                                                                      {"parent_id", district},
                                                                      {"code", school_code},
                                                                      {"school_type", kind.type},
                                                                      {"sort_order", s}}));
    int site_count = (s % 7 == 6 && site_no + 2 <= sites) ? 2 : 1;
    for (int k = 0; k < site_count; ++k, ++site_no) {
      std::string code = k == 0 ? school_code : school_code + "-dj";
      std::string site_name = k == 0 ? name : name + "党建网";
      ZQ_ASSIGN_OR_RETURN(
          json site, service.CreateSite(
                         admin, {{"code", code},
                                 {"name", site_name},
                                 {"domains", {code + ".demo.test", "www." + code + ".demo.test"}},
                                 {"school_id", school["id"]},
                                 {"theme", site_no % 2 == 0 ? "qingsong" : "mingde"},
                                 {"site_id_code", "31011200" + std::to_string(10 + site_no)},
                                 {"icp", "沪ICP备" + std::to_string(10000000 + site_no) + "号-1"},
                                 {"police_record",
                                  "沪公网安备 310112020" + std::to_string(10000 + site_no) + "号"},
                                 {"sponsor", name},
                                 {"contact_phone", "021-6" + std::to_string(4100000 + site_no)},
                                 {"contact_email", "office@" + code + ".demo.test"}}));
      int64_t site_id = site["id"];
      std::vector<std::pair<int64_t, std::string>> list_columns;
      int64_t about = 0;
      for (const auto& col : kColumns) {
        ZQ_ASSIGN_OR_RETURN(
            json c, service.CreateColumn(admin, site_id,
                                         {{"name", col.name},
                                          {"slug", col.slug},
                                          {"type", col.type},
                                          {"update_class", col.update_class},
                                          {"description", std::string(col.name) + "栏目"}}));
        if (std::string(col.type) == "list")
          list_columns.emplace_back(c["id"], col.name);
        else
          about = c["id"];
      }
      Principal editor, reviewer;
      for (const char* role : {"admin", "editor", "reviewer"}) {
        std::string uname = code + "." + role;
        std::string grant_role = std::string(role) == "admin" ? "site_admin" : role;
        // Demo accounts share one known password and skip the forced change.
        int64_t now = service.Now();
        auto uid = service.db().WriteValue<int64_t>([&](Conn& c) -> Result<int64_t> {
          ZQ_ASSIGN_OR_RETURN(
              auto rows,
              c.Query("INSERT INTO users (username, display_name, department_id, password_hash, "
                      "password_changed_at, must_change_password, created_at, updated_at) VALUES "
                      "(?, ?, ?, "
                      "?, ?, 0, ?, ?) RETURNING id",
                      {uname, site_name + "·" + role, school["id"].get<int64_t>(), demo_hash, now,
                       now, now}));
          int64_t id = rows.front().Int("id");
          ZQ_TRY(AppendAudit(c, now, admin, "user.create", "user", std::to_string(id), "success",
                             {{"after", {{"username", uname}, {"demo", true}}}}));
          return id;
        });
        if (!uid) return Fail(std::move(uid.error()));
        ZQ_TRY(service.AddGrant(admin, *uid, {{"site_id", site_id}, {"role", grant_role}}));
        Principal pr;
        pr.user_id = *uid;
        pr.username = uname;
        pr.ip = "demo";
        pr.grants.push_back(Grant{site_id, std::nullopt, *ParseSiteRole(grant_role)});
        if (std::string(role) == "editor") editor = pr;
        if (std::string(role) == "reviewer") reviewer = pr;
      }
      // A cover image per site, used by some of its news.
      std::string png =
          Png(160, 90, static_cast<uint8_t>(rng() % 200), static_cast<uint8_t>(rng() % 200), 180,
              240, static_cast<uint8_t>(150 + rng() % 100), 200);
      fs::path img = tmp / ("demo-" + code + ".png");
      std::ofstream(img, std::ios::binary) << png;
      ZQ_ASSIGN_OR_RETURN(
          json media, service.AddMedia(editor, site_id, img.string(), "校园风景.png", "image/png",
                                       site_name + "校园风景"));
      std::error_code ec;
      fs::remove(img, ec);
      std::string img_url = "/_media/" + media["hash"].get<std::string>().substr(0, 2) + "/" +
                            media["hash"].get<std::string>() + ".png";
      auto publish = [&](int64_t column_id, const std::string& title, const std::string& body,
                         bool with_cover, int64_t at) -> Status {
        json in = {{"column_id", column_id},
                   {"title", title},
                   {"author", "校办"},
                   {"source", site_name},
                   {"body", body}};
        if (with_cover) in["cover_media_id"] = media["id"];
        ZQ_ASSIGN_OR_RETURN(json a, service.CreateArticle(editor, site_id, in));
        int64_t aid = a["id"];
        ZQ_TRY(service.ArticleAction(editor, aid, "submit", json::object()));
        ZQ_TRY(service.ArticleAction(reviewer, aid, "approve", json::object()));
        ZQ_TRY(service.ArticleAction(reviewer, aid, "publish", json::object()));
        ++articles;
        // Its last change too (the sitemap's lastmod): the clock's day would
        // make the same seed publish different bytes on another day.
        return service.db().Write([&](Conn& c) -> Status {
          return c
              .Exec("UPDATE articles SET published_at = ?, updated_at = ? WHERE id = ?",
                    {at, at, aid})
              .map([](int64_t) {});
        });
      };
      ZQ_TRY(publish(
          about, site_name + "简介",
          "<p>" + site_name + "是闵行区的一所" + kind.suffix +
              "，学校坚持立德树人，"
              "办学特色鲜明。</p><h2>办学理念</h2><p>以人为本，和谐发展。</p>"
              "<table><caption>学校基本情况</caption><tr><th scope=\"row\">班级数</th><td>" +
              std::to_string(12 + rng() % 30) + "</td></tr><tr><th scope=\"row\">教职工</th><td>" +
              std::to_string(40 + rng() % 120) + "</td></tr></table>",
          false, kBaseMs - 300 * kDayMs));
      // Every tenth site and the one after it (so both themes) has a long
      // 新闻动态, so that list pagination shows in the demo.
      const bool long_news = site_no % 10 < 2;
      for (const auto& [column_id, column_name] : list_columns) {
        int n = 4 + static_cast<int>(rng() % 9);
        if (long_news && column_name == "新闻动态") n += 20 + static_cast<int>(rng() % 10);
        if (news_articles > 0 && column_name == "新闻动态") n = news_articles;
        for (int a = 0; a < n; ++a) {
          std::string topic = kTopics[rng() % std::size(kTopics)];
          std::string title =
              column_name == "通知公告" || column_name == "招生信息"
                  ? "关于" + topic + "的通知"
                  : site_name + "举行" + topic + (topic.ends_with("活动") ? "" : "活动");
          std::string body =
              "<p>" + site_name + "近日举行" + topic + (topic.ends_with("活动") ? "。" : "活动。");
          for (int p = 0; p < 3; ++p) body += kSentences[rng() % std::size(kSentences)];
          body += "</p>";
          bool cover = column_name == "新闻动态" && a % 3 == 0;
          if (cover) body += "<p><img src=\"" + img_url + "\" alt=\"" + topic + "活动现场\"></p>";
          int64_t at = kBaseMs - static_cast<int64_t>(rng() % 330) * kDayMs -
                       static_cast<int64_t>(rng() % 8) * 3600 * 1000;
          ZQ_TRY(publish(column_id, title, body, cover, at));
        }
      }
      out << "站点 " << code << "  " << site_name << "  http://" << code << ".demo.test\n";
    }
  }
  out << "\n共 " << site_no << " 个站点，" << articles << " 篇信息\n";
  if (!created.empty()) {
    out << "\n三员账号（一次性密码，首次登录须修改）：\n";
    for (const auto& [name, pw] : created) out << "  " << name << "  " << pw << "\n";
  }
  out << "\n演示账号：<站点代码>.admin / .editor / .reviewer，密码 " << kDemoPassword << "\n";
  return out.str();
}

}  // namespace zhanqun::service
