// The PDF report (what gets printed and signed): A4 pages drawn with cairo,
// text laid out by pango in Noto Sans CJK SC, two charts, tables that
// continue across pages with their header repeated, "第 n 页 / 共 N 页".
// Laid out twice: the first pass only counts the pages.
#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>

#include <cmath>
#include <memory>

#include "inspect/inspect.h"
#include "inspect/util.h"

namespace zhanqun::inspect {

using namespace detail;

namespace {

constexpr double kW = 595.28, kH = 841.89, kM = 48;
constexpr double kContent = kW - 2 * kM;
constexpr double kBottom = kH - kM - 16;  // room for the page number
constexpr const char* kFont = "Noto Sans CJK SC";

struct Rgb {
  double r, g, b;
};
constexpr Rgb kOk{0.18, 0.64, 0.31}, kWarn{0.83, 0.62, 0.10}, kFail{0.81, 0.13, 0.18},
    kInk{0.13, 0.13, 0.13}, kGrey{0.45, 0.45, 0.45}, kRule{0.6, 0.6, 0.6}, kHead{0.92, 0.92, 0.92};

Rgb StatusColor(const std::string& s) { return s == "ok" ? kOk : s == "warn" ? kWarn : kFail; }

cairo_status_t Append(void* closure, const unsigned char* data, unsigned int length) {
  if (closure)
    static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

class Doc {
 public:
  Doc(std::string* sink, int total_pages, std::string title)
      : total_(total_pages), title_(std::move(title)) {
    surface_ = cairo_pdf_surface_create_for_stream(Append, sink, kW, kH);
    cr_ = cairo_create(surface_);
    cairo_pdf_surface_set_metadata(surface_, CAIRO_PDF_METADATA_TITLE, title_.c_str());
    cairo_pdf_surface_set_metadata(surface_, CAIRO_PDF_METADATA_CREATOR, "zhanqun inspect");
    y_ = kM;
  }
  ~Doc() {
    cairo_destroy(cr_);
    cairo_surface_destroy(surface_);
  }
  Doc(const Doc&) = delete;
  Doc& operator=(const Doc&) = delete;

  cairo_t* cr() { return cr_; }
  double& y() { return y_; }
  int page() const { return page_; }

  // Lays out text in a box of the given width; returns the layout (owned by
  // the caller) and its height through *h.
  PangoLayout* Layout(const std::string& text, double size, bool bold, double width,
                      double* h = nullptr, PangoAlignment align = PANGO_ALIGN_LEFT) {
    PangoLayout* l = pango_cairo_create_layout(cr_);
    PangoFontDescription* fd = pango_font_description_new();
    pango_font_description_set_family(fd, kFont);
    pango_font_description_set_absolute_size(fd, size * PANGO_SCALE);
    pango_font_description_set_weight(fd, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
    pango_layout_set_font_description(l, fd);
    pango_font_description_free(fd);
    pango_layout_set_width(l, static_cast<int>(width * PANGO_SCALE));
    pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
    pango_layout_set_alignment(l, align);
    pango_layout_set_text(l, text.c_str(), -1);
    if (h) {
      int pw, ph;
      pango_layout_get_size(l, &pw, &ph);
      *h = static_cast<double>(ph) / PANGO_SCALE;
    }
    return l;
  }

  double Text(const std::string& text, double x, double y, double size, bool bold, double width,
              Rgb color = kInk, PangoAlignment align = PANGO_ALIGN_LEFT) {
    double h = 0;
    PangoLayout* l = Layout(text, size, bold, width, &h, align);
    cairo_set_source_rgb(cr_, color.r, color.g, color.b);
    cairo_move_to(cr_, x, y);
    pango_cairo_show_layout(cr_, l);
    g_object_unref(l);
    return h;
  }

  double Measure(const std::string& text, double size, bool bold, double width) {
    double h = 0;
    g_object_unref(Layout(text, size, bold, width, &h));
    return h;
  }

  // Starts a new page when `h` more points do not fit on this one.
  bool Need(double h) {
    if (y_ + h <= kBottom) return false;
    NewPage();
    return true;
  }

  void NewPage() {
    Footer();
    cairo_show_page(cr_);
    ++page_;
    y_ = kM;
    Text(title_, kM, kM - 28, 8, false, kContent, kGrey, PANGO_ALIGN_RIGHT);
    Rule(kM - 14);
  }

  void Rule(double y, Rgb c = kRule) {
    cairo_set_source_rgb(cr_, c.r, c.g, c.b);
    cairo_set_line_width(cr_, 0.5);
    cairo_move_to(cr_, kM, y);
    cairo_line_to(cr_, kW - kM, y);
    cairo_stroke(cr_);
  }

  void Rect(double x, double y, double w, double h, Rgb c, bool fill = true) {
    cairo_set_source_rgb(cr_, c.r, c.g, c.b);
    cairo_rectangle(cr_, x, y, w, h);
    if (fill) {
      cairo_fill(cr_);
    } else {
      cairo_set_line_width(cr_, 0.5);
      cairo_stroke(cr_);
    }
  }

  int Finish() {
    Footer();
    cairo_show_page(cr_);
    cairo_surface_finish(surface_);
    return page_;
  }

 private:
  void Footer() {
    std::string text = "第 " + std::to_string(page_) + " 页 / 共 " +
                       (total_ > 0 ? std::to_string(total_) : std::string("?")) + " 页";
    Text(text, kM, kH - kM + 4, 8, false, kContent, kGrey, PANGO_ALIGN_CENTER);
  }

  cairo_surface_t* surface_ = nullptr;
  cairo_t* cr_ = nullptr;
  int page_ = 1;
  int total_ = 0;
  double y_ = 0;
  std::string title_;
};

void Heading(Doc& d, const std::string& text, double size = 13) {
  double h = d.Measure(text, size, true, kContent);
  d.Need(h + 70);  // keep a heading with what follows it
  d.y() += 6;
  d.y() += d.Text(text, kM, d.y(), size, true, kContent) + 4;
}

void SummaryBoxes(Doc& d, const json& sum) {
  struct Box {
    const char* label;
    int n;
    Rgb c;
  };
  Box boxes[] = {{"检查项", sum.value("total", 0), kInk},
                 {"正常", sum.value("ok", 0), kOk},
                 {"警告", sum.value("warn", 0), kWarn},
                 {"异常", sum.value("fail", 0), kFail}};
  double w = (kContent - 3 * 10) / 4, h = 50;
  d.Need(h + 10);
  for (int i = 0; i < 4; ++i) {
    double x = kM + i * (w + 10);
    d.Rect(x, d.y(), w, h, boxes[i].c, false);
    d.Text(std::to_string(boxes[i].n), x, d.y() + 4, 22, true, w, boxes[i].c, PANGO_ALIGN_CENTER);
    d.Text(boxes[i].label, x, d.y() + 33, 9, false, w, kInk, PANGO_ALIGN_CENTER);
  }
  d.y() += h + 12;
}

// Chart 1: stacked bars of ok/warn/fail per group.
void GroupChart(Doc& d, const json& groups) {
  double row = 20, label_w = 90, bar_w = kContent - label_w - 60;
  double h = row * static_cast<double>(groups.size()) + 24;
  d.Need(h);
  d.Text("图 1  各分组检查结果", kM, d.y(), 9, true, kContent);
  d.y() += 16;
  for (const auto& g : groups) {
    int ok = g.value("ok", 0), warn = g.value("warn", 0), fail = g.value("fail", 0);
    int total = std::max(1, ok + warn + fail);
    d.Text(g.value("name", ""), kM, d.y() + 2, 9, false, label_w);
    double x = kM + label_w;
    for (auto [n, c] : {std::pair{ok, kOk}, {warn, kWarn}, {fail, kFail}}) {
      double w = bar_w * n / total;
      if (n > 0) d.Rect(x, d.y(), w, row - 6, c);
      x += w;
    }
    d.Text(std::to_string(ok) + " / " + std::to_string(warn) + " / " + std::to_string(fail),
           kM + label_w + bar_w + 6, d.y() + 2, 8, false, 60, kGrey);
    d.y() += row;
  }
  d.Text("绿：正常　黄：警告　红：异常（数字依次为正常/警告/异常）", kM, d.y(), 8, false, kContent,
         kGrey);
  d.y() += 16;
}

// Chart 2: resource usage in percent, with the warn and fail thresholds.
void ResourceChart(Doc& d, const json& checks, const json& thresholds) {
  std::vector<const json*> bars;
  for (const auto& c : checks) {
    if (thresholds.contains(c.value("id", "")) && c["metric"].is_number()) bars.push_back(&c);
  }
  if (bars.empty()) return;
  double row = 20, label_w = 90, bar_w = kContent - label_w - 60;
  d.Need(row * static_cast<double>(bars.size()) + 30);
  d.Text("图 2  资源使用率（竖线：警告与异常阈值）", kM, d.y(), 9, true, kContent);
  d.y() += 16;
  for (const json* c : bars) {
    double v = std::clamp((*c)["metric"].get<double>(), 0.0, 100.0);
    d.Text(c->value("name", ""), kM, d.y() + 2, 9, false, label_w);
    double x = kM + label_w;
    d.Rect(x, d.y(), bar_w, row - 6, kHead);
    d.Rect(x, d.y(), bar_w * v / 100.0, row - 6, StatusColor(c->value("status", "ok")));
    auto t = thresholds.find(c->value("id", ""));
    if (t != thresholds.end()) {
      for (size_t i = 0; i < t->size(); ++i) {
        double tx = x + bar_w * (*t)[i].get<double>() / 100.0;
        Rgb col = i == 0 ? kWarn : kFail;
        cairo_set_source_rgb(d.cr(), col.r, col.g, col.b);
        cairo_set_line_width(d.cr(), 1.2);
        cairo_move_to(d.cr(), tx, d.y() - 2);
        cairo_line_to(d.cr(), tx, d.y() + row - 4);
        cairo_stroke(d.cr());
      }
    }
    d.Text(Fixed(v, 1) + "%", x + bar_w + 6, d.y() + 2, 8, false, 60, kGrey);
    d.y() += row;
  }
  d.y() += 8;
}

struct Column {
  const char* title;
  double width;
};
constexpr Column kColumns[] = {{"检查项", 72}, {"状态", 30}, {"测量值", 135},
                               {"阈值", 88},   {"上月", 52}, {"建议", 0}};

std::vector<double> Widths() {
  std::vector<double> w;
  double used = 0;
  for (const auto& c : kColumns) {
    w.push_back(c.width);
    used += c.width;
  }
  w.back() = kContent - used;
  return w;
}

void TableHeader(Doc& d) {
  auto w = Widths();
  double h = 16;
  d.Rect(kM, d.y(), kContent, h, kHead);
  double x = kM;
  for (size_t i = 0; i < w.size(); ++i) {
    d.Text(kColumns[i].title, x + 3, d.y() + 2, 8, true, w[i] - 6);
    x += w[i];
  }
  d.Rect(kM, d.y(), kContent, h, kRule, false);
  d.y() += h;
}

void Table(Doc& d, const json& checks, const std::string& group) {
  auto w = Widths();
  // Never leave a header alone at the foot of a page: it goes with its first row.
  for (const auto& c : checks) {
    if (c.value("group", "") != group) continue;
    double first = 0;
    for (const char* k : {"value", "threshold", "advice"}) {
      size_t i = std::string(k) == "value" ? 2 : std::string(k) == "threshold" ? 3 : 5;
      first = std::max(first, d.Measure(c.value(k, ""), 7.5, false, w[i] - 6));
    }
    d.Need(16 + first + 6);
    break;
  }
  TableHeader(d);
  for (const auto& c : checks) {
    if (c.value("group", "") != group) continue;
    std::string st = c.value("status", "");
    const std::string prev = PreviousCell(c, true);
    std::vector<std::string> cells = {
        c.value("name", ""),  StatusLabel(st), c.value("value", ""), c.value("threshold", ""), prev,
        c.value("advice", "")};
    double h = 0;
    for (size_t i = 0; i < cells.size(); ++i) {
      h = std::max(h, d.Measure(cells[i], 7.5, i == 1, w[i] - 6));
    }
    h += 6;
    if (d.Need(h)) TableHeader(d);
    if (c.value("changed", false)) d.Rect(kM, d.y(), kContent, h, {1.0, 0.97, 0.77});
    double x = kM;
    for (size_t i = 0; i < cells.size(); ++i) {
      d.Text(cells[i], x + 3, d.y() + 3, 7.5, i == 1, w[i] - 6, i == 1 ? StatusColor(st) : kInk);
      cairo_set_source_rgb(d.cr(), kRule.r, kRule.g, kRule.b);
      cairo_set_line_width(d.cr(), 0.5);
      cairo_rectangle(d.cr(), x, d.y(), w[i], h);
      cairo_stroke(d.cr());
      x += w[i];
    }
    d.y() += h;
  }
  d.y() += 10;
}

int Layout(const json& r, std::string* sink, int total) {
  std::string title = r.value("title", kTitle);
  Doc d(sink, total, title + " " + r.value("period", ""));
  d.y() += d.Text(title, kM, d.y(), 20, true, kContent, kInk, PANGO_ALIGN_CENTER) + 6;
  std::string meta = "巡检周期：" + r.value("period", "") + "　　运维单位：" +
                     r.value("operator", "") + "\n巡检时间：" +
                     FormatTime(r.value("started_at", int64_t{0})) + "　　主机：" +
                     r.value("host", "") + "　　平台版本：" + r.value("version", "") +
                     "　　数据库：" + r.value("engine", "");
  d.y() += d.Text(meta, kM, d.y(), 9, false, kContent, kGrey, PANGO_ALIGN_CENTER) + 10;
  d.Rule(d.y());
  d.y() += 6;

  Heading(d, "一、巡检结论");
  SummaryBoxes(d, r["summary"]);
  GroupChart(d, r["groups"]);
  json thresholds = json::object();
  if (r.contains("thresholds")) thresholds = r["thresholds"];
  ResourceChart(d, r["checks"], thresholds);

  Heading(d, "二、与上月对比");
  const std::string cmp = ComparisonText(r);
  double h = d.Measure(cmp, 9, false, kContent);
  d.Need(h);
  d.y() += d.Text(cmp, kM, d.y(), 9, false, kContent) + 8;

  Heading(d, "三、检查明细");
  const char* nums[] = {"（一）", "（二）", "（三）", "（四）", "（五）", "（六）"};
  int gi = 0;
  for (const auto& [gid, gname] : Groups()) {
    Heading(d, std::string(nums[gi++ % 6]) + gname, 11);
    Table(d, r["checks"], gid);
  }

  d.Need(90);
  d.y() += 20;
  double col = kContent / 3;
  for (int i = 0; i < 3; ++i) {
    const char* label[] = {"巡检人：", "审核人：", "日期："};
    d.Text(label[i], kM + i * col, d.y(), 11, false, col - 10);
    cairo_set_source_rgb(d.cr(), kInk.r, kInk.g, kInk.b);
    cairo_set_line_width(d.cr(), 0.6);
    cairo_move_to(d.cr(), kM + i * col + 50, d.y() + 18);
    cairo_line_to(d.cr(), kM + (i + 1) * col - 14, d.y() + 18);
    cairo_stroke(d.cr());
  }
  d.y() += 40;
  return d.Finish();
}

}  // namespace

Result<std::string> RenderPdf(const json& report) {
  if (!report.contains("checks") || !report["checks"].is_array()) {
    return Fail(Error::Invalid("report", "巡检报告缺少 checks"));
  }
  int pages = Layout(report, nullptr, 0);
  std::string out;
  int again = Layout(report, &out, pages);
  if (again != pages || out.size() < 5 || out.compare(0, 5, "%PDF-") != 0) {
    return Fail(Error::Internal("PDF rendering failed"));
  }
  return out;
}

}  // namespace zhanqun::inspect
