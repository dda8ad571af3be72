#include "http/api/api.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <unordered_map>

#include "http/multipart.h"
#include "ops/monitoring.h"
#include "security/crypto.h"
#include "service/input.h"
#include "zhanqun/version.h"

namespace zhanqun::http {

using nlohmann::json;
using service::Principal;
using service::Session;

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

namespace {

constexpr const char* kCookie = "zq_session";

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
};

using ApiFn = std::function<Result<Reply>(Call&)>;

Result<Reply> Ok(Result<json> r, int status = 200) {
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

// Query filters passed to the service as JSON. Integer filters must parse as
// integers (else 400 naming the parameter); text filters stay text, digits or not.
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

// Permission before query validation, as for bodies.
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

class LoginLimiter {
 public:
  explicit LoginLimiter(int per_minute) : per_minute_(per_minute) {}
  bool Allow(const std::string& ip) {
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

 private:
  struct Bucket {
    int64_t minute = 0;
    int count = 0;
  };
  int per_minute_;
  std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;  // GUARDED_BY(mu_)
};

}  // namespace

struct Api::Impl {
  explicit Impl(int per_minute) : limiter(per_minute) {}
  LoginLimiter limiter;
};

Api::Api(service::Service& service, ApiOptions options)
    : service_(service),
      options_(std::move(options)),
      impl_(std::make_unique<Impl>(options_.login_attempts_per_minute)) {
  AddRoutes();
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

void Api::AddRoutes() {
  auto add = [this](std::string method, std::string pattern, std::string owner, std::string summary,
                    ApiFn fn) {
    bool needs_session = owner != "anyone";
    bool allowed_during_change = pattern == "/api/v1/me" || pattern == "/api/v1/auth/password" ||
                                 pattern == "/api/v1/auth/logout";
    bool multipart = pattern == "/api/v1/sites/{id}/media" && method == "POST";
    Handler h = [this, fn, needs_session, allowed_during_change, multipart,
                 method](Request& req) -> Response {
      Call call{req, nullptr, std::nullopt};
      bool mutating = method != "GET";
      if (needs_session) {
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
        if (call.session->principal.must_change_password && !allowed_during_change) {
          return ErrorResponse(
              Error{Code::kPasswordChangeRequired, "请先修改密码", "password", {}});
        }
      }
      if (mutating && !multipart) {
        if (!req.body.empty()) {
          if (!IsJsonContentType(req.Header("content-type"))) {
            return ErrorResponse(Error{Code::kUnsupportedMediaType,
                                       "请求体必须是 JSON（Content-Type: application/json）",
                                       "Content-Type",
                                       {}});
          }
          json body = json::parse(req.body, nullptr, false);
          if (body.is_discarded()) {
            return ErrorResponse(Error::Invalid("body", "请求体不是有效的 JSON"));
          }
          call.body = std::move(body);
        } else if (method == "POST" && !needs_session) {
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
    router_.Add(Route{std::move(method), std::move(pattern), std::move(owner), std::move(summary),
                      std::move(h)});
  };

  add("GET", "/api/v1/health", "anyone", "健康检查", [](Call&) -> Result<Reply> {
    return Reply{200, {{"status", "ok"}, {"version", kVersion}}, {}, {}, {}};
  });

  // --- auth -------------------------------------------------------------
  add("POST", "/api/v1/auth/login", "anyone", "登录", [this](Call& c) -> Result<Reply> {
    if (!impl_->limiter.Allow(c.req.remote_addr)) {
      return Fail(Error{Code::kRateLimited, "登录尝试过于频繁，请稍后再试", "", {}});
    }
    if (!c.body.is_object()) return Fail(Error::Invalid("body", "请求体必须是 JSON 对象"));
    auto str = [&](const char* k) -> Result<std::string> {
      if (!c.body.contains(k) || !c.body[k].is_string()) {
        return Fail(Error::Invalid(k, std::string(k) + " 必须是字符串"));
      }
      return c.body[k].get<std::string>();
    };
    ZQ_ASSIGN_OR_RETURN(std::string username, str("username"));
    ZQ_ASSIGN_OR_RETURN(std::string password, str("password"));
    auto r = service_.Login(username, password, c.req.remote_addr,
                            std::string(c.req.Header("user-agent")));
    security::Wipe(password);
    if (!r) return Fail(std::move(r.error()));
    bool secure =
        options_.cookie_secure == "always" || (options_.cookie_secure == "auto" && c.req.tls);
    Reply reply{200,
                {{"user", r->user},
                 {"csrf", r->csrf},
                 {"password_change_required", r->password_change_required},
                 {"password_change_reason", r->password_change_reason}},
                {},
                {},
                {}};
    reply.headers.emplace_back("Set-Cookie", std::string(kCookie) + "=" + r->token +
                                                 "; Path=/; HttpOnly; SameSite=Strict" +
                                                 (secure ? "; Secure" : ""));
    return reply;
  });
  add("POST", "/api/v1/auth/logout", "signed_in", "退出登录", [this](Call& c) -> Result<Reply> {
    ZQ_TRY(service_.Logout(*c.session));
    Reply reply{204, nullptr, {}, {}, {}};
    reply.headers.emplace_back(
        "Set-Cookie", std::string(kCookie) + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    return reply;
  });
  add("POST", "/api/v1/auth/password", "signed_in", "修改本人密码",
      [this](Call& c) { return NoContent(service_.ChangeOwnPassword(*c.session, c.body)); });
  add("GET", "/api/v1/me", "signed_in", "当前用户", [this](Call& c) -> Result<Reply> {
    ZQ_ASSIGN_OR_RETURN(json me, service_.Me(c.who()));
    return Reply{200, {{"user", me}, {"csrf", c.session->csrf}}, {}, {}, {}};
  });

  // --- departments --------------------------------------------------------
  add("GET", "/api/v1/departments", "signed_in", "部门与学校列表",
      [this](Call& c) { return Ok(service_.ListDepartments(c.who())); });
  add("POST", "/api/v1/departments", "sysadmin", "新建部门或学校",
      [this](Call& c) { return Ok(service_.CreateDepartment(c.who(), c.body), 201); });

  // --- sites ----------------------------------------------------------------
  add("GET", "/api/v1/sites", "site:read", "站点列表", [this](Call& c) -> Result<Reply> {
    ZQ_ASSIGN_OR_RETURN(auto page, ParsePage(c.req));
    return Ok(service_.ListSites(c.who(), page, c.req.Query("q")));
  });
  add("POST", "/api/v1/sites", "sysadmin", "新建站点",
      [this](Call& c) { return Ok(service_.CreateSite(c.who(), c.body), 201); });
  add("GET", "/api/v1/sites/{id}", "site:read", "站点详情",
      [this](Call& c) { return Ok(service_.GetSite(c.who(), c.Id())); });
  add("PATCH", "/api/v1/sites/{id}", "site:manage", "修改站点", [this](Call& c) -> Result<Reply> {
    auto r = service_.UpdateSite(c.who(), c.Id(), c.body);
    if (r && !c.body.empty() && options_.on_site_changed) options_.on_site_changed(c.Id());
    return Ok(std::move(r));
  });
  add("DELETE", "/api/v1/sites/{id}", "sysadmin", "删除站点",
      [this](Call& c) { return NoContent(service_.DeleteSite(c.who(), c.Id())); });
  add("POST", "/api/v1/sites/{id}/preview", "site:read", "按站点主题预览",
      [this](Call& c) -> Result<Reply> {
        ZQ_ASSIGN_OR_RETURN(json spec, service_.PreparePreview(c.who(), c.Id(), c.body));
        if (!options_.render_preview) return Fail(Error{Code::kUnavailable, "预览不可用", "", {}});
        ZQ_ASSIGN_OR_RETURN(std::string html, options_.render_preview(c.Id(), spec));
        Reply reply{200, std::move(html), {{"Content-Type", "text/html; charset=utf-8"}}, {}, {}};
        // Shown in a sandboxed iframe; should it be opened on its own, it
        // still runs no script and reaches nothing.
        reply.headers.emplace_back("Content-Security-Policy",
                                   "sandbox; default-src 'none'; img-src 'self' data:; style-src "
                                   "'self' 'unsafe-inline'; font-src 'self'");
        return reply;
      });
  add("GET", "/api/v1/sites/{id}/grants", "site:manage", "站点成员与权限",
      [this](Call& c) { return Ok(service_.ListSiteGrants(c.who(), c.Id())); });
  add("GET", "/api/v1/dashboard", "signed_in", "工作台",
      [this](Call& c) { return Ok(service_.Dashboard(c.who())); });
  add("GET", "/api/v1/themes", "site:read|sysadmin", "主题列表", [this](Call& c) -> Result<Reply> {
    if (!c.who().IsSysadmin() && c.who().grants.empty()) {
      return Fail(Error::Forbidden("只有系统管理员和站点用户可以查看主题"));
    }
    json items = options_.list_themes ? options_.list_themes() : json::array();
    return Reply{200, {{"items", items}, {"total", items.size()}}, {}, {}, {}};
  });

  // --- columns -----------------------------------------------------------
  add("GET", "/api/v1/sites/{id}/columns", "site:read", "栏目列表",
      [this](Call& c) { return Ok(service_.ListColumns(c.who(), c.Id())); });
  add("POST", "/api/v1/sites/{id}/columns", "site:manage", "新建栏目",
      [this](Call& c) -> Result<Reply> {
        auto r = service_.CreateColumn(c.who(), c.Id(), c.body);
        if (r && options_.on_site_changed) options_.on_site_changed(c.Id());
        return Ok(std::move(r), 201);
      });
  add("PATCH", "/api/v1/columns/{id}", "site:manage", "修改栏目", [this](Call& c) -> Result<Reply> {
    auto r = service_.UpdateColumn(c.who(), c.Id(), c.body);
    if (r && !c.body.empty() && options_.on_site_changed) {
      options_.on_site_changed((*r)["site_id"].get<int64_t>());
    }
    return Ok(std::move(r));
  });
  add("DELETE", "/api/v1/columns/{id}", "site:manage", "删除栏目",
      [this](Call& c) -> Result<Reply> {
        // Its site, read first: once deleted, the site is republished without it
        // (its list page, feed and nav entry go).
        auto site = service_.db().ReadValue<int64_t>([&](store::Conn& cn) {
          return cn.QueryInt("SELECT site_id FROM columns WHERE id = ?", {c.Id()});
        });
        Status st = service_.DeleteColumn(c.who(), c.Id());
        if (st && site && *site > 0 && options_.on_site_changed) options_.on_site_changed(*site);
        return NoContent(std::move(st));
      });
  add("POST", "/api/v1/sites/{id}/columns/reorder", "site:manage", "批量调整栏目位置",
      [this](Call& c) -> Result<Reply> {
        auto r = service_.ReorderColumns(c.who(), c.Id(), c.body);
        if (r && options_.on_site_changed) options_.on_site_changed(c.Id());
        return Ok(std::move(r));
      });

  // --- articles ----------------------------------------------------------
  add("GET", "/api/v1/sites/{id}/articles", "site:read", "信息列表",
      [this](Call& c) -> Result<Reply> {
        ZQ_ASSIGN_OR_RETURN(auto page, ParsePage(c.req));
        ZQ_ASSIGN_OR_RETURN(
            json f, Filters(c.req, {"column_id", "created_by", "from", "to"}, {"status", "q"}));
        return Ok(service_.ListArticles(c.who(), c.Id(), page, f));
      });
  add("POST", "/api/v1/sites/{id}/articles", "site:edit", "新建信息",
      [this](Call& c) { return Ok(service_.CreateArticle(c.who(), c.Id(), c.body), 201); });
  add("GET", "/api/v1/articles/{id}", "site:read", "信息详情",
      [this](Call& c) { return Ok(service_.GetArticle(c.who(), c.Id())); });
  add("PATCH", "/api/v1/articles/{id}", "site:edit", "修改信息", [this](Call& c) -> Result<Reply> {
    auto r = service_.UpdateArticle(c.who(), c.Id(), c.body);
    // A reviewer's in-place edit of a published article goes live now.
    if (r && (*r)["status"] == "published" && options_.on_article_changed)
      options_.on_article_changed(c.Id());
    return Ok(std::move(r));
  });
  add("POST", "/api/v1/articles/{id}/pin", "site:review", "置顶与排序",
      [this](Call& c) -> Result<Reply> {
        auto r = service_.PinArticle(c.who(), c.Id(), c.body);
        // A published article's lists and home page show the new order.
        if (r && (*r)["status"] == "published" && options_.on_article_changed) {
          options_.on_article_changed(c.Id());
        }
        return Ok(std::move(r));
      });
  add("GET", "/api/v1/articles/{id}/revisions", "site:read", "信息修订历史",
      [this](Call& c) { return Ok(service_.ListRevisions(c.who(), c.Id())); });
  for (const char* action : {"submit", "approve", "reject", "publish", "withdraw"}) {
    std::string a = action;
    std::string owner = a == "submit" ? "site:edit" : "site:review";
    static const std::map<std::string, std::string> kSummary = {{"submit", "提交审核"},
                                                                {"approve", "审核通过"},
                                                                {"reject", "退回修改"},
                                                                {"publish", "发布"},
                                                                {"withdraw", "撤回"}};
    add("POST", "/api/v1/articles/{id}/" + a, owner, kSummary.at(a),
        [this, a](Call& c) -> Result<Reply> {
          auto r = service_.ArticleAction(c.who(), c.Id(), a, c.body);
          if (r && (a == "publish" || a == "withdraw") && options_.on_article_changed) {
            options_.on_article_changed(c.Id());
          }
          return Ok(std::move(r));
        });
  }

  // --- media ---------------------------------------------------------------
  add("GET", "/api/v1/sites/{id}/media", "site:read", "媒体库", [this](Call& c) -> Result<Reply> {
    ZQ_ASSIGN_OR_RETURN(auto page, ParsePage(c.req));
    ZQ_ASSIGN_OR_RETURN(json f, Filters(c.req, {}, {"kind", "q"}));
    if (f.contains("kind") && f["kind"] != "image" && f["kind"] != "file") {
      return Fail(Error::Invalid("kind", "kind 必须是 image 或 file"));
    }
    return Ok(service_.ListMedia(c.who(), c.Id(), page, f));
  });
  add("DELETE", "/api/v1/media/{id}", "site:edit", "删除媒体文件",
      [this](Call& c) { return NoContent(service_.DeleteMedia(c.who(), c.Id())); });
  add("POST", "/api/v1/sites/{id}/media", "site:edit", "上传图片或附件",
      [this](Call& c) -> Result<Reply> {
        ZQ_TRY(service_.CheckUpload(c.who(), c.Id()));
        if (c.req.body_file.empty()) {
          return Fail(Error{Code::kUnsupportedMediaType,
                            "上传文件须使用 multipart/form-data",
                            "Content-Type",
                            {}});
        }
        MultipartLimits limits;
        limits.max_file_bytes = options_.max_upload_bytes;
        limits.max_parts = 8;
        ZQ_ASSIGN_OR_RETURN(auto parts,
                            ParseMultipartFile(c.req.body_file, c.req.Header("content-type"),
                                               options_.upload_dir, limits));
        std::string alt, file_path, filename, mime;
        for (const auto& p : parts) {
          if (p.name == "alt" && !p.is_file) alt = p.value;
          if (p.name == "file" && p.is_file && !p.file_path.empty()) {
            file_path = p.file_path;
            filename = p.filename;
            mime = p.content_type;
          }
        }
        auto cleanup = [&] {
          std::error_code ec;
          for (const auto& p : parts) {
            if (!p.file_path.empty()) std::filesystem::remove(p.file_path, ec);
          }
        };
        if (file_path.empty()) {
          cleanup();
          return Fail(Error::Invalid("file", "缺少上传文件（字段 file）"));
        }
        auto r = service_.AddMedia(c.who(), c.Id(), file_path, filename, mime, alt);
        cleanup();
        return Ok(std::move(r), 201);
      });

  // --- users and grants --------------------------------------------------
  add("GET", "/api/v1/users", "sysadmin|secadmin", "账号列表", [this](Call& c) -> Result<Reply> {
    ZQ_ASSIGN_OR_RETURN(auto page, ParsePage(c.req));
    ZQ_ASSIGN_OR_RETURN(json f, Filters(c.req, {"department_id", "platform"}, {"q"}));
    if (f.contains("platform") && f["platform"] != 0 && f["platform"] != 1) {
      return Fail(Error::Invalid("platform", "platform 必须是 0 或 1"));
    }
    return Ok(service_.ListUsers(c.who(), page, f));
  });
  add("POST", "/api/v1/users", "sysadmin", "新建账号",
      [this](Call& c) { return Ok(service_.CreateUser(c.who(), c.body), 201); });
  add("GET", "/api/v1/users/{id}", "sysadmin|secadmin|self", "账号详情",
      [this](Call& c) { return Ok(service_.GetUser(c.who(), c.Id())); });
  add("PATCH", "/api/v1/users/{id}", "sysadmin|self", "修改账号",
      [this](Call& c) { return Ok(service_.UpdateUser(c.who(), c.Id(), c.body)); });
  add("POST", "/api/v1/users/{id}/reset-password", "sysadmin", "重置密码",
      [this](Call& c) { return Ok(service_.ResetPassword(c.who(), c.Id())); });
  add("POST", "/api/v1/users/{id}/unlock", "secadmin", "解锁账号",
      [this](Call& c) { return Ok(service_.UnlockUser(c.who(), c.Id())); });
  add("GET", "/api/v1/users/{id}/grants", "sysadmin|self", "账号的站点权限",
      [this](Call& c) { return Ok(service_.ListGrants(c.who(), c.Id())); });
  add("POST", "/api/v1/users/{id}/grants", "sysadmin", "分配站点权限",
      [this](Call& c) { return Ok(service_.AddGrant(c.who(), c.Id(), c.body), 201); });
  add("DELETE", "/api/v1/grants/{id}", "sysadmin", "撤销站点权限",
      [this](Call& c) { return NoContent(service_.RemoveGrant(c.who(), c.Id())); });

  // --- security settings (安全管理员) ---------------------------------------
  add("GET", "/api/v1/settings/security", "secadmin", "安全设置",
      [this](Call& c) { return Ok(service_.GetSecuritySettings(c.who())); });
  add("PATCH", "/api/v1/settings/security", "secadmin", "修改安全设置",
      [this](Call& c) { return Ok(service_.UpdateSecuritySettings(c.who(), c.body)); });

  // --- audit (审计管理员) ---------------------------------------------------
  add("GET", "/api/v1/audit", "auditor", "审计日志", [this](Call& c) -> Result<Reply> {
    ZQ_ASSIGN_OR_RETURN(auto page, ParsePage(c.req));
    ZQ_ASSIGN_OR_RETURN(
        json f, Filters(c.req, {"from", "to"}, {"actor", "action", "target_type", "result", "q"}));
    return Ok(service_.ListAudit(c.who(), page, f));
  });
  // --- inspections (巡检): 系统管理员 runs them, 审计管理员 may read them --
  auto inspector = [this]() -> Result<inspect::Inspector*> {
    if (!options_.inspector) return Fail(Error{Code::kUnavailable, "巡检功能未启用", "", {}});
    return options_.inspector;
  };
  auto may_read = [](const Principal& p) -> Status {
    if (!p.IsSysadmin() && !p.IsAuditor())
      return Fail(Error::Forbidden("仅系统管理员和审计管理员可以查看巡检报告"));
    return {};
  };
  add("GET", "/api/v1/inspections", "sysadmin|auditor", "巡检记录列表",
      [=](Call& c) -> Result<Reply> {
        ZQ_TRY(may_read(c.who()));
        ZQ_ASSIGN_OR_RETURN(auto page, ParsePage(c.req));
        ZQ_ASSIGN_OR_RETURN(auto* in, inspector());
        return Ok(in->List(page.page_size, (page.page - 1) * page.page_size));
      });
  add("POST", "/api/v1/inspections", "sysadmin", "立即巡检", [=](Call& c) -> Result<Reply> {
    if (!c.who().IsSysadmin()) return Fail(Error::Forbidden("仅系统管理员可以执行巡检"));
    if (!c.body.is_null() && !(c.body.is_object() && c.body.empty())) {
      if (!c.body.is_object()) return Fail(Error::Invalid("body", "请求体必须是 JSON 对象"));
      return Fail(Error::Invalid(c.body.begin().key(), "未知字段 " + c.body.begin().key()));
    }
    ZQ_ASSIGN_OR_RETURN(auto* in, inspector());
    return Ok(in->Run("manual", c.who()), 201);
  });
  add("GET", "/api/v1/inspections/{id}", "sysadmin|auditor", "巡检报告",
      [=](Call& c) -> Result<Reply> {
        ZQ_TRY(may_read(c.who()));
        ZQ_ASSIGN_OR_RETURN(auto* in, inspector());
        return Ok(in->Get(c.Id()));
      });
  add("GET", "/api/v1/inspections/{id}/report.html", "sysadmin|auditor", "巡检报告（HTML）",
      [=](Call& c) -> Result<Reply> {
        ZQ_TRY(may_read(c.who()));
        ZQ_ASSIGN_OR_RETURN(auto* in, inspector());
        ZQ_ASSIGN_OR_RETURN(json report, in->Get(c.Id()));
        Reply r;
        r.raw_type = "text/html; charset=utf-8";
        r.raw = inspect::RenderHtml(report);
        return r;
      });
  add("GET", "/api/v1/inspections/{id}/report.pdf", "sysadmin|auditor", "巡检报告（PDF）",
      [=](Call& c) -> Result<Reply> {
        ZQ_TRY(may_read(c.who()));
        ZQ_ASSIGN_OR_RETURN(auto* in, inspector());
        ZQ_ASSIGN_OR_RETURN(json report, in->Get(c.Id()));
        ZQ_ASSIGN_OR_RETURN(std::string pdf, inspect::RenderPdf(report));
        Reply r;
        r.raw_type = "application/pdf";
        r.raw = std::move(pdf);
        r.headers.emplace_back("Content-Disposition", "inline; filename=\"inspection-" +
                                                          std::to_string(c.Id()) + ".pdf\"");
        return r;
      });

  add("GET", "/api/v1/audit/verify", "auditor", "校验审计链", [this](Call& c) -> Result<Reply> {
    if (!c.who().IsAuditor()) return Fail(Error::Forbidden("仅审计管理员可以校验审计日志"));
    ZQ_ASSIGN_OR_RETURN(auto rep, service_.VerifyAudit());
    return Reply{200,
                 {{"ok", rep.ok},
                  {"entries", rep.entries},
                  {"first_bad_seq", rep.first_bad_seq},
                  {"problem", rep.problem},
                  {"message", rep.message}},
                 {},
                 {},
                 {}};
  });
  // --- monitoring, incidents, alerts (系统管理员) ------------------------------
  // Every route checks the role before it looks at the body or the id.
  // Without monitoring (ApiOptions::monitoring unset) the routes answer 503,
  // after the role check so that others still get their 403.
  auto add_mon = [this, &add](std::string method, std::string pattern, std::string owner,
                              std::string summary, ApiFn fn) {
    add(std::move(method), std::move(pattern), std::move(owner), std::move(summary),
        [this, fn = std::move(fn)](Call& c) -> Result<Reply> {
          if (!options_.monitoring) {
            ZQ_TRY(SysadminOnly(c.who()));
            return Fail(Error{Code::kUnavailable, "监测功能未启用", "", {}});
          }
          return fn(c);
        });
  };
  auto mon = [this]() -> ops::Monitoring& { return *options_.monitoring; };
  add_mon("GET", "/api/v1/monitors", "sysadmin", "监测项列表", [mon](Call& c) -> Result<Reply> {
    ZQ_TRY(SysadminOnly(c.who()));
    ZQ_ASSIGN_OR_RETURN(json f, Filters(c.req, {"site_id"}, {"kind"}));
    return Ok(mon().ListMonitors(c.who(), f));
  });
  add_mon("POST", "/api/v1/monitors", "sysadmin", "添加监测项",
          [mon](Call& c) { return Ok(mon().CreateMonitor(c.who(), c.body), 201); });
  add_mon("GET", "/api/v1/monitors/{id}", "sysadmin", "监测项详情",
          [mon](Call& c) { return Ok(mon().GetMonitor(c.who(), c.Id())); });
  add_mon("PATCH", "/api/v1/monitors/{id}", "sysadmin", "修改监测项",
          [mon](Call& c) { return Ok(mon().UpdateMonitor(c.who(), c.Id(), c.body)); });
  add_mon("DELETE", "/api/v1/monitors/{id}", "sysadmin", "删除监测项",
          [mon](Call& c) { return NoContent(mon().DeleteMonitor(c.who(), c.Id())); });
  add_mon("GET", "/api/v1/monitors/{id}/results", "sysadmin", "监测结果",
          [mon](Call& c) -> Result<Reply> {
            ZQ_TRY(SysadminOnly(c.who()));
            ZQ_ASSIGN_OR_RETURN(json f, Filters(c.req, {"from", "to", "limit"}, {"resolution"}));
            return Ok(mon().ListResults(c.who(), c.Id(), f));
          });
  add_mon("GET", "/api/v1/incidents", "sysadmin", "故障事件列表", [mon](Call& c) -> Result<Reply> {
    ZQ_TRY(SysadminOnly(c.who()));
    ZQ_ASSIGN_OR_RETURN(json f, Filters(c.req, {"monitor_id", "site_id"}, {"status", "month"}));
    return Ok(mon().ListIncidents(c.who(), f));
  });
  add_mon("POST", "/api/v1/incidents/{id}/acknowledge", "sysadmin", "确认故障事件",
          [mon](Call& c) { return Ok(mon().AcknowledgeIncident(c.who(), c.Id(), c.body)); });
  add_mon("GET", "/api/v1/alert-channels", "sysadmin", "告警渠道列表",
          [mon](Call& c) { return Ok(mon().ListChannels(c.who())); });
  add_mon("POST", "/api/v1/alert-channels", "sysadmin", "添加告警渠道",
          [mon](Call& c) { return Ok(mon().CreateChannel(c.who(), c.body), 201); });
  add_mon("PATCH", "/api/v1/alert-channels/{id}", "sysadmin", "修改告警渠道",
          [mon](Call& c) { return Ok(mon().UpdateChannel(c.who(), c.Id(), c.body)); });
  add_mon("DELETE", "/api/v1/alert-channels/{id}", "sysadmin", "删除告警渠道",
          [mon](Call& c) { return NoContent(mon().DeleteChannel(c.who(), c.Id())); });
  add_mon("GET", "/api/v1/alert-deliveries", "sysadmin", "告警发送记录",
          [mon](Call& c) -> Result<Reply> {
            ZQ_TRY(SysadminOnly(c.who()));
            ZQ_ASSIGN_OR_RETURN(json f, Filters(c.req, {}, {"status"}));
            return Ok(mon().ListDeliveries(c.who(), f));
          });
  add_mon("GET", "/api/v1/maintenance-windows", "sysadmin", "维护窗口列表",
          [mon](Call& c) { return Ok(mon().ListWindows(c.who())); });
  add_mon("POST", "/api/v1/maintenance-windows", "sysadmin", "设置维护窗口",
          [mon](Call& c) { return Ok(mon().CreateWindow(c.who(), c.body), 201); });
  add_mon("DELETE", "/api/v1/maintenance-windows/{id}", "sysadmin", "删除维护窗口",
          [mon](Call& c) { return NoContent(mon().DeleteWindow(c.who(), c.Id())); });
  add_mon("GET", "/api/v1/monitoring/settings", "sysadmin", "监测设置",
          [mon](Call& c) { return Ok(mon().GetSettings(c.who())); });
  add_mon("PATCH", "/api/v1/monitoring/settings", "sysadmin", "修改监测设置（重保模式）",
          [mon](Call& c) { return Ok(mon().UpdateSettings(c.who(), c.body)); });
  add_mon("GET", "/api/v1/availability", "sysadmin", "站点可用率", [mon](Call& c) -> Result<Reply> {
    ZQ_TRY(SysadminOnly(c.who()));
    ZQ_ASSIGN_OR_RETURN(json f, Filters(c.req, {}, {"month"}));
    return Ok(mon().Availability(c.who(), f.value("month", "")));
  });
}

}  // namespace zhanqun::http
