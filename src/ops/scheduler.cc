#include "ops/scheduler.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>

#include "core/china_time.h"
#include "ops/monitoring.h"

namespace zhanqun::ops {

using nlohmann::json;

int64_t Schedule::NextAfter(int64_t after_ms) const {
  switch (kind) {
    case Kind::kEvery:
      return after_ms + std::max<int64_t>(1000, every.count() * 1000);
    case Kind::kDaily: {
      ChinaCivil c = ToChinaCivil(after_ms);
      int64_t t = FromChinaCivil(c.year, c.month, c.day, hour, minute);
      return t > after_ms ? t : FromChinaCivil(c.year, c.month, c.day + 1, hour, minute);
    }
    case Kind::kMonthly: {
      ChinaCivil c = ToChinaCivil(after_ms);
      int64_t t = FromChinaCivil(c.year, c.month, day, hour, minute);
      return t > after_ms ? t : FromChinaCivil(c.year, c.month + 1, day, hour, minute);
    }
  }
  return after_ms + 60'000;
}

std::string Schedule::Describe() const {
  char buf[64];
  switch (kind) {
    case Kind::kEvery: {
      int64_t s = every.count();
      if (s % 3600 == 0) {
        std::snprintf(buf, sizeof buf, "每 %lld 小时", static_cast<long long>(s / 3600));
      } else if (s % 60 == 0) {
        std::snprintf(buf, sizeof buf, "每 %lld 分钟", static_cast<long long>(s / 60));
      } else {
        std::snprintf(buf, sizeof buf, "每 %lld 秒", static_cast<long long>(s));
      }
      return buf;
    }
    case Kind::kDaily:
      std::snprintf(buf, sizeof buf, "每天 %02d:%02d", hour, minute);
      return buf;
    case Kind::kMonthly:
      std::snprintf(buf, sizeof buf, "每月 %d 日 %02d:%02d", day, hour, minute);
      return buf;
  }
  return "";
}

struct Scheduler::Entry {
  std::unique_ptr<Job> job;
  std::string name;
  Schedule schedule;
  int64_t next_due = 0;        // GUARDED_BY(mu_)
  bool running = false;        // GUARDED_BY(mu_)
  bool queued = false;         // GUARDED_BY(mu_)
  int64_t finished = 0;        // runs finished since Start(); GUARDED_BY(mu_)
  int64_t idle_row = 0;        // the last recorded row when it was an idle one (worker only)
  std::optional<JobRun> last;  // GUARDED_BY(mu_)
};

Scheduler::Scheduler(store::Db& db, SchedulerOptions options)
    : db_(db), options_(std::move(options)) {}

Scheduler::~Scheduler() { Stop(); }

int64_t Scheduler::Now() const {
  if (options_.now_ms) return options_.now_ms();
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

void Scheduler::Add(std::unique_ptr<Job> job) {
  auto e = std::make_unique<Entry>();
  e->name = job->name();
  e->schedule = job->schedule();
  int64_t now = Now();
  e->next_due = job->run_at_start() ? now : e->schedule.NextAfter(now);
  e->job = std::move(job);
  {
    MutexLock lock(mu_);
    entries_.push_back(std::move(e));
  }
  cv_.notify_all();
}

void Scheduler::Start() {
  MutexLock lock(mu_);
  if (started_) return;
  started_ = true;
  stopping_ = false;
  cancel_ = false;
  int64_t now = Now();
  for (auto& e : entries_) {
    e->next_due = e->job->run_at_start() ? now : e->schedule.NextAfter(now);
  }
  loop_ = std::thread([this] { Loop(); });
  for (int i = 0; i < std::max(1, options_.workers); ++i) {
    workers_.emplace_back([this] { Work(); });
  }
}

void Scheduler::Stop() {
  {
    MutexLock lock(mu_);
    if (!started_) return;
    stopping_ = true;
  }
  cancel_ = true;
  cv_.notify_all();
  if (loop_.joinable()) loop_.join();
  for (auto& t : workers_) {
    if (t.joinable()) t.join();
  }
  workers_.clear();
  MutexLock lock(mu_);
  started_ = false;
  queue_.clear();
  for (auto& e : entries_) e->queued = false;
}

Status Scheduler::RunNow(const std::string& name) {
  {
    MutexLock lock(mu_);
    Entry* found = nullptr;
    for (auto& e : entries_) {
      if (e->name == name) found = e.get();
    }
    if (!found) return Fail(Error::NotFound("没有名为“" + name + "”的任务"));
    found->next_due = 0;
  }
  cv_.notify_all();
  return {};
}

bool Scheduler::WaitForRuns(const std::string& name, int64_t runs,
                            std::chrono::milliseconds timeout) {
  auto until = std::chrono::steady_clock::now() + timeout;
  UniqueLock lock(mu_);
  while (true) {
    for (const auto& e : entries_) {
      if (e->name == name && e->finished >= runs) return true;
    }
    if (done_cv_.wait_until(lock, until) == std::cv_status::timeout) return false;
  }
}

// The loop thread only decides what is due; workers run it. It never blocks
// on a job, so a slow inspection does not hold up scheduled publishing.
void Scheduler::Loop() {
  try {
    UniqueLock lock(mu_);
    while (!stopping_) {
      int64_t now = Now();
      bool any = false;
      for (auto& e : entries_) {
        if (!e->running && !e->queued && e->next_due <= now) {
          e->queued = true;
          queue_.push_back(e.get());
          any = true;
        }
      }
      if (any) cv_.notify_all();
      cv_.wait_for(lock, options_.tick);
    }
  } catch (const std::exception& ex) {
    // Nothing above throws by design; should it, the workers still drain what
    // is queued and the failure is in the log.
    spdlog::critical("scheduler loop: {}", ex.what());
  }
}

void Scheduler::Work() {
  UniqueLock lock(mu_);
  while (true) {
    while (!stopping_ && queue_.empty()) cv_.wait(lock);
    if (stopping_) return;
    Entry* e = queue_.front();
    queue_.erase(queue_.begin());
    e->queued = false;
    e->running = true;
    lock.unlock();
    RunOne(*e);
    lock.lock();
    e->running = false;
    ++e->finished;
    // From the end of the run, so a slow job is not queued back to back.
    e->next_due = std::max(e->next_due, e->schedule.NextAfter(Now()));
    done_cv_.notify_all();
  }
}

void Scheduler::RunOne(Entry& e) {
  JobRun run;
  run.job = e.name;
  run.started_at = Now();
  auto t0 = std::chrono::steady_clock::now();
  auto deadline = t0 + e.job->deadline();
  JobContext ctx(run.started_at, deadline, cancel_);
  try {
    auto r = e.job->Run(ctx);
    if (!r) {
      run.outcome = "failed";
      run.error = r.error().message;
      spdlog::error("job {}: {} {}", e.name, r.error().message, r.error().internal);
    } else {
      run.outcome = r->idle ? "idle" : "ok";
      run.summary = std::move(r->summary);
      run.detail = std::move(r->detail);
    }
  } catch (const std::exception& ex) {
    run.outcome = "failed";
    run.error = std::string("任务异常终止：") + ex.what();
    spdlog::error("job {} threw: {}", e.name, ex.what());
  } catch (...) {
    run.outcome = "failed";
    run.error = "任务异常终止：未知异常";
    spdlog::error("job {} threw a non-standard exception", e.name);
  }
  auto t1 = std::chrono::steady_clock::now();
  run.finished_at = Now();
  if (run.outcome != "failed") {
    if (cancel_) {
      run.outcome = "cancelled";
    } else if (t1 > deadline) {
      run.outcome = "overran";
      run.error = "运行时间超过期限 " + std::to_string(e.job->deadline().count()) + " 秒";
    }
  }
  if (run.detail.is_null()) run.detail = json::object();
  if (options_.metrics) {
    options_.metrics->ObserveJob(e.name, std::chrono::duration<double>(t1 - t0).count(),
                                 run.outcome == "ok" || run.outcome == "idle");
  }
  Record(e, run);
}

void Scheduler::Record(Entry& e, const JobRun& in) {
  JobRun run = in;
  try {
    auto st = db_.Write([&](store::Conn& c) -> Status {
      if (run.outcome == "idle" && e.idle_row != 0) {
        ZQ_ASSIGN_OR_RETURN(int64_t n,
                            c.Exec("UPDATE job_runs SET finished_at = ?, repeats = repeats + 1 "
                                   "WHERE id = ?",
                                   {run.finished_at, e.idle_row}));
        if (n == 1) {
          run.id = e.idle_row;
          return {};
        }
      }
      ZQ_ASSIGN_OR_RETURN(
          auto rows,
          c.Query("INSERT INTO job_runs (job, started_at, finished_at, outcome, repeats, summary, "
                  "error, detail) VALUES (?, ?, ?, ?, 1, ?, ?, ?) RETURNING id",
                  {run.job, run.started_at, run.finished_at, run.outcome, run.summary, run.error,
                   run.detail.dump()}));
      run.id = rows.empty() ? 0 : rows.front().Int("id");
      if (run.outcome == "failed" || run.outcome == "overran") {
        // What the monthly inspection's scheduler check reads.
        ZQ_TRY(c.Exec(
            "INSERT INTO scheduler_state (name, value, updated_at) VALUES ('last_error', ?, ?) "
            "ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = "
            "excluded.updated_at",
            {e.job->title() + "：" + run.error, run.finished_at}));
      }
      ZQ_TRY(c.Exec(
          "INSERT INTO scheduler_state (name, value, updated_at) VALUES ('heartbeat', 'ok', ?) "
          "ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = "
          "excluded.updated_at",
          {run.finished_at}));
      return {};
    });
    if (!st) {
      spdlog::warn("scheduler: cannot record a run of {}: {}", e.name, st.error().internal);
    } else {
      e.idle_row = run.outcome == "idle" ? run.id : 0;
    }
  } catch (const std::exception& ex) {
    spdlog::error("scheduler: recording a run of {} threw: {}", e.name, ex.what());
  }
  MutexLock lock(mu_);
  e.last = std::move(run);
}

std::vector<JobInfo> Scheduler::Jobs() {
  MutexLock lock(mu_);
  std::vector<JobInfo> out;
  for (const auto& e : entries_) {
    JobInfo i;
    i.name = e->name;
    i.title = e->job->title();
    i.schedule = e->schedule.Describe();
    i.running = e->running;
    i.next_due = e->next_due;
    i.last = e->last;
    out.push_back(std::move(i));
  }
  return out;
}

Result<std::vector<JobRun>> Scheduler::Runs(const std::string& job, int64_t limit, int64_t offset,
                                            int64_t* total) {
  return db_.ReadValue<std::vector<JobRun>>([&](store::Conn& c) -> Result<std::vector<JobRun>> {
    std::string where = job.empty() ? "" : " WHERE job = ?";
    store::Params params;
    if (!job.empty()) params.push_back(job);
    if (total) {
      ZQ_ASSIGN_OR_RETURN(*total, c.QueryInt("SELECT COUNT(*) FROM job_runs" + where, params));
    }
    params.push_back(limit);
    params.push_back(offset);
    ZQ_ASSIGN_OR_RETURN(auto rows, c.Query("SELECT id, job, started_at, finished_at, outcome, "
                                           "repeats, summary, error, detail FROM job_runs" +
                                               where + " ORDER BY id DESC LIMIT ? OFFSET ?",
                                           params));
    std::vector<JobRun> out;
    for (const auto& r : rows) {
      JobRun run;
      run.id = r.Int("id");
      run.job = r.Text("job");
      run.started_at = r.Int("started_at");
      run.finished_at = r.Int("finished_at");
      run.outcome = r.Text("outcome");
      run.repeats = r.Int("repeats");
      run.summary = r.Text("summary");
      run.error = r.Text("error");
      run.detail = json::parse(r.Text("detail"), nullptr, false);
      if (run.detail.is_discarded()) run.detail = json::object();
      out.push_back(std::move(run));
    }
    return out;
  });
}

}  // namespace zhanqun::ops
