// The admin console's files (web/admin/dist, built by scripts/build.sh) on the
// admin listener. Everything that is not /api goes here: an existing file
// under the directory is sent as it is, any other path gets index.html so the
// single-page app's router can show it (history mode). Content-hashed files
// under /assets/ are cached for a year; index.html is never cached, so a new
// build is picked up on the next load.
#pragma once

#include <string>

#include "http/message.h"

namespace zhanqun::http {

class ConsoleFiles {
 public:
  // dir: the built console (contains index.html); it may be missing, then a
  // page saying how to build it is shown.
  explicit ConsoleFiles(std::string dir) : dir_(std::move(dir)) {}
  Response Handle(const Request& req) const;
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
};

// Headers on every console response: a CSP allowing only the console's own
// scripts (Element Plus needs inline style attributes, so styles may be
// inline), framing refused, no referrer outside the console.
void AddConsoleSecurityHeaders(Response& r);

}  // namespace zhanqun::http
