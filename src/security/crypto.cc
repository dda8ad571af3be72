#include "security/crypto.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sodium.h>

#include <climits>
#include <memory>
#include <stdexcept>

namespace zhanqun::security {
namespace {

struct MdDeleter {
  void operator()(EVP_MD* md) const { EVP_MD_free(md); }
};
struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};

// Fetched once: EVP_MD_fetch does a provider lookup that is not free, and a
// fetched EVP_MD is safe to share between threads.
EVP_MD* Md(const char* name) {
  EVP_MD* md = EVP_MD_fetch(nullptr, name, nullptr);
  if (md == nullptr) throw std::runtime_error(std::string("OpenSSL lacks digest ") + name);
  return md;
}

const EVP_MD* Sm3Md() {
  static const std::unique_ptr<EVP_MD, MdDeleter> md(Md("SM3"));
  return md.get();
}

const EVP_MD* Sha256Md() {
  static const std::unique_ptr<EVP_MD, MdDeleter> md(Md("SHA256"));
  return md.get();
}

std::string Hex(const unsigned char* data, size_t len) {
  std::string out(len * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), data, len);
  out.resize(len * 2);
  return out;
}

std::string DigestHex(const EVP_MD* md, std::string_view data) {
  std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx(EVP_MD_CTX_new());
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (!ctx || EVP_DigestInit_ex2(ctx.get(), md, nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), data.data(), data.size()) != 1 ||
      EVP_DigestFinal_ex(ctx.get(), out, &len) != 1) {
    throw std::runtime_error("OpenSSL digest failed");
  }
  return Hex(out, len);
}

}  // namespace

void EnsureSodium() {
  static const bool ok = sodium_init() >= 0;
  if (!ok) throw std::runtime_error("libsodium initialisation failed");
}

std::string Sm3Hex(std::string_view data) { return DigestHex(Sm3Md(), data); }

std::string Sha256Hex(std::string_view data) { return DigestHex(Sha256Md(), data); }

std::string HmacSm3Hex(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  // HMAC() with a NULL key pointer would mean "reuse the previous key".
  static const unsigned char kEmpty = 0;
  const void* key_ptr = key.empty() ? static_cast<const void*>(&kEmpty) : key.data();
  if (key.size() > static_cast<size_t>(INT_MAX)) throw std::invalid_argument("HMAC key too long");
  if (HMAC(Sm3Md(), key_ptr, static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(), out,
           &len) == nullptr) {
    throw std::runtime_error("OpenSSL HMAC-SM3 failed");
  }
  return Hex(out, len);
}

std::string RandomToken(size_t bytes) {
  EnsureSodium();
  std::string raw(bytes, '\0');
  randombytes_buf(raw.data(), raw.size());
  std::string out = Hex(reinterpret_cast<const unsigned char*>(raw.data()), raw.size());
  Wipe(raw);
  return out;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

void Wipe(std::string& s) {
  // Writing through data() is only defined up to size(); grow to capacity
  // first (no reallocation) so leftovers of earlier, longer contents go too.
  s.resize(s.capacity());
  sodium_memzero(s.data(), s.size());
  s.clear();
}

}  // namespace zhanqun::security
