#include <filesystem>
#include <map>

#include "http/api/api.h"
#include "http/api/internal.h"
#include "http/multipart.h"

namespace zhanqun::http {

using namespace api;

void Api::AddContentRoutes() {
  // --- articles ----------------------------------------------------------
  Add("GET", "/api/v1/sites/{id}/articles", Owner::Site(Owner::SiteAccess::kRead), "信息列表",
      [this](Call& c) -> Result<Reply> {
        ZQ_ASSIGN_OR_RETURN(auto page, ParsePage(c.req));
        ZQ_ASSIGN_OR_RETURN(
            json f, Filters(c.req, {"column_id", "created_by", "from", "to"}, {"status", "q"}));
        return Ok(service_.ListArticles(c.who(), c.Id(), page, f));
      });
  Add("POST", "/api/v1/sites/{id}/articles", Owner::Site(Owner::SiteAccess::kEdit), "新建信息",
      [this](Call& c) { return Ok(service_.CreateArticle(c.who(), c.Id(), c.body), 201); });
  Add("GET", "/api/v1/articles/{id}", Owner::Site(Owner::SiteAccess::kRead), "信息详情",
      [this](Call& c) { return Ok(service_.GetArticle(c.who(), c.Id())); });
  // A reviewer's in-place edit of a published article goes live now (the
  // service announces it; the publisher is subscribed).
  Add("PATCH", "/api/v1/articles/{id}", Owner::Site(Owner::SiteAccess::kEdit), "修改信息",
      [this](Call& c) { return Ok(service_.UpdateArticle(c.who(), c.Id(), c.body)); });
  Add("POST", "/api/v1/articles/{id}/pin", Owner::Site(Owner::SiteAccess::kReview), "置顶与排序",
      [this](Call& c) { return Ok(service_.PinArticle(c.who(), c.Id(), c.body)); });
  Add("GET", "/api/v1/articles/{id}/revisions", Owner::Site(Owner::SiteAccess::kRead),
      "信息修订历史", [this](Call& c) { return Ok(service_.ListRevisions(c.who(), c.Id())); });
  for (const char* action : {"submit", "approve", "reject", "publish", "withdraw"}) {
    std::string a = action;
    Owner owner =
        Owner::Site(a == "submit" ? Owner::SiteAccess::kEdit : Owner::SiteAccess::kReview);
    static const std::map<std::string, std::string> kSummary = {{"submit", "提交审核"},
                                                                {"approve", "审核通过"},
                                                                {"reject", "退回修改"},
                                                                {"publish", "发布"},
                                                                {"withdraw", "撤回"}};
    Add("POST", "/api/v1/articles/{id}/" + a, owner, kSummary.at(a),
        [this, a](Call& c) { return Ok(service_.ArticleAction(c.who(), c.Id(), a, c.body)); });
  }
  // --- media ---------------------------------------------------------------
  Add("GET", "/api/v1/sites/{id}/media", Owner::Site(Owner::SiteAccess::kRead), "媒体库",
      [this](Call& c) -> Result<Reply> {
        ZQ_ASSIGN_OR_RETURN(auto page, ParsePage(c.req));
        ZQ_ASSIGN_OR_RETURN(json f, Filters(c.req, {}, {"kind", "q"}));
        if (f.contains("kind") && f["kind"] != "image" && f["kind"] != "file") {
          return Fail(Error::Invalid("kind", "kind 必须是 image 或 file"));
        }
        return Ok(service_.ListMedia(c.who(), c.Id(), page, f));
      });
  Add("DELETE", "/api/v1/media/{id}", Owner::Site(Owner::SiteAccess::kEdit), "删除媒体文件",
      [this](Call& c) { return NoContent(service_.DeleteMedia(c.who(), c.Id())); });
  Add(
      "POST", "/api/v1/sites/{id}/media", Owner::Site(Owner::SiteAccess::kEdit), "上传图片或附件",
      [this](Call& c) -> Result<Reply> {
        ZQ_TRY(service_.CheckUpload(c.who(), c.Id()));
        if (c.req.body_file.empty()) {
          return Fail(Error{Code::kUnsupportedMediaType,
                            "上传文件须使用 multipart/form-data",
                            "Content-Type",
                            {}});
        }
        MultipartLimits limits;
        limits.max_file_bytes = options_.max_upload_bytes;
        limits.max_parts = 8;
        ZQ_ASSIGN_OR_RETURN(auto parts,
                            ParseMultipartFile(c.req.body_file, c.req.Header("content-type"),
                                               options_.upload_dir, limits));
        std::string alt, file_path, filename, mime;
        for (const auto& p : parts) {
          if (p.name == "alt" && !p.is_file) alt = p.value;
          if (p.name == "file" && p.is_file && !p.file_path.empty()) {
            file_path = p.file_path;
            filename = p.filename;
            mime = p.content_type;
          }
        }
        auto cleanup = [&] {
          std::error_code ec;
          for (const auto& p : parts) {
            if (!p.file_path.empty()) std::filesystem::remove(p.file_path, ec);
          }
        };
        if (file_path.empty()) {
          cleanup();
          return Fail(Error::Invalid("file", "缺少上传文件（字段 file）"));
        }
        auto r = service_.AddMedia(c.who(), c.Id(), file_path, filename, mime, alt);
        cleanup();
        return Ok(std::move(r), 201);
      },
      RouteFlags{.during_password_change = false, .multipart = true});
}

}  // namespace zhanqun::http
