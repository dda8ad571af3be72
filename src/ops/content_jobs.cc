#include "ops/content_jobs.h"

#include "service/service.h"

namespace zhanqun::ops {

Result<JobOutcome> ScheduledPublishJob::Run(JobContext& ctx) {
  ZQ_ASSIGN_OR_RETURN(std::vector<int64_t> ids, service_.PublishScheduled(ctx.now_ms()));
  if (ids.empty()) return JobOutcome::Idle();
  return JobOutcome::Did("发布 " + std::to_string(ids.size()) + " 篇定时信息", {{"articles", ids}});
}

}  // namespace zhanqun::ops
