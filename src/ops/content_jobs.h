// Jobs over content, run by the scheduler (ops/scheduler.h).
#pragma once

#include "ops/scheduler.h"

namespace zhanqun::service {
class Service;
}

namespace zhanqun::ops {

// 定时发布: every few seconds, approved articles whose time has come are
// published through the service (audited, announced to the publisher).
class ScheduledPublishJob : public Job {
 public:
  explicit ScheduledPublishJob(service::Service& service,
                               std::chrono::seconds every = std::chrono::seconds(5))
      : service_(service), every_(every) {}
  std::string name() const override { return "scheduled_publish"; }
  std::string title() const override { return "定时发布"; }
  Schedule schedule() const override { return Schedule::Every(every_); }
  std::chrono::seconds deadline() const override { return std::chrono::minutes(5); }
  Result<JobOutcome> Run(JobContext& ctx) override;

 private:
  service::Service& service_;
  std::chrono::seconds every_;
};

}  // namespace zhanqun::ops
