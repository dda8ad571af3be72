#include "http/api/api.h"
#include "http/api/internal.h"
#include "inspect/inspect.h"

namespace zhanqun::http {

using namespace api;

void Api::AddAuditRoutes() {
  // --- audit (审计管理员) ---------------------------------------------------
  Add("GET", "/api/v1/audit", Owner::Roles({"auditor"}), "审计日志",
      [this](Call& c) -> Result<Reply> {
        ZQ_ASSIGN_OR_RETURN(auto page, ParsePage(c.req));
        ZQ_ASSIGN_OR_RETURN(json f, Filters(c.req, {"from", "to"},
                                            {"actor", "action", "target_type", "result", "q"}));
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
  Add("GET", "/api/v1/inspections", Owner::Roles({"sysadmin", "auditor"}), "巡检记录列表",
      [=](Call& c) -> Result<Reply> {
        ZQ_TRY(may_read(c.who()));
        ZQ_ASSIGN_OR_RETURN(auto page, ParsePage(c.req));
        ZQ_ASSIGN_OR_RETURN(auto* in, inspector());
        return Ok(in->List(page.page_size, (page.page - 1) * page.page_size));
      });
  Add("POST", "/api/v1/inspections", Owner::Roles({"sysadmin"}), "立即巡检",
      [=](Call& c) -> Result<Reply> {
        if (!c.who().IsSysadmin()) return Fail(Error::Forbidden("仅系统管理员可以执行巡检"));
        if (!c.body.is_null() && !(c.body.is_object() && c.body.empty())) {
          if (!c.body.is_object()) return Fail(Error::Invalid("body", "请求体必须是 JSON 对象"));
          return Fail(Error::Invalid(c.body.begin().key(), "未知字段 " + c.body.begin().key()));
        }
        ZQ_ASSIGN_OR_RETURN(auto* in, inspector());
        return Ok(in->Run("manual", c.who()), 201);
      });
  Add("GET", "/api/v1/inspections/{id}", Owner::Roles({"sysadmin", "auditor"}), "巡检报告",
      [=](Call& c) -> Result<Reply> {
        ZQ_TRY(may_read(c.who()));
        ZQ_ASSIGN_OR_RETURN(auto* in, inspector());
        return Ok(in->Get(c.Id()));
      });
  Add("GET", "/api/v1/inspections/{id}/report.html", Owner::Roles({"sysadmin", "auditor"}),
      "巡检报告（HTML）", [=](Call& c) -> Result<Reply> {
        ZQ_TRY(may_read(c.who()));
        ZQ_ASSIGN_OR_RETURN(auto* in, inspector());
        ZQ_ASSIGN_OR_RETURN(json report, in->Get(c.Id()));
        Reply r;
        r.raw_type = "text/html; charset=utf-8";
        r.raw = inspect::RenderHtml(report);
        return r;
      });
  Add("GET", "/api/v1/inspections/{id}/report.pdf", Owner::Roles({"sysadmin", "auditor"}),
      "巡检报告（PDF）", [=](Call& c) -> Result<Reply> {
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

  Add("GET", "/api/v1/audit/verify", Owner::Roles({"auditor"}), "校验审计链",
      [this](Call& c) -> Result<Reply> {
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
}

}  // namespace zhanqun::http
