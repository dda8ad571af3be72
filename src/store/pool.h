// Connection pool and transaction runner shared by both engines.
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "store/db.h"

namespace zhanqun::store {

class PooledDb : public Db {
 public:
  using Factory = std::function<Result<std::unique_ptr<Conn>>()>;
  PooledDb(Factory factory, int size) : factory_(std::move(factory)), max_(size) {}
  Status Prime();  // opens one connection now so a bad URL fails at start

 protected:
  Status RunTx(const std::function<Status(Conn&)>& fn, bool write) override;
  virtual std::string_view BeginSql(bool write) const = 0;
  // True for failures worth retrying the whole transaction (busy, serialization).
  virtual bool Retryable(const Error& e) const = 0;

 private:
  Result<std::unique_ptr<Conn>> Acquire();
  void Release(std::unique_ptr<Conn> c, bool healthy);

  Factory factory_;
  int max_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Conn>> idle_;  // GUARDED_BY(mu_)
  int open_ = 0;                             // GUARDED_BY(mu_)
};

}  // namespace zhanqun::store
