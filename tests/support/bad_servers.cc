#include "bad_servers.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace zhanqun::testing {
namespace {

struct TestCa {
  EVP_PKEY* key = nullptr;
  X509* cert = nullptr;
};

X509* MakeCert(EVP_PKEY* key, EVP_PKEY* signer, X509* issuer, const char* cn, long from_s,
               long to_s, bool ca) {
  static long serial = 1;
  X509* x = X509_new();
  X509_set_version(x, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
  X509_gmtime_adj(X509_getm_notBefore(x), from_s);
  X509_gmtime_adj(X509_getm_notAfter(x), to_s);
  X509_set_pubkey(x, key);
  X509_NAME* name = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn),
                             -1, -1, 0);
  X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name);
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer ? issuer : x, x, nullptr, nullptr, 0);
  auto add = [&](int nid, const char* value) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    if (ext) {
      X509_add_ext(x, ext, -1);
      X509_EXTENSION_free(ext);
    }
  };
  if (ca) {
    add(NID_basic_constraints, "critical,CA:TRUE");
    add(NID_key_usage, "critical,keyCertSign,cRLSign");
    add(NID_subject_key_identifier, "hash");
  } else {
    add(NID_basic_constraints, "CA:FALSE");
    add(NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1");
    add(NID_ext_key_usage, "serverAuth");
  }
  X509_sign(x, signer, EVP_sha256());
  return x;
}

const TestCa& Ca() {
  static TestCa ca = [] {
    TestCa c;
    c.key = EVP_EC_gen("P-256");
    c.cert = MakeCert(c.key, c.key, nullptr, "Zhanqun Test CA", -86400, 365L * 86400, true);
    return c;
  }();
  return ca;
}

bool ReadRequest(int fd, SSL* ssl, std::string& body) {
  std::string buf;
  char tmp[4096];
  size_t header_end = std::string::npos;
  size_t need = 0;
  for (;;) {
    int n = ssl ? SSL_read(ssl, tmp, sizeof tmp) : static_cast<int>(read(fd, tmp, sizeof tmp));
    if (n <= 0) return false;
    buf.append(tmp, static_cast<size_t>(n));
    if (header_end == std::string::npos) {
      header_end = buf.find("\r\n\r\n");
      if (header_end != std::string::npos) {
        std::string head = buf.substr(0, header_end);
        for (auto& ch : head) ch = static_cast<char>(tolower(static_cast<unsigned char>(ch)));
        auto cl = head.find("content-length:");
        if (cl != std::string::npos) need = std::stoul(head.substr(cl + 15));
      }
    }
    if (header_end != std::string::npos && buf.size() >= header_end + 4 + need) {
      body = buf.substr(header_end + 4, need);
      return true;
    }
    if (buf.size() > (1 << 20)) return false;
  }
}

void WriteAll(int fd, SSL* ssl, const std::string& s) {
  if (ssl) {
    SSL_write(ssl, s.data(), static_cast<int>(s.size()));
    return;
  }
  size_t off = 0;
  while (off < s.size()) {
    ssize_t n = send(fd, s.data() + off, s.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return;
    off += static_cast<size_t>(n);
  }
}

std::string Response(int status, const std::string& body) {
  return "HTTP/1.1 " + std::to_string(status) + (status == 200 ? " OK" : " Error") +
         "\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
}

}  // namespace

uint16_t FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

RawServer::RawServer(Mode mode, int status, std::string body, uint16_t port, std::string ca_dir)
    : mode_(mode), status_(status), body_(std::move(body)) {
  if (mode == Mode::kTlsExpired || mode == Mode::kTlsValid) {
    const TestCa& ca = Ca();
    EVP_PKEY* key = EVP_EC_gen("P-256");
    X509* leaf = mode == Mode::kTlsExpired
                     ? MakeCert(key, ca.key, ca.cert, "localhost", -30L * 86400, -86400, false)
                     : MakeCert(key, ca.key, ca.cert, "localhost", -86400, 20L * 86400, false);
    SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
    SSL_CTX_use_certificate(ctx, leaf);
    SSL_CTX_use_PrivateKey(ctx, key);
    X509_free(leaf);
    EVP_PKEY_free(key);
    ssl_ctx_ = ctx;
    if (!ca_dir.empty()) {
      FILE* f = fopen((ca_dir + "/ca.pem").c_str(), "w");
      if (f) {
        PEM_write_X509(f, ca.cert);
        fclose(f);
      }
    }
  }
  listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(port);
  if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      listen(listen_fd_, 64) != 0) {
    throw std::runtime_error("RawServer: cannot listen");
  }
  socklen_t len = sizeof a;
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len);
  port_ = ntohs(a.sin_port);
  accept_thread_ = std::thread([this] {
    for (;;) {
      int fd = accept(listen_fd_, nullptr, nullptr);
      if (fd < 0 || stop_) {
        if (fd >= 0) close(fd);
        return;
      }
      std::lock_guard lock(mu_);
      fds_.push_back(fd);
      conns_.emplace_back([this, fd] { Serve(fd); });
    }
  });
}

