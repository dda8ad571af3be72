#pragma once

#include <string>

#include "service/service.h"

namespace zhanqun::testing {

// A digest of everything the store holds that a request could change
// (sessions excluded: reading refreshes them). Equal before and after a
// refused request means the request changed nothing.
std::string StoreFingerprint(service::Service& s);

}  // namespace zhanqun::testing
