// The monthly inspection (月度巡检) as a scheduler job: checked every minute,
// it runs when this month's inspection is due ([inspect] schedule_day and
// schedule_time) and not yet stored.
#pragma once

#include "inspect/inspect.h"
#include "ops/scheduler.h"

namespace zhanqun::inspect {

class InspectionJob : public ops::Job {
 public:
  explicit InspectionJob(Inspector& inspector) : inspector_(inspector) {}
  std::string name() const override { return "monthly_inspection"; }
  std::string title() const override { return "月度巡检"; }
  ops::Schedule schedule() const override { return ops::Schedule::Every(std::chrono::minutes(1)); }
  std::chrono::seconds deadline() const override { return std::chrono::minutes(15); }
  Result<ops::JobOutcome> Run(ops::JobContext& ctx) override {
    ZQ_ASSIGN_OR_RETURN(json report, inspector_.RunIfDue(ctx.now_ms()));
    if (report.is_null()) return ops::JobOutcome::Idle();
    const json& s = report["summary"];
    return ops::JobOutcome::Did(
        "巡检报告 " + report["id"].dump() + "：正常 " + s.value("ok", json(0)).dump() + "，警告 " +
            s.value("warn", json(0)).dump() + "，异常 " + s.value("fail", json(0)).dump(),
        {{"inspection_id", report["id"]}});
  }

 private:
  Inspector& inspector_;
};

}  // namespace zhanqun::inspect
