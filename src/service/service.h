// Business rules over the store: every state change is validated, checked
// against the caller's rights, written in one transaction with its audit
// entry, and nothing else. HTTP-neutral.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "security/password.h"
#include "service/events.h"
#include "store/db.h"

namespace zhanqun::service {

using json = nlohmann::json;

enum class SiteRole { kSiteAdmin, kEditor, kReviewer };

struct Grant {
  int64_t site_id = 0;
  std::optional<int64_t> column_id;  // nullopt: the whole site
  SiteRole role = SiteRole::kEditor;
};

// Who is calling. An anonymous principal has user_id 0.
struct Principal {
  int64_t user_id = 0;
  std::string username;
  std::string platform_role;  // "", "sysadmin", "secadmin", "auditor"
  int64_t department_id = 0;
  std::vector<Grant> grants;
  std::string ip;
  bool must_change_password = false;

  bool anonymous() const { return user_id == 0; }
  bool IsSysadmin() const { return platform_role == "sysadmin"; }
  bool IsSecadmin() const { return platform_role == "secadmin"; }
  bool IsAuditor() const { return platform_role == "auditor"; }
  // Any grant on the site (or on one of its columns).
  bool HasSite(int64_t site_id) const;
  // The role on the whole site, or on the given column when column_id is set.
  bool HasRole(int64_t site_id, SiteRole role, std::optional<int64_t> column_id = {}) const;
  // The role on the whole site or on at least one of its columns.
  bool HasRoleSomewhere(int64_t site_id, SiteRole role) const;
  // The principal that the system itself acts as (CLI, scheduler).
  static Principal System(std::string what);
};

struct ServiceOptions {
  std::string data_dir;
  int session_idle_minutes = 30;
  security::PasswordPolicy default_policy;  // until the 安全管理员 changes it
  int audit_retention_days = 365;
  std::function<int64_t()> now_ms;  // injectable clock; wall clock when empty
  // Refuses a theme that does not exist or does not load (field "theme").
  std::function<Status(const std::string& theme)> check_theme;
  std::string default_theme = "qingsong";
};

struct LoginResult {
  std::string token;  // the session cookie value (only its hash is stored)
  std::string csrf;
  json user;
  bool password_change_required = false;
  std::string password_change_reason;  // "first_login", "reset", "expired"
};

struct Session {
  Principal principal;
  std::string csrf;
  std::string token_hash;
};

struct Page {
  int64_t page = 1;
  int64_t page_size = 20;
};

// A stored media file that a viewer may fetch on the admin listener.
struct MediaFile {
  std::string path;  // under data/media
  std::string mime;
};

struct AuditVerifyReport {
  bool ok = true;
  int64_t entries = 0;
  int64_t first_bad_seq = 0;
  std::string problem;  // "altered", "removed", "reordered", "truncated"
  std::string message;
};

class Service {
 public:
  Service(std::unique_ptr<store::Db> db, ServiceOptions options);
  ~Service();

  store::Db& db() { return *db_; }
  const ServiceOptions& options() const { return options_; }
  int64_t Now() const;

  // --- Bootstrap ------------------------------------------------------
  // Creates the district root and the three platform accounts if absent.
  // Returns username -> one-time password for accounts it created.
  Result<std::vector<std::pair<std::string, std::string>>> Bootstrap(std::string district_name);

  // --- Authentication -------------------------------------------------
  Result<LoginResult> Login(const std::string& username, const std::string& password,
                            const std::string& ip, const std::string& user_agent);
  // Resolves a session cookie; refreshes its idle timer. Unauthenticated when
  // missing, unknown or idle too long.
  Result<Session> Authenticate(const std::string& token, const std::string& ip);
  Status Logout(const Session& session);
  Status ChangeOwnPassword(const Session& session, const json& body);
  Result<json> Me(const Principal& p);

  // --- Security settings (安全管理员) --------------------------------
  Result<security::PasswordPolicy> Policy();
  Result<json> GetSecuritySettings(const Principal& p);
  Result<json> UpdateSecuritySettings(const Principal& p, const json& body);

  // --- Departments and schools ------------------------------------------
  Result<json> ListDepartments(const Principal& p);
  Result<json> CreateDepartment(const Principal& p, const json& body);

  // --- Sites ----------------------------------------------------------
  Result<json> ListSites(const Principal& p, const Page& page, const std::string& q);
  Result<json> GetSite(const Principal& p, int64_t id);
  Result<json> CreateSite(const Principal& p, const json& body);
  Result<json> UpdateSite(const Principal& p, int64_t id, const json& body);
  Status DeleteSite(const Principal& p, int64_t id);

  // --- Columns --------------------------------------------------------
  Result<json> ListColumns(const Principal& p, int64_t site_id);
  Result<json> CreateColumn(const Principal& p, int64_t site_id, const json& body);
  Result<json> UpdateColumn(const Principal& p, int64_t column_id, const json& body);
  Status DeleteColumn(const Principal& p, int64_t column_id);
  // Moves several columns in one transaction; refused whole on a cycle or a
  // column of another site.
  Result<json> ReorderColumns(const Principal& p, int64_t site_id, const json& body);

