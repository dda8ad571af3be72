// Availability (可用率) as the website census measures it: per site, per
// Beijing day and per month, 1 - failed / all checks of the site's home-page
// monitor, from the hourly rollups. SiteDays also feeds the status page's
// 90-day bars; MonthRange and DayText are the month and day boundaries in
// Beijing time that incidents and the status page share.
#include <ctime>
#include <map>

#include "ops/internal.h"
#include "ops/monitoring.h"

namespace zhanqun::ops {
namespace {

using store::Conn;

json Ratio(int64_t checks, int64_t failures) {
  if (checks == 0) return nullptr;
  return static_cast<double>(checks - failures) / static_cast<double>(checks);
}

}  // namespace

// "2026-11" -> [start, end) in ms, month boundaries in Beijing time.
Result<std::pair<int64_t, int64_t>> MonthRange(const std::string& month, int64_t now) {
  int y = 0, m = 0;
  if (month.empty()) {
    std::time_t t = static_cast<std::time_t>((now + kCstOffsetMs) / 1000);
    std::tm tm{};
    gmtime_r(&t, &tm);
    y = tm.tm_year + 1900;
    m = tm.tm_mon + 1;
  } else {
    if (month.size() != 7 || month[4] != '-' ||
        month.find_first_not_of("0123456789-") != std::string::npos ||
        sscanf(month.c_str(), "%4d-%2d", &y, &m) != 2 || m < 1 || m > 12 || y < 2000 || y > 2999) {
      return Fail(Error::Invalid("month", "month 必须是 YYYY-MM 格式的月份，如 2026-11"));
    }
  }
  auto start_of = [](int year, int mon) {
    std::tm tm{};
    tm.tm_year = year - 1900;
    tm.tm_mon = mon - 1;
    tm.tm_mday = 1;
    return static_cast<int64_t>(timegm(&tm)) * 1000 - kCstOffsetMs;
  };
  int64_t start = start_of(y, m);
  int64_t end = m == 12 ? start_of(y + 1, 1) : start_of(y, m + 1);
  return std::make_pair(start, end);
}

std::string DayText(int64_t day) {  // day number in Beijing time -> 2026-11-26
  std::time_t t = static_cast<std::time_t>(day * 86400);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

// Per site (by its home-page monitor), per Beijing day, from the hourly
// rollups (kept two years; hours align with Beijing days).
Result<std::map<int64_t, std::map<int64_t, DayStat>>> SiteDays(Conn& c, int64_t from, int64_t to) {
  ZQ_ASSIGN_OR_RETURN(
      auto rows,
      c.Query("SELECT m.site_id, (r.ts + 28800000) / 86400000 AS day, SUM(r.checks) AS checks, "
              "SUM(r.failures) AS failures FROM monitor_rollups r JOIN monitors m ON m.id = "
              "r.monitor_id WHERE m.home = 1 AND m.site_id IS NOT NULL AND r.bucket_s = 3600 AND "
              "r.ts >= ? AND r.ts < ? GROUP BY m.site_id, (r.ts + 28800000) / 86400000",
              {from, to}));
  std::map<int64_t, std::map<int64_t, DayStat>> out;
  for (const auto& r : rows) {
    out[r.Int("site_id")][r.Int("day")] = DayStat{r.Int("checks"), r.Int("failures")};
  }
  return out;
}

Result<json> Monitoring::Availability(const Principal& p, const std::string& month) {
  ZQ_TRY(RequireSysadmin(p, "查看可用率"));
  ZQ_ASSIGN_OR_RETURN(auto range, MonthRange(month, Now()));
  return db_.ReadValue<json>([&](Conn& c) -> Result<json> {
    ZQ_ASSIGN_OR_RETURN(auto days, SiteDays(c, range.first, range.second));
    ZQ_ASSIGN_OR_RETURN(auto sites, c.Query("SELECT id, code, name FROM sites ORDER BY code"));
    json items = json::array();
    for (const auto& s : sites) {
      int64_t checks = 0, failures = 0;
      json dj = json::array();
      for (const auto& [day, st] : days[s.Int("id")]) {
        checks += st.checks;
        failures += st.failures;
        dj.push_back({{"date", DayText(day)},
                      {"checks", st.checks},
                      {"failures", st.failures},
                      {"availability", Ratio(st.checks, st.failures)}});
      }
      items.push_back({{"site_id", s.Int("id")},
                       {"code", s.Text("code")},
                       {"name", s.Text("name")},
                       {"checks", checks},
                       {"failures", failures},
                       {"availability", Ratio(checks, failures)},
                       {"days", dj}});
    }
    std::string m = month;
    if (m.empty()) m = DayText((range.first + kCstOffsetMs) / kDayMs).substr(0, 7);
    return json{{"month", m},
                {"method", "首页探测失败次数 ÷ 首页探测总次数（与普查口径一致）"},
                {"sites", items}};
  });
}

}  // namespace zhanqun::ops
