// Files the admin listener serves beside the console, so that what the
// console shows (editor images, thumbnails, previews) resolves on its origin:
//   /_media/ab/<hash>.<ext>  uploaded media, to a signed-in user who may read a
//                            site owning it (401 without a session, 404 else);
//   /_theme/<name>/<path>    a theme's public assets, read only.
#pragma once

#include <string>

#include "http/message.h"
#include "service/service.h"

namespace zhanqun::http {

Response ServeAdminMedia(service::Service& service, const Request& req);
Response ServeThemeAsset(const std::string& themes_dir, const Request& req);

}  // namespace zhanqun::http
