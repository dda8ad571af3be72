// The scheduler runs every background job with a top-level handler: a job
// that throws or fails is recorded as failed, and both listeners keep
// answering. Runs are visible to the 系统管理员 through /api/v1/jobs.
#include "ops/scheduler.h"

#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>

#include "support/fixture.h"

namespace zhanqun::testing {
namespace {

using namespace std::chrono_literals;

class ThrowingJob : public ops::Job {
 public:
  explicit ThrowingJob(std::atomic<int>& runs) : runs_(runs) {}
  std::string name() const override { return "test_throws"; }
  std::string title() const override { return "测试：抛出异常"; }
  ops::Schedule schedule() const override { return ops::Schedule::Every(1h); }
  Result<ops::JobOutcome> Run(ops::JobContext&) override {
    ++runs_;
    throw std::runtime_error("模拟的故障 boom");
  }

 private:
  std::atomic<int>& runs_;
};

class FailingJob : public ops::Job {
 public:
  std::string name() const override { return "test_fails"; }
  std::string title() const override { return "测试：返回错误"; }
  ops::Schedule schedule() const override { return ops::Schedule::Every(1h); }
  Result<ops::JobOutcome> Run(ops::JobContext&) override {
    return Fail(Error{Code::kUnavailable, "远端不可用", "", "connect refused"});
  }
};

class IdleJob : public ops::Job {
 public:
  std::string name() const override { return "test_idle"; }
  std::string title() const override { return "测试：无事可做"; }
  ops::Schedule schedule() const override { return ops::Schedule::Every(1h); }
  Result<ops::JobOutcome> Run(ops::JobContext&) override { return ops::JobOutcome::Idle(); }
};

json RunsOf(Client& c, const std::string& job) {
  auto r = c.Get("/api/v1/jobs/runs?job=" + job);
  EXPECT_EQ(r.status, 200) << r.body;
  return r.Json();
}

TEST(Scheduler, AJobThatThrowsIsRecordedAndBothListenersStillAnswer) {
  TestPlatform tp;
  std::atomic<int> runs{0};
  tp.platform().scheduler().Add(std::make_unique<ThrowingJob>(runs));
  ASSERT_TRUE(tp.platform().scheduler().WaitForRuns("test_throws", 1, 20s));
  EXPECT_EQ(runs.load(), 1);

  // Run it again on demand: the scheduler survived the first exception.
  Client admin = tp.As("sysadmin");
  auto now = admin.Post("/api/v1/jobs/test_throws/run", json::object());
  EXPECT_EQ(now.status, 202) << now.body;
  ASSERT_TRUE(tp.platform().scheduler().WaitForRuns("test_throws", 2, 20s));

  json list = RunsOf(admin, "test_throws");
  ASSERT_EQ(list["total"], 2) << list.dump();
  for (const auto& r : list["items"]) {
    EXPECT_EQ(r["outcome"], "failed");
    EXPECT_NE(r["error"].get<std::string>().find("模拟的故障 boom"), std::string::npos);
    EXPECT_GE(r["finished_at"].get<int64_t>(), r["started_at"].get<int64_t>());
  }
  // The listeners answer.
  EXPECT_EQ(Client(tp.admin_base()).Get("/api/v1/health").status, 200);
  auto pub = Client(tp.public_base()).Get("/");
  EXPECT_EQ(pub.status, 404) << "the public listener answers (no site on this host)";
  // The job list shows the last run; /metrics counts the failures.
  json jobs = admin.Get("/api/v1/jobs").Json();
  bool seen = false;
  for (const auto& j : jobs["items"]) {
    if (j["name"] == "test_throws") {
      seen = true;
      EXPECT_EQ(j["last"]["outcome"], "failed");
      EXPECT_EQ(j["title"], "测试：抛出异常");
    }
  }
  EXPECT_TRUE(seen) << jobs.dump();
  std::string metrics = Client(tp.admin_base()).Get("/metrics").body;
  EXPECT_NE(metrics.find("zhanqun_job_failures_total{job=\"test_throws\"} 2"), std::string::npos)
      << metrics;
}

TEST(Scheduler, AFailedRunKeepsThePublicMessageAndTheInspectionSeesIt) {
  TestPlatform tp;
  tp.platform().scheduler().Add(std::make_unique<FailingJob>());
  ASSERT_TRUE(tp.platform().scheduler().WaitForRuns("test_fails", 1, 20s));
  Client admin = tp.As("sysadmin");
  json list = RunsOf(admin, "test_fails");
  ASSERT_EQ(list["total"], 1);
  EXPECT_EQ(list["items"][0]["error"], "远端不可用");
  // The internal detail stays in the log, never in the API.
  EXPECT_EQ(list.dump().find("connect refused"), std::string::npos);
  auto state = tp.service().db().ReadValue<std::string>([](store::Conn& c) -> Result<std::string> {
    ZQ_ASSIGN_OR_RETURN(auto row, c.QueryOne("SELECT value FROM scheduler_state WHERE name = "
                                             "'last_error'",
                                             {}, "state"));
    return row.Text("value");
  });
  ASSERT_TRUE(state);
  EXPECT_EQ(*state, "测试：返回错误：远端不可用");
}

TEST(Scheduler, IdleRunsAreFoldedIntoOneRow) {
  TestPlatform tp;
  tp.platform().scheduler().Add(std::make_unique<IdleJob>());
  auto& s = tp.platform().scheduler();
  ASSERT_TRUE(s.WaitForRuns("test_idle", 1, 20s));
  for (int i = 2; i <= 4; ++i) {
    ASSERT_TRUE(s.RunNow("test_idle"));
    ASSERT_TRUE(s.WaitForRuns("test_idle", i, 20s));
  }
  Client admin = tp.As("sysadmin");
  json list = RunsOf(admin, "test_idle");
  ASSERT_EQ(list["total"], 1) << list.dump();
  EXPECT_EQ(list["items"][0]["outcome"], "idle");
  EXPECT_EQ(list["items"][0]["repeats"], 4);
}

TEST(Scheduler, RunningAnUnknownJobIsNotFoundAndOthersMayNotRunJobs) {
  TestPlatform tp;
  Client admin = tp.As("sysadmin");
  auto r = admin.Post("/api/v1/jobs/no_such_job/run", json::object());
  EXPECT_EQ(r.status, 404) << r.body;
  EXPECT_EQ(tp.As("auditor").Post("/api/v1/jobs/scheduled_publish/run", json::object()).status,
            403);
  EXPECT_EQ(tp.As("secadmin").Get("/api/v1/jobs").status, 403);
  // The platform's own jobs are listed with their schedules.
  json jobs = admin.Get("/api/v1/jobs").Json();
  std::set<std::string> names;
  for (const auto& j : jobs["items"]) names.insert(j["name"]);
  EXPECT_TRUE(names.count("scheduled_publish")) << jobs.dump();
  EXPECT_TRUE(names.count("monthly_inspection")) << jobs.dump();
}

}  // namespace
}  // namespace zhanqun::testing
