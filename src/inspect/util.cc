#include "inspect/util.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace zhanqun::inspect::detail {

namespace fs = std::filesystem;

Check Make(std::string id, std::string group, std::string name) {
  Check c;
  c.id = std::move(id);
  c.group = std::move(group);
  c.name = std::move(name);
  c.status = "ok";
  return c;
}

std::string Grade(double v, double warn, double fail) {
  if (v >= fail) return "fail";
  if (v >= warn) return "warn";
  return "ok";
}

std::string Fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string Bytes(double b) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (b >= 1024 && u < 4) {
    b /= 1024;
    ++u;
  }
  return Fixed(b, u == 0 ? 0 : 1) + " " + units[u];
}

std::string ReadFile(const std::string& path, size_t limit) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  std::string out(limit, '\0');
  in.read(out.data(), static_cast<std::streamsize>(limit));
  out.resize(static_cast<size_t>(in.gcount()));
  return out;
}

int RunCommand(const std::string& command, std::string& output, int timeout_s) {
  output.clear();
  std::string line = "timeout " + std::to_string(timeout_s) + " " + command + " 2>&1";
  FILE* f = popen(line.c_str(), "r");
  if (!f) return -1;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
    if (output.size() < (1 << 20)) output.append(buf, n);
  }
  int st = pclose(f);
  if (st == -1) return -1;
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

std::optional<std::string> FindProgram(const std::string& name) {
  std::string path = getenv("PATH") ? getenv("PATH") : "";
  path += ":/usr/sbin:/sbin:/usr/bin:/bin";
  std::stringstream ss(path);
  std::string dir;
  while (std::getline(ss, dir, ':')) {
    if (dir.empty()) continue;
    fs::path p = fs::path(dir) / name;
    if (access(p.c_str(), X_OK) == 0) return p.string();
  }
  return std::nullopt;
}

std::string LocalTime(int64_t ms, const char* format) {
  time_t t = static_cast<time_t>(ms / 1000);
  struct tm tm {};
  localtime_r(&t, &tm);
  char buf[64];
  strftime(buf, sizeof buf, format, &tm);
  return buf;
}

std::string FormatTime(int64_t ms) { return LocalTime(ms, "%Y-%m-%d %H:%M"); }

std::string PreviousCell(const nlohmann::json& c, bool change_on_new_line) {
  if (!c.contains("previous") || !c["previous"].is_object()) return "—";
  std::string prev = StatusLabel(c["previous"].value("status", ""));
  if (c.contains("delta") && c["delta"].is_number() && std::abs(c["delta"].get<double>()) >= 0.05) {
    double d = c["delta"].get<double>();
    std::string change = std::string(d > 0 ? "+" : "") + Fixed(d, 1) + c.value("unit", "");
    prev += change_on_new_line ? "\n" + change : "（" + change + "）";
  }
  return prev;
}

std::string ComparisonText(const nlohmann::json& r) {
  if (!r.contains("previous") || !r["previous"].is_object()) {
    return "这是第一次巡检，没有可对比的上月记录。";
  }
  const nlohmann::json& p = r["previous"];
  const nlohmann::json& c = r["comparison"];
  return "对比对象：" + p.value("period", "") + " 的巡检（" +
         FormatTime(p.value("started_at", int64_t{0})) + "，编号 " +
         std::to_string(p.value("id", int64_t{0})) + "）。状态变化 " +
         std::to_string(c.value("changed", 0)) + " 项（好转 " +
         std::to_string(c.value("better", 0)) + " 项，变差 " + std::to_string(c.value("worse", 0)) +
         " 项），表中以浅黄色标出。上次：正常 " + std::to_string(p["summary"].value("ok", 0)) +
         "，警告 " + std::to_string(p["summary"].value("warn", 0)) + "，异常 " +
         std::to_string(p["summary"].value("fail", 0)) + "。";
}

std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    size_t a = item.find_first_not_of(" \t");
    size_t b = item.find_last_not_of(" \t");
    if (a != std::string::npos) out.push_back(item.substr(a, b - a + 1));
  }
  return out;
}

}  // namespace zhanqun::inspect::detail
