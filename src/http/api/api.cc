#include "http/api/api.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <unordered_map>

#include "http/api/internal.h"
#include "security/crypto.h"
#include "service/input.h"

namespace zhanqun::http {

using nlohmann::json;
using namespace api;

int HttpStatus(Code code) {
  switch (code) {
    case Code::kInvalidArgument:
      return 400;
    case Code::kNotFound:
      return 404;
    case Code::kConflict:
      return 409;
    case Code::kUnauthenticated:
      return 401;
    case Code::kForbidden:
      return 403;
    case Code::kLocked:
      return 423;
    case Code::kPasswordChangeRequired:
      return 403;
    case Code::kTooLarge:
      return 413;
    case Code::kRateLimited:
      return 429;
    case Code::kMethodNotAllowed:
      return 405;
    case Code::kUnsupportedMediaType:
      return 415;
    case Code::kUnavailable:
      return 503;
    case Code::kTimeout:
      return 504;
    case Code::kCorruption:
      return 500;
    case Code::kInternal:
      return 500;
  }
  return 500;
}

Response JsonResponse(int status, const json& body) {
  Response r;
  r.status = status;
  r.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
  r.Set("Content-Type", "application/json; charset=utf-8");
  r.Set("Cache-Control", "no-store");
  r.Set("X-Content-Type-Options", "nosniff");
  r.Set("X-Frame-Options", "DENY");
  r.Set("Referrer-Policy", "same-origin");
  return r;
}

Response ErrorResponse(const Error& e) {
  if (!e.internal.empty()) spdlog::warn("api error {}: {}", CodeName(e.code), e.internal);
  std::string message = e.message.empty() ? "请求失败" : e.message;
  return JsonResponse(
      HttpStatus(e.code),
      {{"error", {{"code", CodeName(e.code)}, {"message", message}, {"field", e.field}}}});
}

namespace api {

Result<Reply> Ok(Result<json> r, int status) {
  if (!r) return Fail(std::move(r.error()));
  return Reply{status, std::move(*r), {}, {}, {}};
}

Result<Reply> NoContent(Status st) {
  if (!st) return Fail(std::move(st.error()));
  return Reply{204, nullptr, {}, {}, {}};
}

Result<service::Page> ParsePage(const Request& req) {
  service::Page p;
  auto num = [&](const char* name, int64_t lo, int64_t hi, int64_t& out) -> Status {
    std::string v = req.Query(name);
    if (v.empty()) return {};
    if (v.size() > 9 || v.find_first_not_of("0123456789") != std::string::npos) {
      return Fail(Error::Invalid(name, std::string(name) + " 必须是整数"));
    }
    int64_t n = std::stoll(v);
    if (n < lo || n > hi) {
      return Fail(Error::Invalid(name, std::string(name) + " 必须在 " + std::to_string(lo) +
                                           " 到 " + std::to_string(hi) + " 之间"));
    }
    out = n;
    return {};
  };
  ZQ_TRY(num("page", 1, 1000000, p.page));
  ZQ_TRY(num("page_size", 1, 100, p.page_size));
  return p;
}

Result<json> Filters(const Request& req, std::initializer_list<const char*> int_names,
                     std::initializer_list<const char*> text_names) {
  json f = json::object();
  for (const char* n : int_names) {
    std::string v = req.Query(n);
    if (v.empty()) continue;
    if (v.size() > 18 || v.find_first_not_of("0123456789") != std::string::npos) {
      return Fail(Error::Invalid(n, std::string(n) + " 必须是整数"));
    }
    f[n] = std::stoll(v);
  }
  for (const char* n : text_names) {
    std::string v = req.Query(n);
    if (v.empty()) continue;
    ZQ_TRY(service::CheckTextKind(n, v, service::TextKind::kLine, 200, false));
    f[n] = v;
  }
  return f;
}

Status SysadminOnly(const Principal& p) {
  if (!p.IsSysadmin()) return Fail(Error::Forbidden("只有系统管理员可以管理监测与告警"));
  return {};
}

bool IsJsonContentType(std::string_view ct) {
  constexpr std::string_view kJson = "application/json";
  if (ct.size() < kJson.size()) return false;
  for (size_t i = 0; i < kJson.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(ct[i])) != kJson[i]) return false;
  }
  return ct.size() == kJson.size() || ct[kJson.size()] == ';' || ct[kJson.size()] == ' ';
}

bool LoginLimiter::Allow(const std::string& ip) {
  using namespace std::chrono;
  int64_t now = duration_cast<seconds>(steady_clock::now().time_since_epoch()).count();
  std::lock_guard lock(mu_);
  if (buckets_.size() > 100000) buckets_.clear();
  auto& b = buckets_[ip];
  if (now / 60 != b.minute) {
    b.minute = now / 60;
    b.count = 0;
  }
  return ++b.count <= per_minute_;
}

namespace {

std::string JoinRoles(std::initializer_list<const char*> roles) {
  std::string out;
  for (const char* r : roles) {
    if (!out.empty()) out += '|';
    out += r;
  }
  return out;
}

}  // namespace

std::string Owner::DeniedMessage() const {
  if (kind == Kind::kSite) return "没有该站点的相应权限";
  std::string who;
  for (const auto& r : roles) {
    if (!who.empty()) who += "、";
    who += r == "sysadmin" ? "系统管理员" : r == "secadmin" ? "安全管理员" : "审计管理员";
  }
  return "仅" + who + "可以执行此操作";
}

Owner Owner::Roles(std::initializer_list<const char*> roles) {
  return {Kind::kRoles, {roles.begin(), roles.end()}, false, SiteAccess::kRead, JoinRoles(roles)};
}

