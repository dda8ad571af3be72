#include "service/demo.h"

#include <random>
#include <sstream>

#include "security/password.h"
#include "service/internal.h"

namespace zhanqun::service {

using namespace internal;

namespace {

constexpr const char* kDemoPassword = "Zq-Demo-2026!";

struct SchoolKind {
  const char* type;
  const char* suffix;
  const char* code;
};

constexpr SchoolKind kKinds[] = {{"kindergarten", "幼儿园", "kg"}, {"primary", "小学", "ps"},
                                 {"middle", "中学", "ms"},         {"nine_year", "学校", "ny"},
                                 {"high", "高级中学", "hs"},       {"primary", "实验小学", "es"}};

constexpr const char* kPlaces[] = {"春申", "莘庄", "七宝", "古美", "梅陇", "颛桥", "华漕",
                                   "虹桥", "马桥", "吴泾", "浦江", "江川", "新虹", "航华",
                                   "龙柏", "平阳", "田园", "罗阳", "景谷", "明强"};

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

constexpr const char* kTopics[] = {"开学典礼", "家长会",   "科技节",   "运动会",   "读书节",
                                   "教研活动", "安全教育", "志愿服务", "艺术展演", "心理健康周"};

}  // namespace

Result<std::string> CreateDemo(Service& service, int sites, uint64_t seed) {
  std::ostringstream out;
  ZQ_ASSIGN_OR_RETURN(auto created, service.Bootstrap("示范区教育局"));
  std::mt19937_64 rng(seed);
  // Act as the platform's 系统管理员 for structure.
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

  for (int i = 0; i < sites; ++i) {
    const SchoolKind& kind = kKinds[i % std::size(kKinds)];
    std::string place = kPlaces[(i / std::size(kKinds) + i) % std::size(kPlaces)];
    std::string code = std::string(kind.code) + std::to_string(101 + i);
    std::string school_name = "闵行区" + place + kind.suffix;
    ZQ_ASSIGN_OR_RETURN(json school, service.CreateDepartment(admin, {{"name", school_name},
                                                                      {"kind", "school"},
                                                                      {"parent_id", district},
                                                                      {"code", code},
                                                                      {"school_type", kind.type},
                                                                      {"sort_order", i}}));
    ZQ_ASSIGN_OR_RETURN(
        json site,
        service.CreateSite(
            admin, {{"code", code},
                    {"name", school_name},
                    {"domains", {code + ".demo.test"}},
                    {"school_id", school["id"]},
                    {"theme", i % 2 == 0 ? "qingsong" : "mingde"},
                    {"site_id_code", "31011200" + std::to_string(10 + i)},
                    {"icp", "沪ICP备" + std::to_string(10000000 + i) + "号-1"},
                    {"police_record", "沪公网安备 310112020" + std::to_string(10000 + i) + "号"},
                    {"sponsor", school_name},
                    {"contact_phone", "021-6" + std::to_string(4100000 + i)}}));
    int64_t site_id = site["id"];
    std::vector<int64_t> list_columns;
    for (const auto& col : kColumns) {
      ZQ_ASSIGN_OR_RETURN(json c, service.CreateColumn(admin, site_id,
                                                       {{"name", col.name},
                                                        {"slug", col.slug},
                                                        {"type", col.type},
                                                        {"update_class", col.update_class}}));
      if (std::string(col.type) == "list") list_columns.push_back(c["id"]);
    }
    Principal editor, reviewer;
    for (const char* role : {"admin", "editor", "reviewer"}) {
      std::string uname = code + "." + role;
      ZQ_ASSIGN_OR_RETURN(
          json u, service.CreateUser(admin, {{"username", uname},
                                             {"display_name", school_name + "（" + role + "）"},
                                             {"department_id", school["id"]}}));
      int64_t uid = u["user"]["id"];
      std::string grant_role = std::string(role) == "admin" ? "site_admin" : role;
      ZQ_TRY(service.AddGrant(admin, uid, {{"site_id", site_id}, {"role", grant_role}}));
      // Demo accounts get a known password and no forced change.
      ZQ_TRY(service.db().Write([&](Conn& c) -> Status {
        return c
            .Exec("UPDATE users SET password_hash = ?, must_change_password = 0 WHERE id = ?",
                  {demo_hash, uid})
            .map([](int64_t) {});
      }));
      Principal pr;
      pr.user_id = uid;
      pr.username = uname;
      pr.ip = "demo";
      pr.grants.push_back(Grant{site_id, std::nullopt, *ParseSiteRole(grant_role)});
      if (std::string(role) == "editor") editor = pr;
      if (std::string(role) == "reviewer") reviewer = pr;
    }
    int per_column = 3 + static_cast<int>(rng() % 4);
    for (int64_t column_id : list_columns) {
      for (int k = 0; k < per_column; ++k) {
        std::string topic = kTopics[rng() % std::size(kTopics)];
        std::string title = school_name + "举行" + topic + "活动（" + std::to_string(k + 1) + "）";
        std::string body = "<p>" + school_name + "近日举行" + topic +
                           "活动，全校师生积极参与。</p><p>活动旨在促进学生全面发展，"
                           "营造良好的校园文化氛围。</p>";
        ZQ_ASSIGN_OR_RETURN(json a, service.CreateArticle(editor, site_id,
                                                          {{"column_id", column_id},
                                                           {"title", title},
                                                           {"author", "校办"},
                                                           {"source", school_name},
                                                           {"body", body}}));
        int64_t aid = a["id"];
        ZQ_TRY(service.ArticleAction(editor, aid, "submit", json::object()));
        ZQ_TRY(service.ArticleAction(reviewer, aid, "approve", json::object()));
        ZQ_TRY(service.ArticleAction(reviewer, aid, "publish", json::object()));
      }
    }
    out << "站点 " << code << "  " << school_name << "  http://" << code << ".demo.test\n";
  }
  if (!created.empty()) {
    out << "\n三员账号（一次性密码，首次登录须修改）：\n";
    for (const auto& [name, pw] : created) out << "  " << name << "  " << pw << "\n";
  }
  out << "\n演示账号：<站点代码>.admin / .editor / .reviewer，密码 " << kDemoPassword << "\n";
  return out.str();
}

}  // namespace zhanqun::service
