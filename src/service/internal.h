// Helpers shared by the service's .cc files. Not part of the module contract.
#pragma once

#include <string>

#include "service/input.h"
#include "service/service.h"

namespace zhanqun::service::internal {

using store::Conn;
using store::Row;

json UserJson(const Row& r);
json SiteJson(const Row& r, const std::vector<std::string>& domains);
json ColumnJson(const Row& r);
json ArticleJson(const Row& r, bool with_body);
json MediaJson(const Row& r);

// Loads a site or returns NotFound.
Result<Row> LoadSite(Conn& c, int64_t id);
Result<std::vector<std::string>> LoadDomains(Conn& c, int64_t site_id);

// Read access to a site: sysadmin, or any grant on it.
Status CanReadSite(const Principal& p, int64_t site_id);
// Structure (site settings, columns): sysadmin or the site's 站点管理员.
Status CanManageSite(const Principal& p, int64_t site_id);

// The before/after of the fields that changed, for the audit detail.
json Diff(const json& before, const json& after);

Result<store::Row> LoadUser(Conn& c, int64_t id);
// Loads the grants of a user into a principal.
Status LoadGrants(Conn& c, Principal& p);

inline constexpr const char* kUserCols =
    "id, username, display_name, department_id, platform_role, password_changed_at, "
    "must_change_password, failed_logins, locked_until, status, expires_at, email, phone, "
    "last_login_at, last_login_ip, created_at, updated_at";

inline constexpr const char* kSiteCols =
    "id, school_id, code, name, theme, status, site_id_code, icp, police_record, sponsor, "
    "contact_name, contact_phone, contact_email, created_at, updated_at";

inline constexpr const char* kColumnCols =
    "id, site_id, parent_id, name, slug, type, update_class, link_url, description, keywords, "
    "sort_order, visible, created_at, updated_at";

inline constexpr const char* kArticleCols =
    "id, site_id, column_id, title, subtitle, author, source, body, summary, cover_media_id, "
    "status, pinned, sort_order, publish_at, published_at, created_by, updated_by, submitted_by, "
    "reviewed_by, review_comment, version, created_at, updated_at";
// The same without the body, for lists (a body may be 2 MB).
inline constexpr const char* kArticleListCols =
    "id, site_id, column_id, title, subtitle, author, source, summary, cover_media_id, "
    "status, pinned, sort_order, publish_at, published_at, created_by, updated_by, submitted_by, "
    "reviewed_by, review_comment, version, created_at, updated_at";

}  // namespace zhanqun::service::internal
