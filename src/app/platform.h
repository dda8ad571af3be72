// The composition root: the only place that builds the modules and wires them
// together. `zhanqun` subcommands (cli/main.cc), the integration tests and the
// benchmarks open a Platform; `serve` (and the tests) then Start() it.
//
//   Open():  configuration → store (migrations) → service → publisher, search,
//            public sites → monitoring, inspector → API → scheduler and its
//            jobs; content subscribers registered with the service.
//   Start(): both listeners, the scheduler, the monitors.
//   Stop():  the reverse; also run by the destructor.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "config/config.h"
#include "core/result.h"
#include "inspect/inspect.h"
#include "ops/monitoring.h"
#include "ops/scheduler.h"
#include "publish/publisher.h"
#include "publish/site_search.h"
#include "service/service.h"

namespace zhanqun::http {
class Server;
class Api;
class StaticSites;
class SearchPage;
class AdminSite;
}  // namespace zhanqun::http

namespace zhanqun::app {

struct OpenOptions {
  std::string data_dir;
  // "section.key" -> value, applied after file and environment (CLI flags).
  std::map<std::string, std::string> overrides;
  // "section.key" -> the flag that set it ("--db"), for error messages.
  std::map<std::string, std::string> override_origins;
  std::map<std::string, std::string> env;  // ZHANQUN_* variables
  bool create_data_dir = false;
  // Demo generation and bulk loads: SQLite without fsync
  // (store::DbOptions::durable), and changes are not published one by one
  // (the caller publishes whole sites at the end).
  bool bulk_load = false;
};

class Platform {
 public:
  // Loads configuration, opens the store and applies migrations.
  static Result<std::unique_ptr<Platform>> Open(const OpenOptions& options);
  ~Platform();

  const config::Config& config() const { return config_; }
  service::Service& service() { return *service_; }
  http::Api& api() { return *api_; }
  publish::Publisher& publisher() { return *publisher_; }
  http::StaticSites& public_sites() { return *public_sites_; }
  inspect::Inspector& inspector() { return *inspector_; }
  ops::Monitoring& monitoring() { return *monitoring_; }
  ops::Scheduler& scheduler() { return *scheduler_; }
  // Reloads the Host -> site table of the public listener from the store.
  Status RefreshRoutes();

  // Binds both listeners and starts serving, the scheduler and the monitors.
  Status Start();
  void Stop();
  uint16_t admin_port() const;
  uint16_t public_port() const;

 private:
  class Subscribers;
  Platform();
  config::Config config_;
  std::unique_ptr<service::Service> service_;
  std::unique_ptr<publish::Publisher> publisher_;
  std::unique_ptr<publish::SiteSearch> search_;
  std::unique_ptr<http::StaticSites> public_sites_;
  std::unique_ptr<http::SearchPage> search_page_;
  std::unique_ptr<inspect::Inspector> inspector_;
  std::unique_ptr<ops::Monitoring> monitoring_;
  std::unique_ptr<http::Api> api_;
  std::unique_ptr<Subscribers> subscribers_;
  std::unique_ptr<ops::Scheduler> scheduler_;
  std::unique_ptr<http::AdminSite> admin_site_;
  std::unique_ptr<http::Server> admin_;
  std::unique_ptr<http::Server> public_;
};

}  // namespace zhanqun::app
