// nginx configuration for the public sites, with the behaviour of
// StaticSites (http/static_site.h): same routing, refusals, cache and
// security headers, display modes. Only /search goes to the zhanqun public
// listener; everything else, display modes included, is answered by nginx
// alone, so the sites keep working while zhanqun is stopped or restarting
// and edge nodes fed by rsync need nothing but the trees.
//
// The output goes inside an http { } block that includes mime.types (on
// Debian: /etc/nginx/conf.d/zhanqun.conf). It listens on plain HTTP; TLS
// (listen 443 ssl, certificates, Strict-Transport-Security) is left to the
// operator's own server blocks or a terminating proxy. It also sets
// open_file_cache at the http level (entries re-checked after 1 s, so a
// publish is live within a second): nginx.conf must not set it as well.
#pragma once

#include <string>
#include <vector>

#include "core/result.h"

namespace zhanqun::http {

struct NginxSite {
  std::string code;                  // [a-z0-9_-]
  std::vector<std::string> domains;  // lower-case host names, no port
  std::string root;                  // absolute path of data/publish/<code>
  std::string theme;                 // [a-z0-9-]
};

struct NginxOptions {
  std::string listen = "80";                // "80", "127.0.0.1:8080", "[::]:80"
  std::string upstream = "127.0.0.1:8080";  // the zhanqun public listener, for /search
  // /search rate limit per client address, as StaticSites::Options.
  int search_burst = 30;
  int search_refill_seconds = 10;
};

// The configuration text. kInvalidArgument (field names the site and value)
// when a value could not be written safely into nginx syntax; kConflict when
// two sites claim one domain.
Result<std::string> NginxConf(const std::vector<NginxSite>& sites, const NginxOptions& options);

}  // namespace zhanqun::http
