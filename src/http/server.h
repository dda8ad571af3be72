// HTTP/1.1 server on Boost.Beast with C++20 coroutines. One io_context per
// io thread; the acceptor hands connections to them in turn, and each
// connection is one coroutine on its io_context's thread. The Handler runs on
// a separate blocking pool, so handlers may touch the database or the disk
// (unless run_inline says a request is quick: then on the connection's thread).
// Beast parses requests; responses are written by the server itself (status
// line and headers in one buffer, gathered with the body in one write).
// This header is included widely, so it carries no Boost or Beast include.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/result.h"
#include "http/message.h"

namespace zhanqun::http {

struct ServerOptions {
  std::string name = "admin";         // for logs
  std::string address = "127.0.0.1";  // IPv4 or IPv6 literal; "0.0.0.0" / "::" for all
  uint16_t port = 0;                  // 0 = ephemeral; Server::port() tells the bound one
  size_t max_header_bytes = 16 * 1024;
  size_t max_body_bytes = 1 << 20;     // in-memory bodies (JSON)
  size_t max_upload_bytes = 64 << 20;  // multipart/form-data bodies, streamed to a temp file
  // Where streamed bodies go (must exist). When empty, multipart bodies are
  // read into memory under max_body_bytes like any other body.
  std::string upload_dir;
  std::chrono::milliseconds header_timeout{10000};  // whole header must arrive within this
  std::chrono::milliseconds body_timeout{60000};
  std::chrono::milliseconds write_timeout{60000};
  std::chrono::milliseconds keepalive_timeout{30000};  // idle between requests
  size_t max_connections = 1024;                       // beyond: answer 503 and close
  int io_threads = 2;                                  // one io_context each
  int worker_threads = 4;                              // blocking pool where Handler runs
  // Requests for which Handler is quick and never blocks for long (a
  // memory-cached or local file): run it on the connection's own thread and
  // skip the two thread hops to and from the pool. Unset: always the pool.
  std::function<bool(const Request&)> run_inline;
};

// Error responses the server produces itself (400, 408, 413, 431, 500, 503)
// are JSON: {"error":{"code":"payload_too_large","message":"请求体过大","field":"body"}}.
// A Handler that throws gets a 500; what() goes to the log only.
class Server {
 public:
  Server(ServerOptions opts, Handler handler);
  ~Server();  // stops and joins
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens, then starts the threads. Error kUnavailable naming
  // address:port when the address cannot be bound; kInvalidArgument (field
  // "address") when it is not an IP literal. Call once.
  Status Start();
  uint16_t port() const;
  // Stops accepting, closes every connection, joins the threads. Idempotent.
  // Waits for handlers already running on the pool; do not call it from one.
  void Stop();
  size_t active_connections() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace zhanqun::http
