// Pages the listeners render on request rather than serve from files:
// - the public /search page of a site (its theme around the index's hits);
// - the internal status page and the Prometheus /metrics text;
// - the admin listener as a whole (AdminSite): /api, /status, /metrics,
//   /_media/, /_theme/ and the console, in that order of precedence.
#pragma once

#include <memory>
#include <string>

#include "http/console.h"
#include "http/message.h"
#include "http/static_site.h"

namespace zhanqun::ops {
class Monitoring;
}
namespace zhanqun::publish {
class Publisher;
class SiteSearch;
}  // namespace zhanqun::publish
namespace zhanqun::service {
class Service;
}

namespace zhanqun::http {

class Api;

class SearchPage {
 public:
  SearchPage(publish::SiteSearch& search, publish::Publisher& publisher)
      : search_(search), publisher_(publisher) {}
  // GET /search?q=&page=&sort=date on a site's host.
  Response Handle(const SiteRoute& site, Request& req);

 private:
  publish::SiteSearch& search_;
  publish::Publisher& publisher_;
};

// The internal status page (plain HTML, no script).
Response StatusPage(ops::Monitoring& monitoring);
// Prometheus text format 0.0.4. No session: the admin listener is loopback by
// default (docs/monitoring.md says how to expose it safely).
Response MetricsPage(ops::Monitoring& monitoring);

class AdminSite {
 public:
  AdminSite(Api& api, service::Service& service, ops::Monitoring& monitoring,
            std::string console_dir, std::string themes_dir)
      : api_(api),
        service_(service),
        monitoring_(monitoring),
        console_(std::move(console_dir)),
        themes_dir_(std::move(themes_dir)) {}
  Response Handle(Request& req);
  const ConsoleFiles& console() const { return console_; }

 private:
  Api& api_;
  service::Service& service_;
  ops::Monitoring& monitoring_;
  ConsoleFiles console_;
  std::string themes_dir_;
};

}  // namespace zhanqun::http
