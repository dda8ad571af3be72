#include "core/china_time.h"

#include <chrono>
#include <cstdio>

namespace zhanqun {

namespace {

using std::chrono::days;
using std::chrono::sys_days;

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

}  // namespace

ChinaCivil ToChinaCivil(int64_t unix_ms) {
  int64_t local = unix_ms + kChinaOffsetMs;
  int64_t day = FloorDiv(local, 86'400'000);
  int64_t ms_of_day = local - day * 86'400'000;
  std::chrono::year_month_day ymd{sys_days{days{day}}};
  ChinaCivil c;
  c.year = static_cast<int>(ymd.year());
  c.month = static_cast<int>(static_cast<unsigned>(ymd.month()));
  c.day = static_cast<int>(static_cast<unsigned>(ymd.day()));
  c.hour = static_cast<int>(ms_of_day / 3'600'000);
  c.minute = static_cast<int>(ms_of_day / 60'000 % 60);
  c.second = static_cast<int>(ms_of_day / 1000 % 60);
  c.weekday = static_cast<int>(std::chrono::weekday{sys_days{days{day}}}.c_encoding());
  return c;
}

int64_t FromChinaCivil(int year, int month, int day, int hour, int minute, int second) {
  // Normalise the month first; days, hours and minutes then add linearly.
  int64_t m0 = static_cast<int64_t>(year) * 12 + (month - 1);
  int y = static_cast<int>(FloorDiv(m0, 12));
  unsigned m = static_cast<unsigned>(m0 - int64_t{y} * 12 + 1);
  sys_days first =
      std::chrono::year_month_day{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{1}};
  int64_t d = first.time_since_epoch().count() + (day - 1);
  return d * 86'400'000 + int64_t{hour} * 3'600'000 + int64_t{minute} * 60'000 +
         int64_t{second} * 1000 - kChinaOffsetMs;
}

int64_t ChinaDayStart(int64_t unix_ms) {
  ChinaCivil c = ToChinaCivil(unix_ms);
  return FromChinaCivil(c.year, c.month, c.day);
}

int64_t ChinaMonthStart(int64_t unix_ms) {
  ChinaCivil c = ToChinaCivil(unix_ms);
  return FromChinaCivil(c.year, c.month, 1);
}

std::string FormatChinaTime(int64_t unix_ms) {
  ChinaCivil c = ToChinaCivil(unix_ms);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d", c.year, c.month, c.day, c.hour,
                c.minute);
  return buf;
}

std::string FormatChinaDate(int64_t unix_ms) {
  ChinaCivil c = ToChinaCivil(unix_ms);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", c.year, c.month, c.day);
  return buf;
}

}  // namespace zhanqun
