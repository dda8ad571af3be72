#include "app/platform.h"

#include <spdlog/spdlog.h>

#include <filesystem>

#include "http/api/api.h"
#include "http/server.h"
#include "http/site_pages.h"
#include "http/static_site.h"
#include "inspect/inspection_job.h"
#include "ops/content_jobs.h"
#include "store/migrations.h"

namespace zhanqun::app {

namespace fs = std::filesystem;

namespace {

http::ServerOptions ListenerOptions(const config::Config& c, const config::ListenAddr& addr,
                                    std::string name, std::string upload_dir) {
  http::ServerOptions o;
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

// What the platform does when content changes: republish what visitors see,
// and let the monitors pick up new or changed domains.
class Platform::Subscribers : public service::ContentSubscriber {
 public:
  explicit Subscribers(Platform& p) : p_(p) {}
  void OnContentChanged(const service::ContentChange& change) override {
    using What = service::ContentChange::What;
    using How = service::ContentChange::How;
    switch (change.what) {
      case What::kArticle:
        if (change.visible) {
          auto r = p_.publisher().PublishArticle(change.id);
          if (!r) Failed("article", change.id, r.error());
        }
        break;
      case What::kSite:
        if (change.how != How::kUpdated) break;
        [[fallthrough]];
      case What::kColumn: {
        auto r = p_.publisher().PublishSite(change.site_id);
        if (!r) Failed("site", change.site_id, r.error());
        p_.monitoring().Wake();
        break;
      }
      case What::kTheme:
      case What::kMedia:
        break;
    }
  }

 private:
  void Failed(const char* what, int64_t id, const Error& e) {
    p_.monitoring().metrics().CountPublish(false);
    spdlog::error("publish {} {}: {} {}", what, id, e.message, e.internal);
  }
  Platform& p_;
};

Platform::Platform() = default;

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

  // Service.
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

  // Publishing, search and the public sites.
  publish::PublishOptions po;
  po.data_dir = data_dir;
  po.themes_dir = cfg.ThemesDir();
  po.threads = cfg.publish.threads;
  po.brotli_quality = cfg.publish.brotli_quality;
  p->publisher_ = std::make_unique<publish::Publisher>(p->service_->db(), po);
  p->search_ = std::make_unique<publish::SiteSearch>((fs::path(data_dir) / "search").string());
  p->public_sites_ = std::make_unique<http::StaticSites>(http::StaticSites::Options{});
  p->search_page_ = std::make_unique<http::SearchPage>(*p->search_, *p->publisher_);
  Platform* self = p.get();
  p->publisher_->on_index = [self](const std::string& code,
                                   const std::vector<publish::SearchDoc>& docs, bool full,
                                   const std::vector<int64_t>& removed) {
    auto st = self->search_->Apply(code, docs, full, removed);
    if (!st) spdlog::error("search index {}: {} {}", code, st.error().message, st.error().internal);
  };
  p->publisher_->on_published = [self](const std::string& code) {
    self->public_sites_->Invalidate(code);
    self->monitoring_->metrics().CountPublish(true);
    self->monitoring_->Wake();  // new or changed domains get their monitors
    // A site goes live with its first publish; domains may have changed.
    auto st = self->RefreshRoutes();
    if (!st) spdlog::error("public routes: {}", st.error().internal);
  };
  p->public_sites_->search_handler = [self](const http::SiteRoute& site, http::Request& req) {
    return self->search_page_->Handle(site, req);
  };

  // Operations.
  ops::MonitorOptions mo;
  mo.config = cfg.monitor;
  mo.public_address = [self]() -> std::string {
    std::string host = self->config_.server.public_listen.host;
    if (host == "0.0.0.0" || host.empty()) host = "127.0.0.1";
    if (host == "::") host = "::1";
    return host + ":" + std::to_string(self->public_port());
  };
  p->monitoring_ = std::make_unique<ops::Monitoring>(p->service_->db(), mo);
  p->inspector_ = std::make_unique<inspect::Inspector>(cfg, *p->service_);
  ops::SchedulerOptions sched;
  sched.metrics = &p->monitoring_->metrics();
  p->scheduler_ = std::make_unique<ops::Scheduler>(p->service_->db(), sched);
  p->scheduler_->Add(std::make_unique<ops::ScheduledPublishJob>(*p->service_));
  p->scheduler_->Add(std::make_unique<inspect::InspectionJob>(*p->inspector_));

  // Content changes reach the publisher and the monitors (not during a bulk
  // load, whose caller publishes whole sites at the end).
  p->subscribers_ = std::make_unique<Subscribers>(*p);
  if (!options.bulk_load) p->service_->Subscribe(p->subscribers_.get());

  // The API.
  http::ApiOptions ao;
  ao.monitoring = p->monitoring_.get();
  ao.inspector = p->inspector_.get();
  ao.scheduler = p->scheduler_.get();
  publish::Publisher* pub = p->publisher_.get();
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
  p->api_ = std::make_unique<http::Api>(*p->service_, ao);
  return p;
}

Platform::~Platform() { Stop(); }

Status Platform::Start() {
  std::string tmp = (fs::path(service_->options().data_dir) / "tmp").string();
  admin_site_ = std::make_unique<http::AdminSite>(*api_, *service_, *monitoring_,
                                                  config_.ConsoleDir(), config_.ThemesDir());
  spdlog::info("admin console from {}", admin_site_->console().dir());
  http::AdminSite* admin_site = admin_site_.get();
  admin_ = std::make_unique<http::Server>(
      ListenerOptions(config_, config_.server.admin_listen, "admin", tmp),
      [admin_site](http::Request& req) { return admin_site->Handle(req); });
  ZQ_TRY(admin_->Start());
  ZQ_TRY(RefreshRoutes());
  // The public side never serves the API, whatever the Host says (StaticSites
  // refuses /api).
  http::StaticSites* sites = public_sites_.get();
  ops::Monitoring* mon = monitoring_.get();
  http::ServerOptions public_opts =
      ListenerOptions(config_, config_.server.public_listen, "public", "");
  // Published files are served on the connection's thread; /search (Xapian)
  // and the status page go to the pool.
  public_opts.run_inline = [](const http::Request& req) {
    return req.path != "/search" && req.path != "/status";
  };
  bool status_public = config_.monitor.status_public != 0;
  public_ = std::make_unique<http::Server>(
      std::move(public_opts), [sites, mon, status_public](http::Request& req) -> http::Response {
        http::Response r =
            status_public && req.path == "/status" && (req.method == "GET" || req.method == "HEAD")
                ? http::StatusPage(*mon)
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
  scheduler_->Start();
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
  if (scheduler_) scheduler_->Stop();
  if (admin_) admin_->Stop();
  if (public_) public_->Stop();
}

Status Platform::RefreshRoutes() {
  std::string publish_dir = (fs::path(service_->options().data_dir) / "publish").string();
  ZQ_ASSIGN_OR_RETURN(auto domains, service_->OpenSiteDomains());
  std::map<std::string, http::SiteRoute> routes;
  for (auto& d : domains) {
    routes[d.domain] = http::SiteRoute{d.code, publish_dir + "/" + d.code, d.theme};
  }
  public_sites_->SetRoutes(std::move(routes));
  return {};
}

uint16_t Platform::admin_port() const { return admin_ ? admin_->port() : 0; }
uint16_t Platform::public_port() const { return public_ ? public_->port() : 0; }

}  // namespace zhanqun::app
