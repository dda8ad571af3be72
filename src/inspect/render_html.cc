// The printable HTML report: self-contained (inline CSS and SVG, no external
// fonts or scripts), Chinese, one table per group.
#include <cmath>

#include "core/text.h"
#include "inspect/inspect.h"
#include "inspect/util.h"

namespace zhanqun::inspect {

using namespace detail;

namespace {

std::string Esc(const std::string& s) { return HtmlEscape(s); }

}  // namespace

namespace detail {
std::string StatusLabel(const std::string& s) {
  return s == "ok" ? "正常" : s == "warn" ? "警告" : s == "fail" ? "异常" : s;
}
}  // namespace detail

std::string RenderHtml(const json& r) {
  const json& sum = r["summary"];
  std::string h;
  h += "<!doctype html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">";
  h += "<title>" + Esc(r.value("title", kTitle)) + "（" + Esc(r.value("period", "")) +
       "）</title>\n<style>\n"
       "body{font-family:'Noto Sans CJK SC','Noto Sans SC','Microsoft YaHei',sans-serif;"
       "margin:2em auto;max-width:60em;color:#222;line-height:1.5}\n"
       "h1{text-align:center;font-size:1.6em;margin-bottom:.2em}"
       ".meta{text-align:center;color:#555}\n"
       "table{border-collapse:collapse;width:100%;margin:.5em 0 1.5em;font-size:.9em}"
       "th,td{border:1px solid #999;padding:.3em .5em;vertical-align:top;text-align:left}"
       "th{background:#eee}thead{display:table-header-group}tr{page-break-inside:avoid}\n"
       ".ok{color:#1a7f37}.warn{color:#9a6700;font-weight:bold}.fail{color:#cf222e;font-weight:"
       "bold}\n.summary td{text-align:center}.chg{background:#fff8c5}\n"
       ".sign{margin-top:3em;display:flex;justify-content:space-between}"
       ".sign div{width:30%;border-bottom:1px solid #333;padding-bottom:2em}\n"
       "@media print{body{margin:0;max-width:none}@page{size:A4;margin:15mm}}\n"
       "</style></head><body>\n";
  h += "<h1>" + Esc(r.value("title", kTitle)) + "</h1>\n";
  h += "<p class=\"meta\">巡检周期：" + Esc(r.value("period", "")) + " ｜ 运维单位：" +
       Esc(r.value("operator", "")) + " ｜ 巡检时间：" +
       Esc(FormatTime(r.value("started_at", int64_t{0}))) + " ｜ 主机：" +
       Esc(r.value("host", "")) + "</p>\n";
  h += "<p class=\"meta\">平台版本 " + Esc(r.value("version", "")) + "，数据库 " +
       Esc(r.value("engine", "")) + "，触发方式 " + Esc(r.value("kind", "")) + "（" +
       Esc(r.value("actor", "")) + "）</p>\n";

  h += "<h2>一、巡检结论</h2>\n<table class=\"summary\"><thead><tr><th>检查项</th><th>正常</th>"
       "<th>警告</th><th>异常</th></tr></thead><tbody><tr><td>" +
       std::to_string(sum.value("total", 0)) + "</td><td class=\"ok\">" +
       std::to_string(sum.value("ok", 0)) + "</td><td class=\"warn\">" +
       std::to_string(sum.value("warn", 0)) + "</td><td class=\"fail\">" +
       std::to_string(sum.value("fail", 0)) + "</td></tr></tbody></table>\n";

  // Status per group as stacked bars (inline SVG).
  h += "<svg width=\"640\" height=\"" + std::to_string(30 * r["groups"].size() + 10) +
       "\" role=\"img\" aria-label=\"各分组检查结果\">\n";
  int y = 5;
  for (const auto& g : r["groups"]) {
    int ok = g.value("ok", 0), warn = g.value("warn", 0), fail = g.value("fail", 0);
    int total = std::max(1, ok + warn + fail);
    double x = 120, w = 480;
    h += "<text x=\"0\" y=\"" + std::to_string(y + 15) + "\" font-size=\"13\">" +
         Esc(g.value("name", "")) + "</text>";
    for (auto [n, color] : {std::pair{ok, "#2da44e"}, {warn, "#d4a72c"}, {fail, "#cf222e"}}) {
      double bw = w * n / total;
      if (n > 0) {
        h += "<rect x=\"" + Fixed(x, 1) + "\" y=\"" + std::to_string(y) + "\" width=\"" +
             Fixed(bw, 1) + "\" height=\"20\" fill=\"" + color + "\"/>";
      }
      x += bw;
    }
    h += "<text x=\"606\" y=\"" + std::to_string(y + 15) + "\" font-size=\"12\">" +
         std::to_string(ok) + "/" + std::to_string(warn) + "/" + std::to_string(fail) + "</text>\n";
    y += 30;
  }
  h += "</svg>\n<p class=\"meta\">绿色：正常；黄色：警告；红色：异常（正常/警告/异常）</p>\n";

  h += "<h2>二、与上月对比</h2>\n";
  h += "<p>" + Esc(ComparisonText(r)) + "</p>\n";

  h += "<h2>三、检查明细</h2>\n";
  int gi = 0;
  const char* nums[] = {"（一）", "（二）", "（三）", "（四）", "（五）", "（六）", "（七）"};
  for (const auto& [gid, gname] : Groups()) {
    h += "<h3>" + std::string(nums[gi++ % 7]) + Esc(gname) + "</h3>\n";
    h += "<table><thead><tr><th style=\"width:13%\">检查项</th><th style=\"width:6%\">状态</th>"
         "<th style=\"width:26%\">测量值</th><th style=\"width:17%\">阈值</th>"
         "<th style=\"width:12%\">上月</th><th>建议</th></tr></thead><tbody>\n";
    for (const auto& c : r["checks"]) {
      if (c.value("group", "") != gid) continue;
      std::string st = c.value("status", "");
      const std::string prev = PreviousCell(c, false);
      bool changed = c.value("changed", false);
      h += std::string("<tr") + (changed ? " class=\"chg\"" : "") + "><td>" +
           Esc(c.value("name", "")) + "<br><small>" + Esc(c.value("id", "")) +
           "</small></td><td class=\"" + Esc(st) + "\">" + StatusLabel(st) + "</td><td>" +
           Esc(c.value("value", "")) + "</td><td>" + Esc(c.value("threshold", "")) + "</td><td>" +
           Esc(prev) + "</td><td>" + Esc(c.value("advice", "")) + "</td></tr>\n";
    }
    h += "</tbody></table>\n";
  }
  h += "<div class=\"sign\"><div>巡检人：</div><div>审核人：</div><div>日期：</div></div>\n";
  h += "</body></html>\n";
  return h;
}

}  // namespace zhanqun::inspect
