// Helpers shared by the check files. Private to src/inspect.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "inspect/inspect.h"

namespace zhanqun::inspect::detail {

Check Make(std::string id, std::string group, std::string name);
// ok below warn, warn below fail, fail at or above fail (higher is worse).
std::string Grade(double v, double warn, double fail);
std::string Fixed(double v, int decimals = 1);
std::string Bytes(double bytes);  // "1.2 GiB"
std::string ReadFile(const std::string& path, size_t limit = 1 << 20);
// Runs a shell command line (stdout and stderr together, at most 1 MiB) under
// `timeout`. Returns the exit status (-1 when it could not run).
int RunCommand(const std::string& command, std::string& output, int timeout_s = 60);
// Finds an executable in PATH, /usr/sbin and /sbin.
std::optional<std::string> FindProgram(const std::string& name);
std::string LocalTime(int64_t ms, const char* format);  // strftime in local time
std::string FormatTime(int64_t ms);                     // local time, "2026-11-26 21:50"
// The report's comparison with the previous month, one paragraph of plain
// text (the HTML and PDF reports say the same).
std::string ComparisonText(const nlohmann::json& report);
// A check's "上月" cell: last month's status and, when it moved, the change
// ("警告（+3.5%）"; the PDF puts the change on its own line).
std::string PreviousCell(const nlohmann::json& check, bool change_on_new_line);
std::string StatusLabel(const std::string& status);           // 正常 / 警告 / 异常
std::vector<std::string> SplitList(const std::string& text);  // comma-separated, trimmed

}  // namespace zhanqun::inspect::detail
