#include "http/api/api.h"
#include "http/api/internal.h"

namespace zhanqun::http {

using namespace api;

void Api::AddSiteRoutes() {
  // --- sites ----------------------------------------------------------------
  Add("GET", "/api/v1/sites", Owner::Site(Owner::SiteAccess::kRead), "站点列表",
      [this](Call& c) -> Result<Reply> {
        ZQ_ASSIGN_OR_RETURN(auto page, ParsePage(c.req));
        return Ok(service_.ListSites(c.who(), page, c.req.Query("q")));
      });
  Add("POST", "/api/v1/sites", Owner::Roles({"sysadmin"}), "新建站点",
      [this](Call& c) { return Ok(service_.CreateSite(c.who(), c.body), 201); });
  Add("GET", "/api/v1/sites/{id}", Owner::Site(Owner::SiteAccess::kRead), "站点详情",
      [this](Call& c) { return Ok(service_.GetSite(c.who(), c.Id())); });
  Add("PATCH", "/api/v1/sites/{id}", Owner::Site(Owner::SiteAccess::kManage), "修改站点",
      [this](Call& c) -> Result<Reply> {
        return Ok(service_.UpdateSite(c.who(), c.Id(), c.body));
      });
  Add("DELETE", "/api/v1/sites/{id}", Owner::Roles({"sysadmin"}), "删除站点",
      [this](Call& c) { return NoContent(service_.DeleteSite(c.who(), c.Id())); });
  Add("POST", "/api/v1/sites/{id}/preview", Owner::Site(Owner::SiteAccess::kRead), "按站点主题预览",
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
  Add("GET", "/api/v1/sites/{id}/grants", Owner::Site(Owner::SiteAccess::kManage), "站点成员与权限",
      [this](Call& c) { return Ok(service_.ListSiteGrants(c.who(), c.Id())); });
  Add("GET", "/api/v1/dashboard", Owner::SignedIn(), "工作台",
      [this](Call& c) { return Ok(service_.Dashboard(c.who())); });
  Add("GET", "/api/v1/themes", Owner::Site(Owner::SiteAccess::kRead), "主题列表",
      [this](Call& c) -> Result<Reply> {
        if (!c.who().IsSysadmin() && c.who().grants.empty()) {
          return Fail(Error::Forbidden("只有系统管理员和站点用户可以查看主题"));
        }
        json items = options_.list_themes ? options_.list_themes() : json::array();
        return Reply{200, {{"items", items}, {"total", items.size()}}, {}, {}, {}};
      });
  // --- columns -----------------------------------------------------------
  Add("GET", "/api/v1/sites/{id}/columns", Owner::Site(Owner::SiteAccess::kRead), "栏目列表",
      [this](Call& c) { return Ok(service_.ListColumns(c.who(), c.Id())); });
  Add("POST", "/api/v1/sites/{id}/columns", Owner::Site(Owner::SiteAccess::kManage), "新建栏目",
      [this](Call& c) { return Ok(service_.CreateColumn(c.who(), c.Id(), c.body), 201); });
  Add("PATCH", "/api/v1/columns/{id}", Owner::Site(Owner::SiteAccess::kManage), "修改栏目",
      [this](Call& c) { return Ok(service_.UpdateColumn(c.who(), c.Id(), c.body)); });
  Add("DELETE", "/api/v1/columns/{id}", Owner::Site(Owner::SiteAccess::kManage), "删除栏目",
      [this](Call& c) { return NoContent(service_.DeleteColumn(c.who(), c.Id())); });
  Add("POST", "/api/v1/sites/{id}/columns/reorder", Owner::Site(Owner::SiteAccess::kManage),
      "批量调整栏目位置",
      [this](Call& c) { return Ok(service_.ReorderColumns(c.who(), c.Id(), c.body)); });
}

}  // namespace zhanqun::http
