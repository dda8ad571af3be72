#include "http/platform.h"

#include <spdlog/spdlog.h>

#include <condition_variable>
#include <filesystem>
#include <thread>

#include "http/admin_files.h"
#include "http/api/api.h"
#include "http/console.h"
#include "http/server.h"
#include "http/static_site.h"
#include "store/migrations.h"

namespace zhanqun::http {

namespace fs = std::filesystem;

namespace {

// The public /search page: the site's theme around the index's hits.
Response SearchPage(publish::SiteSearch& search, publish::Publisher& pub, const SiteRoute& site,
                    Request& req) {
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
    auto r = search.Search(site.code, q);
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
  auto html = pub.RenderSearchPage(site.code, extra);
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

// The internal status page (admin listener; also public when
// monitor.status_public = 1). Plain HTML, no script.
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

// Prometheus text format 0.0.4. No session: the admin listener is loopback by
// default (docs/monitoring.md says how to expose it safely).
Response MetricsPage(ops::Monitoring& mon) {
  Response r;
  r.status = 200;
  r.Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
  r.Set("Cache-Control", "no-store");
  r.body = mon.MetricsText();
  return r;
}

ServerOptions ListenerOptions(const config::Config& c, const config::ListenAddr& addr,
                              std::string name, std::string upload_dir) {
  ServerOptions o;
  o.name = std::move(name);
  o.address = addr.host;
  o.port = addr.port;
  o.max_header_bytes = static_cast<size_t>(c.server.max_header_kib) * 1024;
  o.max_body_bytes = static_cast<size_t>(c.server.max_body_kib) * 1024;
  o.max_upload_bytes = static_cast<size_t>(c.server.max_upload_mib) * 1024 * 1024;
  o.upload_dir = std::move(upload_dir);
  o.header_timeout = std::chrono::seconds(c.server.header_timeout_s);
  o.body_timeout = std::chrono::seconds(c.server.body_timeout_s);
  o.keepalive_timeout = std::chrono::seconds(c.server.keepalive_timeout_s);
  o.max_connections = static_cast<size_t>(c.server.max_connections);
  o.io_threads = c.server.io_threads;
  o.worker_threads = c.server.worker_threads;
  return o;
}

}  // namespace

Result<std::unique_ptr<Platform>> Platform::Open(const OpenOptions& options) {
  std::error_code ec;
  if (options.create_data_dir) fs::create_directories(options.data_dir, ec);
  if (!fs::is_directory(options.data_dir, ec)) {
    return Fail(Error::Invalid("--data", "数据目录不存在：" + options.data_dir));
  }
  std::string data_dir = fs::absolute(options.data_dir).lexically_normal().string();
  ZQ_ASSIGN_OR_RETURN(config::Config cfg, config::LoadConfig(data_dir, options.env));
  for (const auto& [key, value] : options.overrides) {
    auto origin = options.override_origins.find(key);
    ZQ_TRY(config::SetOption(cfg, key, value,
                             origin != options.override_origins.end() ? origin->second : key));
  }
  for (const char* sub : {"media", "publish", "tmp", "logs", "backups", "reports"}) {
    fs::create_directories(fs::path(data_dir) / sub, ec);
  }
  store::DbOptions dbo;
  dbo.url = cfg.DatabaseUrl();
  dbo.pool_size = cfg.database.pool_size;
  dbo.busy_timeout_ms = cfg.database.busy_timeout_ms;
  dbo.durable = !options.bulk_load;
  ZQ_ASSIGN_OR_RETURN(std::unique_ptr<store::Db> db, store::Db::Open(dbo));
  ZQ_TRY(store::Migrate(*db));

  std::unique_ptr<Platform> p(new Platform());
  p->config_ = cfg;
  service::ServiceOptions so;
  so.data_dir = data_dir;
  so.session_idle_minutes = cfg.security.session_idle_minutes;
  so.default_policy.min_length = cfg.security.password_min_length;
  so.default_policy.min_classes = cfg.security.password_min_classes;
  so.default_policy.expiry_days = cfg.security.password_expiry_days;
  so.default_policy.history = cfg.security.password_history;
  so.default_policy.max_failures = cfg.security.password_max_failures;
  so.default_policy.lockout_minutes = cfg.security.password_lockout_minutes;
  so.default_policy.idle_timeout_minutes = cfg.security.session_idle_minutes;
  so.audit_retention_days = cfg.audit.retention_days;
  so.default_theme = cfg.publish.default_theme;
  auto themes = std::make_shared<publish::ThemeSet>(cfg.ThemesDir());
  so.check_theme = [themes](const std::string& name) -> Status {
    auto t = themes->Get(name);
    if (!t) {
      return Fail(Error::Invalid(
          "theme", "主题“" + name + "”不可用：" + t.error().message +
                       (t.error().field.empty() ? "" : "（" + t.error().field + "）")));
    }
    return {};
  };
  p->service_ = std::make_unique<service::Service>(std::move(db), std::move(so));
  publish::PublishOptions po;
  po.data_dir = data_dir;
  po.themes_dir = cfg.ThemesDir();
  po.threads = cfg.publish.threads;
  po.brotli_quality = cfg.publish.brotli_quality;
  p->publisher_ = std::make_unique<publish::Publisher>(p->service_->db(), po);
  p->search_ = std::make_unique<publish::SiteSearch>((fs::path(data_dir) / "search").string());
  p->public_sites_ = std::make_unique<StaticSites>(StaticSites::Options{});
  {
    publish::SiteSearch* search = p->search_.get();
    StaticSites* sites = p->public_sites_.get();
    p->publisher_->on_index = [search](const std::string& code,
                                       const std::vector<publish::SearchDoc>& docs, bool full,
                                       const std::vector<int64_t>& removed) {
      auto st = search->Apply(code, docs, full, removed);
      if (!st)
        spdlog::error("search index {}: {} {}", code, st.error().message, st.error().internal);
    };
    Platform* self = p.get();
    p->publisher_->on_published = [sites, self](const std::string& code) {
      sites->Invalidate(code);
      self->monitoring().metrics().CountPublish(true);
      self->monitoring().Wake();  // new or changed domains get their monitors
      // A site goes live with its first publish; domains may have changed.
      auto st = self->RefreshRoutes();
      if (!st) spdlog::error("public routes: {}", st.error().internal);
    };
    publish::Publisher* pub = p->publisher_.get();
    p->public_sites_->search_handler = [search, pub](const SiteRoute& site, Request& req) {
      return SearchPage(*search, *pub, site, req);
    };
  }
  ops::MonitorOptions mo;
  mo.config = cfg.monitor;
  {
    Platform* self = p.get();
    mo.public_address = [self]() -> std::string {
      std::string host = self->config_.server.public_listen.host;
      if (host == "0.0.0.0" || host.empty()) host = "127.0.0.1";
      if (host == "::") host = "::1";
      return host + ":" + std::to_string(self->public_port());
    };
  }
  p->monitoring_ = std::make_unique<ops::Monitoring>(p->service_->db(), mo);
  ApiOptions ao;
  ao.monitoring = p->monitoring_.get();
  publish::Publisher* pub = p->publisher_.get();
  ops::Monitoring* monitoring = p->monitoring_.get();
  ao.on_article_changed = [pub, monitoring](int64_t article_id) {
    auto r = pub->PublishArticle(article_id);
    if (!r) {
      monitoring->metrics().CountPublish(false);
      spdlog::error("publish article {}: {} {}", article_id, r.error().message, r.error().internal);
    }
  };
  ao.on_site_changed = [pub, monitoring](int64_t site_id) {
    auto r = pub->PublishSite(site_id);
    if (!r) {
      monitoring->metrics().CountPublish(false);
      spdlog::error("publish site {}: {} {}", site_id, r.error().message, r.error().internal);
    }
    monitoring->Wake();
  };
  p->inspector_ = std::make_unique<inspect::Inspector>(cfg, *p->service_);
  ao.inspector = p->inspector_.get();
  ao.render_preview = [pub](int64_t site_id, const nlohmann::json& spec) {
    return pub->RenderPreview(site_id, spec);
  };
  ao.list_themes = [pub]() {
    nlohmann::json items = nlohmann::json::array();
    for (const auto& t : pub->ListThemes()) {
      items.push_back({{"name", t.name},
                       {"title", t.title},
                       {"description", t.description},
                       {"ok", t.ok},
                       {"error", t.error}});
    }
    return items;
  };
  ao.upload_dir = (fs::path(data_dir) / "tmp").string();
  ao.cookie_secure = std::string(config::Name(cfg.security.cookie_secure));
  ao.max_upload_bytes = static_cast<size_t>(cfg.server.max_upload_mib) * 1024 * 1024;
  p->api_ = std::make_unique<Api>(*p->service_, ao);
  return p;
}

// Runs due work every few seconds: scheduled publishing; once a minute a
// heartbeat (the inspection's scheduler check reads it) and the monthly
// inspection when it is due. A failure is logged and kept in
// scheduler_state as last_error for the inspection to report.
struct Platform::Scheduler {
  explicit Scheduler(Platform& p) : platform(p), thread([this] { Run(); }) {}
  ~Scheduler() {
    {
      std::lock_guard lock(mu);
      stop = true;
    }
    cv.notify_all();
    thread.join();
  }
  void Run() {
    std::unique_lock lock(mu);
    while (!stop) {
      lock.unlock();
      auto t0 = std::chrono::steady_clock::now();
      auto due = platform.publisher().PublishDue(platform.service().Now());
      platform.monitoring().metrics().ObserveJob(
          "scheduled_publish",
          std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(),
          static_cast<bool>(due));
      if (!due) {
        spdlog::error("scheduled publish: {} {}", due.error().message, due.error().internal);
        Record("last_error", "定时发布：" + due.error().message);
      }
      auto now = std::chrono::steady_clock::now();
      if (now >= next_minute) {
        next_minute = now + std::chrono::seconds(60);
        Record("heartbeat", "ok");
        auto run = platform.inspector().RunIfDue(platform.service().Now());
        if (!run) {
          spdlog::error("scheduled inspection: {} {}", run.error().message, run.error().internal);
          Record("last_error", "自动巡检：" + run.error().message);
        } else if (!run->is_null()) {
          spdlog::info("scheduled inspection {} stored", (*run)["id"].dump());
        }
      }
      lock.lock();
      cv.wait_for(lock, std::chrono::seconds(5), [this] { return stop; });
    }
  }
  void Record(const std::string& key, const std::string& value) {
    auto st = platform.service().db().Write([&](store::Conn& c) -> Status {
      ZQ_TRY(
          c.Exec("INSERT INTO scheduler_state (name, value, updated_at) VALUES (?, ?, ?) ON "
                 "CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = "
                 "excluded.updated_at",
                 {key, value, platform.service().Now()}));
      return {};
    });
    if (!st) spdlog::warn("scheduler: cannot record {}", key);
  }
  Platform& platform;
  std::chrono::steady_clock::time_point next_minute{};
  std::mutex mu;
  std::condition_variable cv;
  bool stop = false;  // GUARDED_BY(mu)
  std::thread thread;
};

Platform::~Platform() { Stop(); }

Status Platform::Start() {
  std::string tmp = (fs::path(service_->options().data_dir) / "tmp").string();
  Api* api = api_.get();
  auto console = std::make_shared<ConsoleFiles>(config_.ConsoleDir());
  spdlog::info("admin console from {}", console->dir());
  service::Service* service = service_.get();
  std::string themes_dir = config_.ThemesDir();
  ops::Monitoring* mon = monitoring_.get();
  admin_ = std::make_unique<Server>(
      ListenerOptions(config_, config_.server.admin_listen, "admin", tmp),
      [api, console, service, themes_dir, mon](Request& req) -> Response {
        Response r;
        const bool get = req.method == "GET" || req.method == "HEAD";
        if (req.path == "/api" || req.path.rfind("/api/", 0) == 0) {
          r = api->Handle(req);
        } else if (req.path == "/status" && get) {
          r = StatusPage(*mon);
        } else if (req.path == "/metrics" && get) {
          r = MetricsPage(*mon);
        } else if (req.path.rfind("/_media/", 0) == 0) {
          // What the console shows resolves on its own origin: media
          // (checked per user) and theme assets (public) for previews.
          r = ServeAdminMedia(*service, req);
        } else if (req.path.rfind("/_theme/", 0) == 0) {
          r = ServeThemeAsset(themes_dir, req);
        } else {
          r = console->Handle(req);
        }
        mon->metrics().CountRequest("admin", r.status);
        return r;
      });
  ZQ_TRY(admin_->Start());
  ZQ_TRY(RefreshRoutes());
  // The public side never serves the API, whatever the Host says (StaticSites
  // refuses /api).
  StaticSites* sites = public_sites_.get();
  ServerOptions public_opts = ListenerOptions(config_, config_.server.public_listen, "public", "");
  // Published files are served on the connection's thread; /search (Xapian)
  // and the status page go to the pool.
  public_opts.run_inline = [](const Request& req) {
    return req.path != "/search" && req.path != "/status";
  };
  bool status_public = config_.monitor.status_public != 0;
  public_ = std::make_unique<Server>(
      std::move(public_opts), [sites, mon, status_public](Request& req) -> Response {
        Response r = status_public && req.path == "/status" &&
                             (req.method == "GET" || req.method == "HEAD")
                         ? StatusPage(*mon)
                         : sites->Handle(req);
        mon->metrics().CountRequest("public", r.status);
        return r;
      });
  auto st = public_->Start();
  if (!st) {
    admin_->Stop();
    return st;
  }
  {
    config::ListenAddr a = config_.server.admin_listen, b = config_.server.public_listen;
    a.port = admin_->port();
    b.port = public_->port();
    inspector_->SetListeners(a, b);
  }
  scheduler_ = std::make_unique<Scheduler>(*this);
  st = monitoring_->Start();
  if (!st) {
    Stop();
    return st;
  }
  spdlog::info("admin listener on {}:{}, public listener on {}:{}",
               config_.server.admin_listen.host, admin_->port(), config_.server.public_listen.host,
               public_->port());
  return {};
}

void Platform::Stop() {
  if (monitoring_) monitoring_->Stop();
  scheduler_.reset();
  if (admin_) admin_->Stop();
  if (public_) public_->Stop();
}

Status Platform::RefreshRoutes() {
  std::string publish_dir = (fs::path(service_->options().data_dir) / "publish").string();
  auto routes = service_->db().ReadValue<std::map<std::string, SiteRoute>>(
      [&](store::Conn& c) -> Result<std::map<std::string, SiteRoute>> {
        ZQ_ASSIGN_OR_RETURN(auto rows,
                            c.Query("SELECT d.domain, s.code, s.theme FROM site_domains d "
                                    "JOIN sites s ON s.id = d.site_id WHERE s.status = 'open'"));
        std::map<std::string, SiteRoute> out;
        for (const auto& r : rows) {
          out[r.Text("domain")] =
              SiteRoute{r.Text("code"), publish_dir + "/" + r.Text("code"), r.Text("theme")};
        }
        return out;
      });
  if (!routes) return Fail(std::move(routes.error()));
  public_sites_->SetRoutes(std::move(*routes));
  return {};
}

uint16_t Platform::admin_port() const { return admin_ ? admin_->port() : 0; }
uint16_t Platform::public_port() const { return public_ ? public_->port() : 0; }

}  // namespace zhanqun::http