RawServer::~RawServer() {
  stop_ = true;
  shutdown(listen_fd_, SHUT_RDWR);
  close(listen_fd_);
  accept_thread_.join();
  std::vector<std::thread> conns;
  {
    std::lock_guard lock(mu_);
    for (int fd : fds_) shutdown(fd, SHUT_RDWR);
    conns.swap(conns_);
  }
  for (auto& t : conns) t.join();
  {
    std::lock_guard lock(mu_);
    for (int fd : fds_) close(fd);
  }
  if (ssl_ctx_) SSL_CTX_free(static_cast<SSL_CTX*>(ssl_ctx_));
}

std::string RawServer::url(const std::string& path) const {
  bool tls = mode_ == Mode::kTlsExpired || mode_ == Mode::kTlsValid;
  return std::string(tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_) + path;
}

std::vector<std::string> RawServer::bodies() {
  std::lock_guard lock(mu_);
  return bodies_;
}

bool RawServer::WaitBodies(const std::function<bool(const std::vector<std::string>&)>& pred,
                           int ms) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, std::chrono::milliseconds(ms), [&] { return pred(bodies_); });
}

void RawServer::Serve(int fd) {
  std::string body;
  SSL* ssl = nullptr;
  if (ssl_ctx_) {
    ssl = SSL_new(static_cast<SSL_CTX*>(ssl_ctx_));
    SSL_set_fd(ssl, fd);
    if (SSL_accept(ssl) != 1) {
      SSL_free(ssl);
      return;  // the client refused the certificate
    }
  }
  if (!ReadRequest(fd, ssl, body)) {
    if (ssl) SSL_free(ssl);
    return;
  }
  int n = ++requests_;
  switch (mode_) {
    case Mode::kHang: {
      char c;
      while (!stop_ && read(fd, &c, 1) > 0) {
      }
      break;
    }
    case Mode::kReset: {
      linger l{1, 0};
      setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
      shutdown(fd, SHUT_RD);
      {
        // close() with a zero linger sends RST; the fd leaves fds_ first.
        std::lock_guard lock(mu_);
        for (auto& x : fds_) {
          if (x == fd) x = -1;
        }
      }
      close(fd);
      return;
    }
    case Mode::kDrip: {
      WriteAll(fd, nullptr,
               "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100\r\n\r\n");
      for (int i = 0; i < 100 && !stop_; ++i) {
        WriteAll(fd, nullptr, "x");
        for (int t = 0; t < 10 && !stop_; ++t)
          std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
      break;
    }
    case Mode::kAlternate500:
      WriteAll(fd, ssl, Response(n % 2 == 1 ? 500 : 200, body_));
      break;
    case Mode::kStatic:
    case Mode::kTlsExpired:
    case Mode::kTlsValid:
      WriteAll(fd, ssl, Response(status_, body_));
      break;
    case Mode::kToggle:
      WriteAll(fd, ssl, Response(down_ ? 500 : 200, body_));
      break;
    case Mode::kWebhook: {
      {
        std::lock_guard lock(mu_);
        bodies_.push_back(body);
      }
      cv_.notify_all();
      std::string ok = R"({"errcode":0,"errmsg":"ok"})";
      WriteAll(fd, ssl,
               "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
                   std::to_string(ok.size()) + "\r\nConnection: close\r\n\r\n" + ok);
      break;
    }
  }
  if (ssl) {
    SSL_shutdown(ssl);
    SSL_free(ssl);
  }
  shutdown(fd, SHUT_WR);
}

}  // namespace zhanqun::testing
