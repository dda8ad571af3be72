// A small district for API tests: two schools with a site each, columns,
// articles in two states, and one account per role.
#pragma once

#include <map>
#include <string>

#include "test_env.h"

namespace zhanqun::testing {

struct District {
  int64_t district = 0, school_a = 0, school_b = 0;
  int64_t site_a = 0, site_b = 0;
  int64_t column_a1 = 0, column_a2 = 0, column_b1 = 0;
  int64_t article_draft = 0, article_pending = 0;
  int64_t victim = 0;                    // an account that user-management routes act on
  int64_t victim_grant = 0;              // one of its grants
  std::map<std::string, int64_t> users;  // a_admin, a_editor, a_reviewer, b_editor
};

// Builds the district through the service (validated and audited).
District BuildDistrict(TestPlatform& tp);

}  // namespace zhanqun::testing