Owner Owner::RolesOrSelf(std::initializer_list<const char*> roles) {
  return {Kind::kRoles,
          {roles.begin(), roles.end()},
          true,
          SiteAccess::kRead,
          JoinRoles(roles) + "|self"};
}

Owner Owner::Site(SiteAccess access) {
  static const char* kNames[] = {"site:read", "site:manage", "site:edit", "site:review"};
  return {Kind::kSite, {}, false, access, kNames[static_cast<int>(access)]};
}

bool Owner::Admits(const Principal& p) const {
  switch (kind) {
    case Kind::kAnyone:
    case Kind::kSignedIn:
      return true;
    case Kind::kRoles:
      if (self) return true;  // the service compares the account with the caller
      return std::find(roles.begin(), roles.end(), p.platform_role) != roles.end();
    case Kind::kSite:
      // 三员 hold no site roles; the 系统管理员 reads and manages every site.
      // Any other account is a school account: the service checks its grants
      // on the site (one with none yet sees an empty list, not a refusal).
      if (p.IsSysadmin()) return site == SiteAccess::kRead || site == SiteAccess::kManage;
      return p.platform_role.empty();
  }
  return false;
}

}  // namespace api

Api::Api(service::Service& service, ApiOptions options)
    : service_(service),
      options_(std::move(options)),
      impl_(std::make_unique<Impl>(options_.login_attempts_per_minute)) {
  AddAccountRoutes();
  AddSiteRoutes();
  AddContentRoutes();
  AddAuditRoutes();
  AddOpsRoutes();
}

Api::~Api() = default;

Response Api::Handle(Request& req) {
  try {
    auto m = router_.Find(req.method, req.path);
    if (!m.route) {
      if (m.path_matched) {
        Response r = ErrorResponse(
            Error{Code::kMethodNotAllowed, "不支持的请求方法 " + req.method, "method", {}});
        r.Set("Allow", m.allow);
        return r;
      }
      return ErrorResponse(Error::NotFound("接口不存在"));
    }
    req.params = std::move(m.params);
    return m.route->handler(req);
  } catch (const std::exception& e) {
    return ErrorResponse(Error::Internal(std::string("unhandled: ") + e.what()));
  }
}

void Api::Add(std::string method, std::string pattern, const Owner& owner, std::string summary,
              ApiFn fn) {
  Add(std::move(method), std::move(pattern), owner, std::move(summary), std::move(fn),
      RouteFlags{});
}

void Api::Add(std::string method, std::string pattern, const Owner& owner, std::string summary,
              ApiFn fn, const RouteFlags& flags) {
  Handler h = [this, fn, owner, flags, method](Request& req) -> Response {
    Call call{req, nullptr, std::nullopt};
    bool mutating = method != "GET";
    if (owner.needs_session()) {
      auto s = service_.Authenticate(req.Cookie(kCookie), req.remote_addr);
      if (!s) return ErrorResponse(s.error());
      call.session = std::move(*s);
      if (mutating) {
        std::string_view token = req.Header("x-csrf-token");
        if (token.empty() || !security::ConstantTimeEquals(token, call.session->csrf)) {
          return ErrorResponse(Error{
              Code::kForbidden, "缺少或无效的 CSRF 令牌（X-CSRF-Token）", "X-CSRF-Token", {}});
        }
      }
      if (call.session->principal.must_change_password && !flags.during_password_change) {
        return ErrorResponse(Error{Code::kPasswordChangeRequired, "请先修改密码", "password", {}});
      }
      if (!owner.Admits(call.session->principal)) {
        return ErrorResponse(Error::Forbidden(owner.DeniedMessage()));
      }
    }
    if (mutating && !flags.multipart) {
      if (!req.body.empty()) {
        if (!IsJsonContentType(req.Header("content-type"))) {
          return ErrorResponse(Error{Code::kUnsupportedMediaType,
                                     "请求体必须是 JSON（Content-Type: application/json）",
                                     "Content-Type",
                                     {}});
        }
        json body = json::parse(req.body, nullptr, false);
        if (body.is_discarded())
          return ErrorResponse(Error::Invalid("body", "请求体不是有效的 JSON"));
        call.body = std::move(body);
      } else if (method == "POST" && !owner.needs_session()) {
        return ErrorResponse(Error::Invalid("body", "请求体不能为空"));
      }
    }
    auto r = fn(call);
    if (!r) return ErrorResponse(r.error());
    // Not JSON: a Reply with raw_type (the inspection's HTML and PDF
    // reports), or one whose headers carry a Content-Type and whose body is
    // the text to send (the site preview).
    bool typed = std::any_of(r->headers.begin(), r->headers.end(),
                             [](const auto& h) { return h.first == "Content-Type"; });
    Response resp;
    if (!r->raw_type.empty() || typed) {
      resp.body = !r->raw_type.empty() ? std::move(r->raw) : r->body.get<std::string>();
      if (!r->raw_type.empty()) resp.Set("Content-Type", r->raw_type);
      resp.Set("Cache-Control", "no-store");
      resp.Set("X-Content-Type-Options", "nosniff");
      resp.Set("Referrer-Policy", "same-origin");
    } else if (r->status != 204) {
      resp = JsonResponse(r->status, r->body);
    }
    resp.status = r->status;
    for (auto& [k, v] : r->headers) resp.Set(k, v);
    return resp;
  };
  router_.Add(
      Route{std::move(method), std::move(pattern), owner.name, std::move(summary), std::move(h)});
}

}  // namespace zhanqun::http
