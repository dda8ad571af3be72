// A result row read by a misspelt column name is a bug in our SQL; it must
// raise an exception that a handler catches, never abort the process.
#include <gtest/gtest.h>

#include <stdexcept>

#include "store/db.h"

namespace zhanqun::store {
namespace {

TEST(Row, AMisspeltColumnThrowsInsteadOfAbortingTheProcess) {
  Row r;
  r.names =
      std::make_shared<const std::vector<std::string>>(std::vector<std::string>{"id", "title"});
  r.values = {int64_t{7}, std::string("标题")};
  EXPECT_EQ(r.Int("id"), 7);
  EXPECT_EQ(r.Text("title"), "标题");
  EXPECT_THROW(r.Int("idd"), std::logic_error);
  EXPECT_THROW(r.Text("titel"), std::logic_error);
  try {
    r.IsNull("nope");
    FAIL() << "no exception";
  } catch (const std::logic_error& e) {
    EXPECT_NE(std::string(e.what()).find("nope"), std::string::npos);
  }
}

}  // namespace
}  // namespace zhanqun::store
