// The scheduler: one place that runs every background Job of the platform.
//
// - A Job says its name, when it is due (Schedule) and how long a run may take
//   (deadline); Run() gets a JobContext with the deadline and a cancellation
//   flag, and returns what it did or an error.
// - Each job runs on one of the scheduler's worker threads, never two runs of
//   the same job at once. Every run is recorded in the store (job_runs: start,
//   end, outcome, summary, error); consecutive runs that found nothing to do
//   are folded into one row (repeats), so a job due every few seconds does not
//   fill the table.
// - Every exception a job throws is caught at the top of the run and recorded
//   as a failure: a job can never end the process or stop the scheduler.
// - A run past its deadline is recorded as "overran" (threads are not killed;
//   a job checks ctx.Expired()/ctx.Cancelled() at its own safe points).
// - Stop() cancels running jobs and joins every thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/result.h"
#include "core/thread_annotations.h"
#include "store/db.h"

namespace zhanqun::ops {

class Metrics;

// When a job is due. Times of day are China time (UTC+8), as the operators
// read them.
struct Schedule {
  enum class Kind { kEvery, kDaily, kMonthly };
  Kind kind = Kind::kEvery;
  std::chrono::seconds every{60};  // kEvery
  int day = 1;                     // kMonthly: day of month (1-28)
  int hour = 0, minute = 0;        // kDaily, kMonthly

  static Schedule Every(std::chrono::seconds s) { return {Kind::kEvery, s, 1, 0, 0}; }
  static Schedule Daily(int hour, int minute) {
    return {Kind::kDaily, std::chrono::seconds(0), 1, hour, minute};
  }
  static Schedule Monthly(int day, int hour, int minute) {
    return {Kind::kMonthly, std::chrono::seconds(0), day, hour, minute};
  }
  // The first due time strictly after `after_ms` (Unix ms). kEvery: after + every.
  int64_t NextAfter(int64_t after_ms) const;
  // "每 5 秒", "每天 02:30", "每月 1 日 08:00".
  std::string Describe() const;
};

class JobContext {
 public:
  JobContext(int64_t now_ms, std::chrono::steady_clock::time_point deadline,
             const std::atomic<bool>& cancel)
      : now_ms_(now_ms), deadline_(deadline), cancel_(cancel) {}
  int64_t now_ms() const { return now_ms_; }  // wall clock when the run started
  bool Cancelled() const { return cancel_.load(std::memory_order_relaxed); }
  bool Expired() const { return std::chrono::steady_clock::now() >= deadline_; }
  // Both: a job stops at its next safe point.
  bool ShouldStop() const { return Cancelled() || Expired(); }

 private:
  int64_t now_ms_;
  std::chrono::steady_clock::time_point deadline_;
  const std::atomic<bool>& cancel_;
};

// What a run did. idle: found nothing to do (folded with its neighbours).
struct JobOutcome {
  bool idle = false;
  std::string summary;  // Chinese, for the console ("发布 3 篇定时信息")
  nlohmann::json detail = nlohmann::json::object();

  static JobOutcome Idle() { return {true, "无待办", nlohmann::json::object()}; }
  static JobOutcome Did(std::string summary, nlohmann::json detail = nlohmann::json::object()) {
    return {false, std::move(summary), std::move(detail)};
  }
};

class Job {
 public:
  virtual ~Job() = default;
  // Stable identifier: job_runs.job, the metrics label ("scheduled_publish").
  virtual std::string name() const = 0;
  // Shown in the console ("定时发布").
  virtual std::string title() const = 0;
  virtual Schedule schedule() const = 0;
  virtual std::chrono::seconds deadline() const { return std::chrono::minutes(10); }
  // Due as soon as the scheduler starts (else at schedule().NextAfter(start)).
  virtual bool run_at_start() const { return true; }
  virtual Result<JobOutcome> Run(JobContext& ctx) = 0;
};

struct SchedulerOptions {
  int workers = 2;
  std::chrono::milliseconds tick{1000};  // how often due times are checked
  std::function<int64_t()> now_ms;       // injectable clock; wall clock when empty
  Metrics* metrics = nullptr;            // zhanqun_job_* (may be null)
};

// One recorded run, as the console and the API show it.
struct JobRun {
  int64_t id = 0;
  std::string job;
  int64_t started_at = 0, finished_at = 0;
  std::string outcome;  // ok | idle | failed | overran | cancelled
  int64_t repeats = 1;  // idle runs folded into this row
  std::string summary, error;
  nlohmann::json detail;
};

struct JobInfo {
  std::string name, title, schedule;
  bool running = false;
  int64_t next_due = 0;
  std::optional<JobRun> last;
};

class Scheduler {
 public:
  Scheduler(store::Db& db, SchedulerOptions options);
  ~Scheduler();  // Stop()
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Before Start(), or while running (due from its schedule).
  void Add(std::unique_ptr<Job> job);
  void Start();
  // Cancels running jobs, waits for them, joins every thread. Idempotent.
  void Stop();
  // Makes a job due now (the console's 立即执行). NotFound for an unknown name.
  Status RunNow(const std::string& name);
  // Waits until the job has finished at least `runs` runs since Start()
  // (tests), or the timeout passes. Returns whether it did.
  bool WaitForRuns(const std::string& name, int64_t runs, std::chrono::milliseconds timeout);

  std::vector<JobInfo> Jobs();
  // Newest first; job filter optional.
  Result<std::vector<JobRun>> Runs(const std::string& job, int64_t limit, int64_t offset,
                                   int64_t* total);

 private:
  struct Entry;
  void Loop();
  void Work();
  void RunOne(Entry& e);
  void Record(Entry& e, const JobRun& run);
  int64_t Now() const;

  store::Db& db_;
  SchedulerOptions options_;
  Mutex mu_;
  std::condition_variable_any cv_;       // ticks, new work, stop
  std::condition_variable_any done_cv_;  // a run finished
  // Entries' scheduling fields (next_due, running, queued, finished, last)
  // are guarded by mu_ too.
  std::vector<std::unique_ptr<Entry>> entries_ GUARDED_BY(mu_);
  std::vector<Entry*> queue_ GUARDED_BY(mu_);
  bool started_ GUARDED_BY(mu_) = false;
  bool stopping_ GUARDED_BY(mu_) = false;
  std::atomic<bool> cancel_{false};
  std::thread loop_;
  std::vector<std::thread> workers_;
};

}  // namespace zhanqun::ops
