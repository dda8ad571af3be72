// The admin listener serves the built console (http/console.h) at every path
// outside /api, with the single-page app's index.html for client routes.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "support/test_env.h"

namespace zhanqun::testing {
namespace {

namespace fs = std::filesystem;

void Write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << text;
}

class ConsoleTest : public ::testing::Test {
 protected:
  ConsoleTest() {
    Write(fs::path(dist_.path()) / "index.html", "<!doctype html><title>控制台</title>APP");
    Write(fs::path(dist_.path()) / "assets/index-BxY7a9Qz.js", "console.log(1)");
    Write(fs::path(dist_.path()) / "favicon.ico", "ICO");
    Write(fs::path(dist_.path()) / ".env", "SECRET=1");
    Write(fs::path(dist_.path()).parent_path() / "outside.txt", "OUTSIDE");
  }
  TempDir dist_;
};

TEST_F(ConsoleTest, ClientRoutesGetTheAppAndAssetsAreCachedForever) {
  TestPlatform tp({{"server.console_dir", dist_.path()}});
  Client c(tp.admin_base());
  for (const char* path : {"/", "/index.html", "/articles/12/edit", "/login?next=%2Fsites"}) {
    auto r = c.Get(path);
    EXPECT_EQ(r.status, 200) << path;
    EXPECT_NE(r.body.find("APP"), std::string::npos) << path;
    EXPECT_EQ(r.headers["cache-control"], "no-cache") << path;
    EXPECT_EQ(r.headers["content-type"], "text/html; charset=utf-8") << path;
    EXPECT_NE(r.headers["content-security-policy"].find("script-src 'self';"), std::string::npos);
    EXPECT_EQ(r.headers["x-frame-options"], "DENY");
  }
  auto js = c.Get("/assets/index-BxY7a9Qz.js");
  EXPECT_EQ(js.status, 200);
  EXPECT_EQ(js.body, "console.log(1)");
  EXPECT_EQ(js.headers["content-type"], "text/javascript; charset=utf-8");
  EXPECT_EQ(js.headers["cache-control"], "public, max-age=31536000, immutable");

  auto again =
      c.Request("GET", "/assets/index-BxY7a9Qz.js", "", {"If-None-Match: " + js.headers["etag"]});
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.body.empty());

  // A chunk of an older build is a 404, never the app's HTML as JavaScript.
  EXPECT_EQ(c.Get("/assets/index-Old12345.js").status, 404);
}

TEST_F(ConsoleTest, NothingOutsideTheBuildAndNoDotfiles) {
  TestPlatform tp({{"server.console_dir", dist_.path()}});
  Client c(tp.admin_base());
  for (const char* path : {"/.env", "/%2e%2e/outside.txt", "/assets/..%2f..%2foutside.txt",
                           "/assets%2f..%2f..%2foutside.txt"}) {
    auto r = c.Get(path);
    EXPECT_EQ(r.body.find("SECRET"), std::string::npos) << path;
    EXPECT_EQ(r.body.find("OUTSIDE"), std::string::npos) << path;
  }
  EXPECT_EQ(c.Request("POST", "/", "{}").status, 405);
  EXPECT_EQ(c.Request("DELETE", "/index.html").status, 405);
  // /api stays the API.
  auto api = c.Get("/api/v1/nope");
  EXPECT_EQ(api.status, 404);
  EXPECT_EQ(api.headers["content-type"].rfind("application/json", 0), 0u);
}

TEST(Console, MissingBuildSaysHowToBuildIt) {
  TempDir empty;
  TestPlatform tp({{"server.console_dir", empty.path() + "/dist"}});
  Client c(tp.admin_base());
  auto r = c.Get("/sites");
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("make build"), std::string::npos);
}

}  // namespace
}  // namespace zhanqun::testing
