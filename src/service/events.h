// Change events: after a transaction commits, the service announces what
// changed through this one interface. The publisher, the search index, the
// link checker and every later subscriber (tamper baseline, exchange copies)
// implement ContentSubscriber; the API, the CLI and the scheduler all change
// content through the service, so they all take the same path.
//
// Contract:
// - OnContentChanged runs after the commit, on the thread that made the
//   change, synchronously: when the API answers, subscribers have run (an
//   edit is live when the editor sees 已保存).
// - Subscribers are called in the order they subscribed. An error or an
//   exception in one is logged and does not reach the caller or the others:
//   the change itself has committed.
// - Subscribe before the platform serves; the list is not changed after.
#pragma once

#include <cstdint>
#include <string_view>

namespace zhanqun::service {

struct ContentChange {
  enum class What { kArticle, kColumn, kSite, kTheme, kMedia };
  enum class How { kCreated, kUpdated, kDeleted };
  What what = What::kArticle;
  How how = How::kUpdated;
  int64_t site_id = 0;
  int64_t id = 0;  // the article, column or media id; the site id for kSite
  // kArticle: the public sites showed it before or show it now (published,
  // withdrawn from published, a correction in place).
  bool visible = false;
};

std::string_view WhatName(ContentChange::What w);  // "article", "column", …

class ContentSubscriber {
 public:
  virtual ~ContentSubscriber() = default;
  virtual void OnContentChanged(const ContentChange& change) = 0;
};

}  // namespace zhanqun::service
