// Schedules and China time: pure functions, no clock, no threads.
#include "ops/scheduler.h"

#include <gtest/gtest.h>

#include "core/china_time.h"

namespace zhanqun {
namespace {

TEST(ChinaTime, CivilFieldsAreUtcPlusEight) {
  // 2026-12-31T16:30:00Z is 2027-01-01 00:30 in China.
  int64_t t = 1798734600000;
  ChinaCivil c = ToChinaCivil(t);
  EXPECT_EQ(c.year, 2027);
  EXPECT_EQ(c.month, 1);
  EXPECT_EQ(c.day, 1);
  EXPECT_EQ(c.hour, 0);
  EXPECT_EQ(c.minute, 30);
  EXPECT_EQ(c.weekday, 5);  // a Friday
  EXPECT_EQ(FromChinaCivil(2027, 1, 1, 0, 30), t);
  EXPECT_EQ(FormatChinaTime(t), "2027-01-01 00:30");
  EXPECT_EQ(FormatChinaDate(t), "2027-01-01");
}

TEST(ChinaTime, OutOfRangeFieldsNormalise) {
  EXPECT_EQ(FromChinaCivil(2026, 13, 1), FromChinaCivil(2027, 1, 1));
  EXPECT_EQ(FromChinaCivil(2026, 3, 0), FromChinaCivil(2026, 2, 28));
  EXPECT_EQ(FromChinaCivil(2024, 3, 0), FromChinaCivil(2024, 2, 29));
  EXPECT_EQ(FromChinaCivil(2026, 0, 1), FromChinaCivil(2025, 12, 1));
}

TEST(ChinaTime, DayAndMonthStartFollowChinaNotUtc) {
  int64_t t = FromChinaCivil(2026, 12, 3, 7, 15);  // 2026-12-02 23:15 UTC
  EXPECT_EQ(ChinaDayStart(t), FromChinaCivil(2026, 12, 3));
  EXPECT_EQ(ChinaMonthStart(t), FromChinaCivil(2026, 12, 1));
  EXPECT_EQ(ChinaMonthStart(FromChinaCivil(2026, 12, 1)), FromChinaCivil(2026, 12, 1));
}

TEST(Schedule, EveryAddsTheInterval) {
  auto s = ops::Schedule::Every(std::chrono::seconds(5));
  EXPECT_EQ(s.NextAfter(1000), 6000);
  EXPECT_EQ(s.Describe(), "每 5 秒");
  EXPECT_EQ(ops::Schedule::Every(std::chrono::minutes(10)).Describe(), "每 10 分钟");
  EXPECT_EQ(ops::Schedule::Every(std::chrono::hours(2)).Describe(), "每 2 小时");
}

TEST(Schedule, DailyIsTheNextOccurrenceInChinaTime) {
  auto s = ops::Schedule::Daily(2, 30);
  EXPECT_EQ(s.NextAfter(FromChinaCivil(2026, 12, 3, 1, 0)), FromChinaCivil(2026, 12, 3, 2, 30));
  // Exactly at the time: the next day (strictly after).
  EXPECT_EQ(s.NextAfter(FromChinaCivil(2026, 12, 3, 2, 30)), FromChinaCivil(2026, 12, 4, 2, 30));
  EXPECT_EQ(s.NextAfter(FromChinaCivil(2026, 12, 31, 23, 0)), FromChinaCivil(2027, 1, 1, 2, 30));
  EXPECT_EQ(s.Describe(), "每天 02:30");
}

TEST(Schedule, MonthlyRollsOverTheYear) {
  auto s = ops::Schedule::Monthly(1, 8, 0);
  EXPECT_EQ(s.NextAfter(FromChinaCivil(2026, 12, 1, 7, 59)), FromChinaCivil(2026, 12, 1, 8, 0));
  EXPECT_EQ(s.NextAfter(FromChinaCivil(2026, 12, 1, 8, 0)), FromChinaCivil(2027, 1, 1, 8, 0));
  EXPECT_EQ(s.NextAfter(FromChinaCivil(2026, 12, 15)), FromChinaCivil(2027, 1, 1, 8, 0));
  EXPECT_EQ(s.Describe(), "每月 1 日 08:00");
}

}  // namespace
}  // namespace zhanqun
