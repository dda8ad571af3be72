#include "core/text.h"
#include "service/internal.h"

namespace zhanqun::service::internal {
namespace {

json OptInt(const Row& r, const char* name) {
  return r.IsNull(name) ? json(nullptr) : json(r.Int(name));
}

}  // namespace

json UserJson(const Row& r) {
  return {
      {"id", r.Int("id")},
      {"username", r.Text("username")},
      {"display_name", r.Text("display_name")},
      {"department_id", OptInt(r, "department_id")},
      {"platform_role", r.IsNull("platform_role") ? json(nullptr) : json(r.Text("platform_role"))},
      {"must_change_password", r.Int("must_change_password") != 0},
      {"failed_logins", r.Int("failed_logins")},
      {"locked_until", r.Int("locked_until")},
      {"status", r.Text("status")},
      {"expires_at", OptInt(r, "expires_at")},
      {"email", r.Text("email")},
      {"phone", r.Text("phone")},
      {"password_changed_at", r.Int("password_changed_at")},
      {"last_login_at", OptInt(r, "last_login_at")},
      {"last_login_ip", r.Text("last_login_ip")},
      {"created_at", r.Int("created_at")},
      {"updated_at", r.Int("updated_at")}};
}

json SiteJson(const Row& r, const std::vector<std::string>& domains) {
  return {{"id", r.Int("id")},
          {"school_id", OptInt(r, "school_id")},
          {"code", r.Text("code")},
          {"name", r.Text("name")},
          {"domains", domains},
          {"theme", r.Text("theme")},
          {"status", r.Text("status")},
          {"site_id_code", r.Text("site_id_code")},
          {"icp", r.Text("icp")},
          {"police_record", r.Text("police_record")},
          {"sponsor", r.Text("sponsor")},
          {"contact_name", r.Text("contact_name")},
          {"contact_phone", r.Text("contact_phone")},
          {"contact_email", r.Text("contact_email")},
          {"created_at", r.Int("created_at")},
          {"updated_at", r.Int("updated_at")}};
}

json ColumnJson(const Row& r) {
  return {{"id", r.Int("id")},
          {"site_id", r.Int("site_id")},
          {"parent_id", OptInt(r, "parent_id")},
          {"name", r.Text("name")},
          {"slug", r.Text("slug")},
          {"type", r.Text("type")},
          {"update_class", r.Text("update_class")},
          {"link_url", r.Text("link_url")},
          {"description", r.Text("description")},
          {"keywords", r.Text("keywords")},
          {"sort_order", r.Int("sort_order")},
          {"visible", r.Int("visible") != 0},
          {"created_at", r.Int("created_at")},
          {"updated_at", r.Int("updated_at")}};
}

json ArticleJson(const Row& r, bool with_body) {
  json j = {{"id", r.Int("id")},
            {"site_id", r.Int("site_id")},
            {"column_id", r.Int("column_id")},
            {"title", r.Text("title")},
            {"subtitle", r.Text("subtitle")},
            {"author", r.Text("author")},
            {"source", r.Text("source")},
            {"summary", r.Text("summary")},
            {"cover_media_id", OptInt(r, "cover_media_id")},
            {"status", r.Text("status")},
            {"pinned", r.Int("pinned") != 0},
            {"sort_order", r.Int("sort_order")},
            {"publish_at", OptInt(r, "publish_at")},
            {"published_at", OptInt(r, "published_at")},
            {"created_by", OptInt(r, "created_by")},
            {"updated_by", OptInt(r, "updated_by")},
            {"submitted_by", OptInt(r, "submitted_by")},
            {"reviewed_by", OptInt(r, "reviewed_by")},
            {"review_comment", r.Text("review_comment")},
            {"version", r.Int("version")},
            {"created_at", r.Int("created_at")},
            {"updated_at", r.Int("updated_at")}};
  if (with_body) j["body"] = r.Text("body");
  return j;
}

json MediaJson(const Row& r) {
  return {{"id", r.Int("id")},
          {"site_id", r.Int("site_id")},
          {"hash", r.Text("hash")},
          {"filename", r.Text("filename")},
          {"mime", r.Text("mime")},
          {"size", r.Int("size")},
          {"alt", r.Text("alt")},
          {"width", OptInt(r, "width")},
          {"height", OptInt(r, "height")},
          {"uploaded_by", OptInt(r, "uploaded_by")},
          {"created_at", r.Int("created_at")},
          {"url", MediaUrl(r.Text("hash"), r.Text("mime"), r.Text("filename"))}};
}

Result<Row> LoadSite(Conn& c, int64_t id) {
  return c.QueryOne(std::string("SELECT ") + kSiteCols + " FROM sites WHERE id = ?", {id}, "站点");
}

Result<std::vector<std::string>> LoadDomains(Conn& c, int64_t site_id) {
  auto rows = c.Query("SELECT domain FROM site_domains WHERE site_id = ? ORDER BY position, domain",
                      {site_id});
  if (!rows) return Fail(std::move(rows.error()));
  std::vector<std::string> out;
  for (const auto& r : *rows) out.push_back(r.Text("domain"));
  return out;
}

Status CanReadSite(const Principal& p, int64_t site_id) {
  if (p.IsSysadmin() || p.HasSite(site_id)) return {};
  return Fail(Error::Forbidden("没有权限访问该站点"));
}

Status CanManageSite(const Principal& p, int64_t site_id) {
  if (p.IsSysadmin() || p.HasRole(site_id, SiteRole::kSiteAdmin)) return {};
  return Fail(Error::Forbidden("只有系统管理员或站点管理员可以修改站点结构"));
}

json Diff(const json& before, const json& after) {
  json b = json::object(), a = json::object();
  for (auto it = after.begin(); it != after.end(); ++it) {
    auto old = before.find(it.key());
    if (old == before.end() || *old != it.value()) {
      a[it.key()] = it.value();
      b[it.key()] = old == before.end() ? json(nullptr) : *old;
    }
  }
  return {{"before", b}, {"after", a}};
}

Result<Row> LoadUser(Conn& c, int64_t id) {
  return c.QueryOne(std::string("SELECT ") + kUserCols + " FROM users WHERE id = ?", {id}, "用户");
}

Status LoadGrants(Conn& c, Principal& p) {
  auto rows = c.Query("SELECT site_id, column_id, role FROM grants WHERE user_id = ?", {p.user_id});
  if (!rows) return Fail(std::move(rows.error()));
  p.grants.clear();
  for (const auto& r : *rows) {
    auto role = ParseSiteRole(r.Text("role"));
    if (!role) continue;
    p.grants.push_back(Grant{r.Int("site_id"), r.OptInt("column_id"), *role});
  }
  return {};
}

}  // namespace zhanqun::service::internal