  // --- Articles -------------------------------------------------------
  Result<json> ListArticles(const Principal& p, int64_t site_id, const Page& page,
                            const json& filters);
  Result<json> GetArticle(const Principal& p, int64_t id);
  Result<json> CreateArticle(const Principal& p, int64_t site_id, const json& body);
  Result<json> UpdateArticle(const Principal& p, int64_t id, const json& body);
  // action: submit, approve, reject, publish, withdraw
  Result<json> ArticleAction(const Principal& p, int64_t id, const std::string& action,
                             const json& body);
  Result<json> ListRevisions(const Principal& p, int64_t article_id);
  // 置顶 / order, in any status (a published article stays published).
  Result<json> PinArticle(const Principal& p, int64_t id, const json& body);

  // --- Console helpers ---------------------------------------------------
  // 工作台: per-site counts for the sites the caller works on.
  Result<json> Dashboard(const Principal& p);
  // Who holds which role on a site (site_admin or sysadmin).
  Result<json> ListSiteGrants(const Principal& p, int64_t site_id);
  // Validates a preview request and resolves it into what the publisher
  // renders: {"theme", "page": home|article|column, "column_id", "article"}
  // with the body sanitized as on save. Reads only.
  Result<json> PreparePreview(const Principal& p, int64_t site_id, const json& body);
  // The file behind /_media/ab/<hash>.<ext> when p may read a site that owns
  // it; NotFound otherwise (existence is never revealed).
  Result<MediaFile> MediaForViewer(const Principal& p, const std::string& hash,
                                   const std::string& ext);

  // --- Media ----------------------------------------------------------
  // Takes ownership of the file at temp_path (moved into the media store).
  Result<json> AddMedia(const Principal& p, int64_t site_id, const std::string& temp_path,
                        const std::string& filename, const std::string& mime,
                        const std::string& alt);
  // filters: kind ("image" | "file"), q (substring of filename or alt).
  Result<json> ListMedia(const Principal& p, int64_t site_id, const Page& page,
                         const json& filters = json::object());
  // Removes a media row; Conflict while an article uses it (attachment,
  // cover or a reference in a body). The stored bytes stay: another row or a
  // published page may share them.
  Status DeleteMedia(const Principal& p, int64_t media_id);
  // Whether p may upload to the site; checked before the body is parsed.
  Status CheckUpload(const Principal& p, int64_t site_id);

  // --- Users and grants ----------------------------------------------
  // filters: q, department_id, platform (1: platform accounts, 0: the others).
  Result<json> ListUsers(const Principal& p, const Page& page, const json& filters);
  Result<json> GetUser(const Principal& p, int64_t id);
  // Returns the user and a one-time temporary password.
  Result<json> CreateUser(const Principal& p, const json& body);
  Result<json> UpdateUser(const Principal& p, int64_t id, const json& body);
  Result<json> ResetPassword(const Principal& p, int64_t id);
  Result<json> UnlockUser(const Principal& p, int64_t id);
  Result<json> ListGrants(const Principal& p, int64_t user_id);
  Result<json> AddGrant(const Principal& p, int64_t user_id, const json& body);
  Status RemoveGrant(const Principal& p, int64_t grant_id);
  // CLI: sets a password directly (operator on the server). Audited.
  Status SetPasswordByName(const std::string& username, const std::string& password,
                           bool temporary);

  // --- Audit ----------------------------------------------------------
  Result<json> ListAudit(const Principal& p, const Page& page, const json& filters);
  Result<AuditVerifyReport> VerifyAudit();

  // --- Change events (service/events.h) --------------------------------
  // Subscribers hear of every committed change to content. Call before the
  // platform serves; not thread-safe against concurrent changes.
  void Subscribe(ContentSubscriber* subscriber);

  // --- Scheduled work ---------------------------------------------------
  // 定时发布: approved articles whose publish_at has come become published
  // (published_at = the scheduled time), each audited as article.publish by
  // the scheduler and announced. Returns their ids, oldest first.
  Result<std::vector<int64_t>> PublishScheduled(int64_t now_ms);

  // --- Sites as the platform serves them ----------------------------------
  struct SiteDomain {
    std::string code, theme, domain;
  };
  // Domains of open sites (status 'open'), by site code then position.
  Result<std::vector<SiteDomain>> OpenSiteDomains();
  // Site codes in code order; open sites only, or every site.
  Result<std::vector<std::string>> SiteCodes(bool open_only);

  // Records an event that is not a change (a failed login, a denied request).
  Status RecordEvent(const Principal& p, const std::string& action, const std::string& target_type,
                     const std::string& target_id, const std::string& result, const json& detail);

 private:
  struct Impl;
  // After a commit: tells every subscriber, catching what they throw.
  void Announce(const ContentChange& change);
  std::unique_ptr<store::Db> db_;
  ServiceOptions options_;
  std::vector<ContentSubscriber*> subscribers_;
};

// Appends one entry to the hash-chained audit log inside the caller's
// transaction, so the change and its record commit together.
Status AppendAudit(store::Conn& c, int64_t now, const Principal& actor, const std::string& action,
                   const std::string& target_type, const std::string& target_id,
                   const std::string& result, const json& detail);

std::string_view SiteRoleName(SiteRole r);
std::optional<SiteRole> ParseSiteRole(std::string_view s);

}  // namespace zhanqun::service
