// Shared by the API's route files (api/*.cc): the call and reply shapes,
// route owners as types, and the small parsers every area uses. Not part of
// the http module's contract.
#pragma once

#include <functional>
#include <initializer_list>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "http/api/api.h"
#include "http/message.h"
#include "service/service.h"

namespace zhanqun::http::api {

using nlohmann::json;
using service::Principal;
using service::Session;

inline constexpr const char* kCookie = "zq_session";

// Who may call a route. The API wrapper checks it after the session and the
// CSRF token and before the body is read, so no handler runs for a caller the
// route does not admit, and a route cannot be added without one. Platform
// roles are checked exactly here; site access coarsely (a school account, not
// one of the 三员 — or the 系统管理员 where allowed) and against the specific
// site or object by the service, which alone knows which site an article
// belongs to.
struct Owner {
  enum class Kind { kAnyone, kSignedIn, kRoles, kSite };
  enum class SiteAccess { kRead, kManage, kEdit, kReview };
  Kind kind = Kind::kRoles;
  std::vector<std::string> roles;  // kRoles: any of these platform roles
  bool self = false;               // kRoles: or the account the route names ({id})
  SiteAccess site = SiteAccess::kRead;
  std::string name;  // as documented (x-owner): "sysadmin|auditor", "site:read", …

  static Owner Anyone() { return {Kind::kAnyone, {}, false, SiteAccess::kRead, "anyone"}; }
  static Owner SignedIn() { return {Kind::kSignedIn, {}, false, SiteAccess::kRead, "signed_in"}; }
  static Owner Roles(std::initializer_list<const char*> roles);
  static Owner RolesOrSelf(std::initializer_list<const char*> roles);
  static Owner Site(SiteAccess access);
  bool needs_session() const { return kind != Kind::kAnyone; }
  // The coarse check (see above).
  bool Admits(const Principal& p) const;
  // Why a caller it does not admit is refused ("仅系统管理员、审计管理员可以执行此操作").
  std::string DeniedMessage() const;
};

struct RouteFlags {
  bool during_password_change = false;  // callable while a password change is forced
  bool multipart = false;               // the body is a spooled multipart upload, not JSON
};

struct Reply {
  int status = 200;
  json body;
  // A "Content-Type" here means body is a string sent as it is (not JSON).
  std::vector<std::pair<std::string, std::string>> headers;
  // When set, the body is sent as is with this Content-Type instead of JSON
  // (the HTML and PDF inspection reports).
  std::string raw_type;
  std::string raw;
};

struct Call {
  Request& req;
  json body;
  std::optional<Session> session;
  const Principal& who() const { return session->principal; }
  int64_t Id(const char* name = "id") const { return std::stoll(req.params.at(name)); }
  std::string Param(const char* name) const {
    auto it = req.params.find(name);
    return it == req.params.end() ? "" : it->second;
  }
};

Result<Reply> Ok(Result<json> r, int status = 200);
Result<Reply> NoContent(Status st);
Result<service::Page> ParsePage(const Request& req);
// Query filters passed to the service as JSON. Integer filters must parse as
// integers (else 400 naming the parameter); text filters stay text, digits or not.
Result<json> Filters(const Request& req, std::initializer_list<const char*> int_names,
                     std::initializer_list<const char*> text_names);
// Permission before query validation, as for bodies.
Status SysadminOnly(const Principal& p);
bool IsJsonContentType(std::string_view ct);

class LoginLimiter {
 public:
  explicit LoginLimiter(int per_minute) : per_minute_(per_minute) {}
  bool Allow(const std::string& ip);

 private:
  struct Bucket {
    int64_t minute = 0;
    int count = 0;
  };
  int per_minute_;
  std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;  // GUARDED_BY(mu_)
};

}  // namespace zhanqun::http::api

namespace zhanqun::http {

// What the routes share beyond the service and the options.
struct Api::Impl {
  explicit Impl(int per_minute) : limiter(per_minute) {}
  api::LoginLimiter limiter;
};

}  // namespace zhanqun::http
