// Misbehaving servers on loopback for the monitoring tests: real sockets,
// real TLS, each on its own ephemeral port, each connection on its own thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace zhanqun::testing {

class RawServer {
 public:
  enum class Mode {
    kHang,          // accepts, reads the request, never answers
    kReset,         // accepts and resets the connection (RST)
    kDrip,          // headers at once, then the body one byte a second
    kAlternate500,  // 500, 200, 500, 200, …
    kStatic,        // always `status` with `body`
    kToggle,        // 500 while down(), else 200 with `body`
    kTlsExpired,    // TLS with a certificate that expired yesterday (signed by a test CA)
    kTlsValid,      // TLS with a certificate valid for 20 more days
    kWebhook,       // records POSTed bodies, answers {"errcode":0}
  };
  // Listens on 127.0.0.1:port (0 = ephemeral). TLS modes need ca_dir: the
  // test CA (ca.pem) and the leaf are written there.
  RawServer(Mode mode, int status = 200, std::string body = "", uint16_t port = 0,
            std::string ca_dir = "");
  ~RawServer();
  uint16_t port() const { return port_; }
  std::string url(const std::string& path = "/") const;
  void set_down(bool d) { down_ = d; }
  std::vector<std::string> bodies();  // kWebhook: what was POSTed
  // Waits (bounded) until the predicate on the bodies holds.
  bool WaitBodies(const std::function<bool(const std::vector<std::string>&)>& pred, int ms);
  int requests() const { return requests_; }

 private:
  void Serve(int fd);
  Mode mode_;
  int status_;
  std::string body_;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<bool> down_{false};
  std::atomic<int> requests_{0};
  std::thread accept_thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::thread> conns_;   // GUARDED_BY(mu_)
  std::vector<int> fds_;             // GUARDED_BY(mu_)
  std::vector<std::string> bodies_;  // GUARDED_BY(mu_)
  void* ssl_ctx_ = nullptr;
};

// A port that nothing listens on (bound, then closed).
uint16_t FreePort();

}  // namespace zhanqun::testing
