#include "http/site_pages.h"

#include <algorithm>

#include "http/admin_files.h"
#include "http/api/api.h"
#include "ops/monitoring.h"
#include "publish/publisher.h"
#include "publish/site_search.h"

namespace zhanqun::http {

Response SearchPage::Handle(const SiteRoute& site, Request& req) {
  nlohmann::json extra = {{"query", req.Query("q")},
                          {"has_results", false},
                          {"total", 0},
                          {"results", nlohmann::json::array()}};
  publish::SearchQuery q;
  q.q = req.Query("q");
  std::string page = req.Query("page");
  if (!page.empty() && page.size() < 5 && page.find_first_not_of("0123456789") == std::string::npos)
    q.page = std::max<int64_t>(1, std::stoll(page));
  q.page_size = 10;
  if (req.Query("sort") == "date") q.sort = publish::SearchQuery::Sort::kNewest;
  int status = 200;
  if (!q.q.empty()) {
    auto r = search_.Search(site.code, q);
    if (r) {
      extra["total"] = r->total;
      extra["has_results"] = !r->hits.empty();
      for (const auto& h : r->hits) {
        extra["results"].push_back({{"title", h.title},
                                    {"url", h.url},
                                    {"date", h.date},
                                    {"column", h.column_name},
                                    {"snippet", h.snippet_html}});
      }
      int64_t pages = std::max<int64_t>(1, (r->total + q.page_size - 1) / q.page_size);
      std::string base = "/search?q=";
      for (unsigned char c : q.q) {
        static const char* kHex = "0123456789ABCDEF";
        if (isalnum(c) || c == '-' || c == '_' || c == '.')
          base += static_cast<char>(c);
        else {
          base += '%';
          base += kHex[c >> 4];
          base += kHex[c & 15];
        }
      }
      nlohmann::json pag = {{"current", q.page},
                            {"total_pages", pages},
                            {"total_items", r->total},
                            {"has_prev", q.page > 1},
                            {"has_next", q.page < pages},
                            {"prev_url", base + "&page=" + std::to_string(q.page - 1)},
                            {"next_url", base + "&page=" + std::to_string(q.page + 1)},
                            {"pages", nlohmann::json::array()}};
      for (int64_t p = std::max<int64_t>(1, q.page - 3); p <= std::min(pages, q.page + 3); ++p) {
        pag["pages"].push_back({{"number", p},
                                {"url", base + "&page=" + std::to_string(p)},
                                {"current", p == q.page}});
      }
      extra["pagination"] = pag;
      extra["has_pagination"] = pages > 1;
    } else {
      status = r.error().code == Code::kInvalidArgument ? 400 : 500;
      extra["error"] = r.error().message;
    }
  }
  auto html = publisher_.RenderSearchPage(site.code, extra);
  Response resp;
  if (!html) {
    resp.status = 500;
    resp.body = "search unavailable";
    return resp;
  }
  resp.status = status;
  resp.body = std::move(*html);
  resp.Set("Content-Type", "text/html; charset=utf-8");
  resp.Set("Cache-Control", "no-store");
  return resp;
}

Response StatusPage(ops::Monitoring& mon) {
  Response r;
  r.status = 200;
  r.Set("Content-Type", "text/html; charset=utf-8");
  r.Set("X-Content-Type-Options", "nosniff");
  r.Set("Cache-Control", "no-store");
  r.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'");
  r.body = mon.StatusPageHtml();
  return r;
}

Response MetricsPage(ops::Monitoring& mon) {
  Response r;
  r.status = 200;
  r.Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
  r.Set("Cache-Control", "no-store");
  r.body = mon.MetricsText();
  return r;
}

Response AdminSite::Handle(Request& req) {
  Response r;
  const bool get = req.method == "GET" || req.method == "HEAD";
  if (req.path == "/api" || req.path.rfind("/api/", 0) == 0) {
    r = api_.Handle(req);
  } else if (req.path == "/status" && get) {
    r = StatusPage(monitoring_);
  } else if (req.path == "/metrics" && get) {
    r = MetricsPage(monitoring_);
  } else if (req.path.rfind("/_media/", 0) == 0) {
    // What the console shows resolves on its own origin: media (checked per
    // user) and theme assets (public) for previews.
    r = ServeAdminMedia(service_, req);
  } else if (req.path.rfind("/_theme/", 0) == 0) {
    r = ServeThemeAsset(themes_dir_, req);
  } else {
    r = console_.Handle(req);
  }
  monitoring_.metrics().CountRequest("admin", r.status);
  return r;
}

}  // namespace zhanqun::http
