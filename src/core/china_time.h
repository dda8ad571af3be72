// China Standard Time (UTC+8, no daylight saving): the one definition of the
// offset and of civil dates in it. Times are Unix milliseconds throughout the
// platform; these turn them into the dates and times operators read.
#pragma once

#include <cstdint>
#include <string>

namespace zhanqun {

inline constexpr int64_t kChinaOffsetMs = 8 * 3600 * 1000;

struct ChinaCivil {
  int year = 1970, month = 1, day = 1;  // month 1-12, day 1-31
  int hour = 0, minute = 0, second = 0;
  int weekday = 4;  // 0 = Sunday (1970-01-01 was a Thursday)
};

ChinaCivil ToChinaCivil(int64_t unix_ms);
// Unix ms of the given China civil time; fields out of range are normalised
// (month 13 is January of the next year, day 0 the last of the month before).
int64_t FromChinaCivil(int year, int month, int day, int hour = 0, int minute = 0, int second = 0);
// The first millisecond of the China calendar day / month containing unix_ms.
int64_t ChinaDayStart(int64_t unix_ms);
int64_t ChinaMonthStart(int64_t unix_ms);
// "2026-12-03 18:30" / "2026-12-03".
std::string FormatChinaTime(int64_t unix_ms);
std::string FormatChinaDate(int64_t unix_ms);

}  // namespace zhanqun
