// The running platform: configuration, store, service, API and the two
// listeners. Used by `zhanqun serve` and by the integration tests, which start
// it in-process on ephemeral loopback ports.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "config/config.h"
#include "core/result.h"
#include "inspect/inspect.h"
#include "ops/monitoring.h"
#include "publish/publisher.h"
#include "publish/site_search.h"
#include "service/service.h"

namespace zhanqun::http {

class Server;
class Api;
class StaticSites;

struct OpenOptions {
  std::string data_dir;
  // "section.key" -> value, applied after file and environment (CLI flags).
  std::map<std::string, std::string> overrides;
  // "section.key" -> the flag that set it ("--db"), for error messages.
  std::map<std::string, std::string> override_origins;
  std::map<std::string, std::string> env;  // ZHANQUN_* variables
  bool create_data_dir = false;
  bool bulk_load = false;  // demo generation: SQLite without fsync (store::DbOptions::durable)
};

class Platform {
 public:
  // Loads configuration, opens the store and applies migrations.
  static Result<std::unique_ptr<Platform>> Open(const OpenOptions& options);
  ~Platform();

  const config::Config& config() const { return config_; }
  service::Service& service() { return *service_; }
  Api& api() { return *api_; }
  publish::Publisher& publisher() { return *publisher_; }
  StaticSites& public_sites() { return *public_sites_; }
  inspect::Inspector& inspector() { return *inspector_; }
  ops::Monitoring& monitoring() { return *monitoring_; }
  // Reloads the Host -> site table of the public listener from the store.
  Status RefreshRoutes();

  // Binds both listeners and starts serving.
  Status Start();
  void Stop();
  uint16_t admin_port() const;
  uint16_t public_port() const;

 private:
  Platform() = default;
  config::Config config_;
  std::unique_ptr<service::Service> service_;
  std::unique_ptr<publish::Publisher> publisher_;
  std::unique_ptr<publish::SiteSearch> search_;
  std::unique_ptr<StaticSites> public_sites_;
  std::unique_ptr<inspect::Inspector> inspector_;
  std::unique_ptr<ops::Monitoring> monitoring_;
  std::unique_ptr<Api> api_;
  struct Scheduler;
  std::unique_ptr<Scheduler> scheduler_;
  std::unique_ptr<Server> admin_;
  std::unique_ptr<Server> public_;
};

}  // namespace zhanqun::http
