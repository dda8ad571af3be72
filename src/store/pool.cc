#include "store/pool.h"

#include <chrono>
#include <thread>

namespace zhanqun::store {

Status PooledDb::Prime() {
  auto c = Acquire();
  if (!c) return Fail(std::move(c.error()));
  Release(std::move(*c), true);
  return {};
}

Result<std::unique_ptr<Conn>> PooledDb::Acquire() {
  std::unique_lock lock(mu_);
  for (;;) {
    if (!idle_.empty()) {
      auto c = std::move(idle_.back());
      idle_.pop_back();
      return c;
    }
    if (open_ < max_) {
      ++open_;
      lock.unlock();
      auto c = factory_();
      if (!c) {
        lock.lock();
        --open_;
        cv_.notify_one();
      }
      return c;
    }
    cv_.wait(lock);
  }
}

void PooledDb::Release(std::unique_ptr<Conn> c, bool healthy) {
  std::lock_guard lock(mu_);
  if (healthy) {
    idle_.push_back(std::move(c));
  } else {
    --open_;
  }
  cv_.notify_one();
}

Status PooledDb::RunTx(const std::function<Status(Conn&)>& fn, bool write) {
  constexpr int kAttempts = 8;
  Error last;
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    auto acquired = Acquire();
    if (!acquired) return Fail(std::move(acquired.error()));
    std::unique_ptr<Conn> conn = std::move(*acquired);
    auto begun = conn->Exec(BeginSql(write));
    if (!begun) {
      bool retry = Retryable(begun.error());
      // A connection that cannot begin is probably broken; drop it.
      Release(std::move(conn), retry);
      if (!retry) return Fail(std::move(begun.error()));
      last = std::move(begun.error());
      std::this_thread::sleep_for(std::chrono::milliseconds(5 << attempt));
      continue;
    }
    Status result;
    try {
      result = fn(*conn);
    } catch (...) {
      (void)conn->Exec("ROLLBACK");
      Release(std::move(conn), true);
      throw;
    }
    if (!result) {
      bool healthy = static_cast<bool>(conn->Exec("ROLLBACK"));
      Release(std::move(conn), healthy);
      if (Retryable(result.error()) && attempt + 1 < kAttempts) {
        last = std::move(result.error());
        std::this_thread::sleep_for(std::chrono::milliseconds(5 << attempt));
        continue;
      }
      return result;
    }
    auto committed = conn->Exec("COMMIT");
    if (!committed) {
      bool healthy = static_cast<bool>(conn->Exec("ROLLBACK"));
      Release(std::move(conn), healthy);
      if (Retryable(committed.error()) && attempt + 1 < kAttempts) {
        last = std::move(committed.error());
        continue;
      }
      return Fail(std::move(committed.error()));
    }
    Release(std::move(conn), true);
    return {};
  }
  return Fail(std::move(last));
}

}  // namespace zhanqun::store
