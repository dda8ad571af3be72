// The JSON API under /api/v1: authentication, CSRF, routing to the service,
// and the one place where error codes become HTTP status codes.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "http/message.h"
#include "http/router.h"
#include "inspect/inspect.h"
#include "service/service.h"

namespace zhanqun::ops {
class Monitoring;
class Scheduler;
}  // namespace zhanqun::ops

namespace zhanqun::http {

struct ApiOptions {
  std::string upload_dir;              // where multipart parts are spooled (under the data dir)
  std::string cookie_secure = "auto";  // auto | always | never
  size_t max_upload_bytes = 64 << 20;
  int login_attempts_per_minute = 30;  // per client address
  // The monthly inspection (巡检); owned by the platform. Null: the
  // /api/v1/inspections routes answer 503.
  inspect::Inspector* inspector = nullptr;
  // Renders a preview (Service::PreparePreview's result) as the publisher
  // would, writing nothing.
  std::function<Result<std::string>(int64_t site_id, const nlohmann::json& spec)> render_preview;
  // The themes under the themes directory: [{name, title, description, ok, error}].
  std::function<nlohmann::json()> list_themes;
  // Monitoring, incidents and alerts (/api/v1/monitors, …); routes answer
  // 503 when absent.
  ops::Monitoring* monitoring = nullptr;
  // Background jobs and their runs (/api/v1/jobs); routes answer 503 when absent.
  ops::Scheduler* scheduler = nullptr;
};

int HttpStatus(Code code);
Response ErrorResponse(const Error& e);
Response JsonResponse(int status, const nlohmann::json& body);

namespace api {
struct Call;
struct Reply;
struct Owner;
struct RouteFlags;
using ApiFn = std::function<Result<Reply>(Call&)>;
}  // namespace api

class Api {
 public:
  Api(service::Service& service, ApiOptions options);
  ~Api();
  Response Handle(Request& req);
  const Router& router() const { return router_; }

 private:
  struct Impl;
  // Adds a route whose owner the wrapper enforces before the handler runs
  // (api/internal.h: Owner, RouteFlags). One Add*Routes per area, each in
  // its own file under api/.
  void Add(std::string method, std::string pattern, const api::Owner& owner, std::string summary,
           api::ApiFn fn, const api::RouteFlags& flags);
  void Add(std::string method, std::string pattern, const api::Owner& owner, std::string summary,
           api::ApiFn fn);
  void AddAccountRoutes();  // health, auth, me, departments, users, grants, security settings
  void AddSiteRoutes();     // sites, columns, themes, dashboard, preview
  void AddContentRoutes();  // articles, media
  void AddAuditRoutes();    // audit log, inspections
  void AddOpsRoutes();      // monitoring, incidents, alerts, background jobs
  service::Service& service_;
  ApiOptions options_;
  Router router_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace zhanqun::http
