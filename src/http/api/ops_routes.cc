#include "http/api/api.h"
#include "http/api/internal.h"
#include "ops/monitoring.h"
#include "ops/scheduler.h"

namespace zhanqun::http {

using namespace api;

namespace {

json JobRunJson(const ops::JobRun& r) {
  return {{"id", r.id},
          {"job", r.job},
          {"started_at", r.started_at},
          {"finished_at", r.finished_at},
          {"outcome", r.outcome},
          {"repeats", r.repeats},
          {"summary", r.summary},
          {"error", r.error},
          {"detail", r.detail}};
}

}  // namespace

void Api::AddOpsRoutes() {
  // --- monitoring, incidents, alerts (系统管理员) ------------------------------
  // Every route checks the role before it looks at the body or the id.
  // Without monitoring (ApiOptions::monitoring unset) the routes answer 503;
  // the owner check comes first, so others still get their 403.
  auto add_mon = [this](std::string method, std::string pattern, const Owner& owner,
                        std::string summary, ApiFn fn) {
    Add(std::move(method), std::move(pattern), owner, std::move(summary),
        [this, fn = std::move(fn)](Call& c) -> Result<Reply> {
          if (!options_.monitoring) {
            return Fail(Error{Code::kUnavailable, "监测功能未启用", "", {}});
          }
          return fn(c);
        });
  };
  auto mon = [this]() -> ops::Monitoring& { return *options_.monitoring; };
  add_mon("GET", "/api/v1/monitors", Owner::Roles({"sysadmin"}), "监测项列表",
          [mon](Call& c) -> Result<Reply> {
            ZQ_TRY(SysadminOnly(c.who()));
            ZQ_ASSIGN_OR_RETURN(json f, Filters(c.req, {"site_id"}, {"kind"}));
            return Ok(mon().ListMonitors(c.who(), f));
          });
  add_mon("POST", "/api/v1/monitors", Owner::Roles({"sysadmin"}), "添加监测项",
          [mon](Call& c) { return Ok(mon().CreateMonitor(c.who(), c.body), 201); });
  add_mon("GET", "/api/v1/monitors/{id}", Owner::Roles({"sysadmin"}), "监测项详情",
          [mon](Call& c) { return Ok(mon().GetMonitor(c.who(), c.Id())); });
  add_mon("PATCH", "/api/v1/monitors/{id}", Owner::Roles({"sysadmin"}), "修改监测项",
          [mon](Call& c) { return Ok(mon().UpdateMonitor(c.who(), c.Id(), c.body)); });
  add_mon("DELETE", "/api/v1/monitors/{id}", Owner::Roles({"sysadmin"}), "删除监测项",
          [mon](Call& c) { return NoContent(mon().DeleteMonitor(c.who(), c.Id())); });
  add_mon("GET", "/api/v1/monitors/{id}/results", Owner::Roles({"sysadmin"}), "监测结果",
          [mon](Call& c) -> Result<Reply> {
            ZQ_TRY(SysadminOnly(c.who()));
            ZQ_ASSIGN_OR_RETURN(json f, Filters(c.req, {"from", "to", "limit"}, {"resolution"}));
            return Ok(mon().ListResults(c.who(), c.Id(), f));
          });
  add_mon(
      "GET", "/api/v1/incidents", Owner::Roles({"sysadmin"}), "故障事件列表",
      [mon](Call& c) -> Result<Reply> {
        ZQ_TRY(SysadminOnly(c.who()));
        ZQ_ASSIGN_OR_RETURN(json f, Filters(c.req, {"monitor_id", "site_id"}, {"status", "month"}));
        return Ok(mon().ListIncidents(c.who(), f));
      });
  add_mon("POST", "/api/v1/incidents/{id}/acknowledge", Owner::Roles({"sysadmin"}), "确认故障事件",
          [mon](Call& c) { return Ok(mon().AcknowledgeIncident(c.who(), c.Id(), c.body)); });
  add_mon("GET", "/api/v1/alert-channels", Owner::Roles({"sysadmin"}), "告警渠道列表",
          [mon](Call& c) { return Ok(mon().ListChannels(c.who())); });
  add_mon("POST", "/api/v1/alert-channels", Owner::Roles({"sysadmin"}), "添加告警渠道",
          [mon](Call& c) { return Ok(mon().CreateChannel(c.who(), c.body), 201); });
  add_mon("PATCH", "/api/v1/alert-channels/{id}", Owner::Roles({"sysadmin"}), "修改告警渠道",
          [mon](Call& c) { return Ok(mon().UpdateChannel(c.who(), c.Id(), c.body)); });
  add_mon("DELETE", "/api/v1/alert-channels/{id}", Owner::Roles({"sysadmin"}), "删除告警渠道",
          [mon](Call& c) { return NoContent(mon().DeleteChannel(c.who(), c.Id())); });
  add_mon("GET", "/api/v1/alert-deliveries", Owner::Roles({"sysadmin"}), "告警发送记录",
          [mon](Call& c) -> Result<Reply> {
            ZQ_TRY(SysadminOnly(c.who()));
            ZQ_ASSIGN_OR_RETURN(json f, Filters(c.req, {}, {"status"}));
            return Ok(mon().ListDeliveries(c.who(), f));
          });
  add_mon("GET", "/api/v1/maintenance-windows", Owner::Roles({"sysadmin"}), "维护窗口列表",
          [mon](Call& c) { return Ok(mon().ListWindows(c.who())); });
  add_mon("POST", "/api/v1/maintenance-windows", Owner::Roles({"sysadmin"}), "设置维护窗口",
          [mon](Call& c) { return Ok(mon().CreateWindow(c.who(), c.body), 201); });
  add_mon("DELETE", "/api/v1/maintenance-windows/{id}", Owner::Roles({"sysadmin"}), "删除维护窗口",
          [mon](Call& c) { return NoContent(mon().DeleteWindow(c.who(), c.Id())); });
  add_mon("GET", "/api/v1/monitoring/settings", Owner::Roles({"sysadmin"}), "监测设置",
          [mon](Call& c) { return Ok(mon().GetSettings(c.who())); });
  add_mon("PATCH", "/api/v1/monitoring/settings", Owner::Roles({"sysadmin"}),
          "修改监测设置（重保模式）",
          [mon](Call& c) { return Ok(mon().UpdateSettings(c.who(), c.body)); });
  add_mon("GET", "/api/v1/availability", Owner::Roles({"sysadmin"}), "站点可用率",
          [mon](Call& c) -> Result<Reply> {
            ZQ_TRY(SysadminOnly(c.who()));
            ZQ_ASSIGN_OR_RETURN(json f, Filters(c.req, {}, {"month"}));
            return Ok(mon().Availability(c.who(), f.value("month", "")));
          });
  // --- background jobs (系统管理员): the scheduler's jobs and their runs ------
  auto sched = [this]() -> Result<ops::Scheduler*> {
    if (!options_.scheduler) return Fail(Error{Code::kUnavailable, "调度器未启用", "", {}});
    return options_.scheduler;
  };
  Add("GET", "/api/v1/jobs", Owner::Roles({"sysadmin"}), "后台任务列表",
      [sched](Call& c) -> Result<Reply> {
        if (!c.who().IsSysadmin()) return Fail(Error::Forbidden("仅系统管理员可以查看后台任务"));
        ZQ_ASSIGN_OR_RETURN(auto* s, sched());
        json items = json::array();
        for (const auto& j : s->Jobs()) {
          json item = {{"name", j.name},       {"title", j.title},       {"schedule", j.schedule},
                       {"running", j.running}, {"next_due", j.next_due}, {"last", nullptr}};
          if (j.last) item["last"] = JobRunJson(*j.last);
          items.push_back(std::move(item));
        }
        return Reply{200, {{"items", items}, {"total", items.size()}}, {}, {}, {}};
      });
  Add("GET", "/api/v1/jobs/runs", Owner::Roles({"sysadmin"}), "后台任务运行记录",
      [sched](Call& c) -> Result<Reply> {
        if (!c.who().IsSysadmin()) return Fail(Error::Forbidden("仅系统管理员可以查看后台任务"));
        ZQ_ASSIGN_OR_RETURN(auto page, ParsePage(c.req));
        ZQ_ASSIGN_OR_RETURN(json f, Filters(c.req, {}, {"job"}));
        ZQ_ASSIGN_OR_RETURN(auto* s, sched());
        int64_t total = 0;
        ZQ_ASSIGN_OR_RETURN(auto runs, s->Runs(f.value("job", ""), page.page_size,
                                               (page.page - 1) * page.page_size, &total));
        json items = json::array();
        for (const auto& r : runs) items.push_back(JobRunJson(r));
        return Reply{200, {{"items", items}, {"total", total}}, {}, {}, {}};
      });
  Add("POST", "/api/v1/jobs/{name}/run", Owner::Roles({"sysadmin"}), "立即执行后台任务",
      [this, sched](Call& c) -> Result<Reply> {
        if (!c.who().IsSysadmin()) return Fail(Error::Forbidden("仅系统管理员可以执行后台任务"));
        ZQ_ASSIGN_OR_RETURN(auto* s, sched());
        std::string name = c.Param("name");
        ZQ_TRY(s->RunNow(name));
        ZQ_TRY(service_.RecordEvent(c.who(), "job.run", "job", name, "success", json::object()));
        return Reply{202, {{"name", name}, {"queued", true}}, {}, {}, {}};
      });
}

}  // namespace zhanqun::http
