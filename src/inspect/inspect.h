// The monthly inspection (月度巡检): server, OS, middleware, application,
// database and data safety, each check measured on this machine and graded
// ok / warn / fail against a threshold from [inspect]. A run is kept in the
// store with its whole report and compared with last month's run; the report
// renders as JSON, HTML (printable) and PDF (cairo + pango, for signing).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "core/result.h"
#include "service/service.h"
#include "store/db.h"

namespace zhanqun::inspect {

using json = nlohmann::json;

inline constexpr const char* kTitle = "网站群运维月度巡检报告";

struct Check {
  std::string id;                // "server.disk_space"
  std::string group;             // server | os | middleware | application | database | data_safety
  std::string name;              // Chinese label
  std::string status;            // ok | warn | fail
  std::string value;             // what was measured, with its unit
  std::string threshold;         // what it was compared with
  std::string advice;            // Chinese, what to do (or why it is fine)
  std::optional<double> metric;  // the measurement as a number (charts, month-over-month delta)
  std::string unit;              // of metric: "%", "天", "MiB", ...
};

json ToJson(const Check& c);

// The groups in report order, with their Chinese names.
const std::vector<std::pair<std::string, std::string>>& Groups();

// Checks of one area. Each never fails as a whole: what cannot be measured is
// itself a graded check saying so.
std::vector<Check> ServerChecks(const config::Config& cfg);
std::vector<Check> OsChecks(const config::Config& cfg);
std::vector<Check> MiddlewareChecks(const config::Config& cfg, store::Db& db);
std::vector<Check> ApplicationChecks(const config::Config& cfg, service::Service& svc,
                                     int64_t now_ms);
std::vector<Check> DatabaseChecks(const config::Config& cfg, store::Db& db);
std::vector<Check> DataSafetyChecks(const config::Config& cfg, store::Db& db, int64_t now_ms);

// When the scheduled run of the month containing now_ms is due (server local
// time), in ms; nullopt when schedule_day is 0.
std::optional<int64_t> DueTime(const config::InspectConfig& ic, int64_t now_ms);

class Inspector {
 public:
  Inspector(const config::Config& cfg, service::Service& svc) : cfg_(cfg), svc_(svc) {}

  // The addresses the listeners really bound (port 0 in the configuration
  // asks the OS for one). Call before the scheduler and the API use this.
  void SetListeners(const config::ListenAddr& admin, const config::ListenAddr& pub) {
    cfg_.server.admin_listen = admin;
    cfg_.server.public_listen = pub;
  }

  // Every check, in group order; nothing stored.
  std::vector<Check> RunChecks();
  // Runs the checks, compares with last month's run (or the latest earlier
  // one), stores the run and returns the report with its id. kind is
  // manual | schedule | cli. A manual run is audited (inspection.run).
  Result<json> Run(const std::string& kind, const service::Principal& actor);
  // Newest first: id, started_at, period, kind, actor, counts.
  Result<json> List(int64_t limit, int64_t offset = 0);
  Result<json> Get(int64_t id);
  // Runs the scheduled inspection when this month's is due and not yet
  // stored. Returns the report of the run, or null when nothing was due.
  Result<json> RunIfDue(int64_t now_ms);

 private:
  config::Config cfg_;
  service::Service& svc_;
};

std::string RenderHtml(const json& report);
Result<std::string> RenderPdf(const json& report);

}  // namespace zhanqun::inspect
