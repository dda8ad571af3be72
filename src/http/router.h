// Method + path-pattern routing. Every route names its owner (who may call it)
// so that the route matrix test can check each one and a route without an
// owner cannot be added.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "http/message.h"

namespace zhanqun::http {

struct Route {
  std::string method;   // GET POST PATCH DELETE
  std::string pattern;  // "/api/v1/sites/{id}"; {name} matches one segment of digits
  std::string owner;  // "anyone", "signed_in", "sysadmin", "secadmin", "auditor", "site:read", ...
  std::string summary;  // one line, Chinese
  Handler handler;
};

class Router {
 public:
  void Add(Route r);
  const std::vector<Route>& routes() const { return routes_; }

  struct Match {
    const Route* route = nullptr;
    std::map<std::string, std::string> params;
    bool path_matched = false;  // some route had this path (for 405)
    std::string allow;          // methods allowed on the path
  };
  Match Find(const std::string& method, const std::string& path) const;

 private:
  std::vector<Route> routes_;
};

}  // namespace zhanqun::http
