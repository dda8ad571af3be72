// A demo district: schools, sites, columns, articles and accounts, the same
// for the same seed. Goes through the service (validated and audited) like
// any operator's work would.
#pragma once

#include <cstdint>
#include <string>

#include "service/service.h"

namespace zhanqun::service {

// Returns a printable summary: sites, URLs and logins. news_articles > 0
// gives every site's 新闻动态 exactly that many articles (benchmarks).
Result<std::string> CreateDemo(Service& service, int sites, uint64_t seed, int news_articles = 0);

}  // namespace zhanqun::service
