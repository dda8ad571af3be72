#include "publish/files.h"

#include <brotli/encode.h>
#include <fcntl.h>
#include <libdeflate.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <memory>

#include "security/crypto.h"

namespace zhanqun::publish {

namespace fs = std::filesystem;

Status WriteFileAtomic(const std::string& path, std::string_view bytes, bool durable) {
  fs::path p(path);
  std::error_code ec;
  fs::create_directories(p.parent_path(), ec);
  if (ec) return Fail(Error::Internal("mkdir " + p.parent_path().string() + ": " + ec.message()));
  std::string tmp =
      (p.parent_path() / ("." + p.filename().string() + ".tmp-" + std::to_string(::getpid())))
          .string();
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Fail(Error::Internal("open " + tmp));
  size_t off = 0;
  while (off < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + off, bytes.size() - off);
    if (n <= 0) {
      ::close(fd);
      ::unlink(tmp.c_str());
      return Fail(Error{Code::kUnavailable, "写入发布文件失败（磁盘已满？）", "", "write " + tmp});
    }
    off += static_cast<size_t>(n);
  }
  if ((durable && ::fsync(fd) != 0) || ::close(fd) != 0) {
    ::unlink(tmp.c_str());
    return Fail(Error::Internal("fsync " + tmp));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return Fail(Error::Internal("rename " + tmp));
  }
  return {};
}

Status WriteFileNew(const std::string& path, std::string_view bytes) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Fail(Error{Code::kUnavailable, "写入发布文件失败", "", "open " + path});
  size_t off = 0;
  while (off < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + off, bytes.size() - off);
    if (n <= 0) {
      ::close(fd);
      return Fail(Error{Code::kUnavailable, "写入发布文件失败（磁盘已满？）", "", "write " + path});
    }
    off += static_cast<size_t>(n);
  }
  if (::close(fd) != 0) {
    return Fail(Error{Code::kUnavailable, "写入发布文件失败（磁盘已满？）", "", "close " + path});
  }
  return {};
}

std::string Gzip(std::string_view in) {
  // libdeflate: the same bytes out as zlib's level 6 within a few bytes, in
  // less than half the time. One compressor per thread (publishing threads).
  struct Free {
    void operator()(libdeflate_compressor* c) const { libdeflate_free_compressor(c); }
  };
  thread_local std::unique_ptr<libdeflate_compressor, Free> c(libdeflate_alloc_compressor(6));
  if (!c) return {};
  std::string out(libdeflate_gzip_compress_bound(c.get(), in.size()), '\0');
  size_t n = libdeflate_gzip_compress(c.get(), in.data(), in.size(), out.data(), out.size());
  out.resize(n);  // 0 only if the bound were wrong: then no variant is written
  return out;
}

std::string Brotli(std::string_view in, int quality) {
  size_t size = BrotliEncoderMaxCompressedSize(in.size());
  if (size == 0) size = in.size() + 1024;
  std::string out(size, '\0');
  // The smallest window that holds the whole input compresses as well as the
  // default 4 MiB one (within a few bytes), and the encoder's buffers scale
  // with the window: for a page of a few KiB, 20 times less time, most of
  // which went to page faults on freshly mapped memory.
  int lgwin = BROTLI_MIN_WINDOW_BITS;
  while (lgwin < BROTLI_DEFAULT_WINDOW && (size_t{1} << lgwin) - 16 < in.size()) ++lgwin;
  if (!BrotliEncoderCompress(quality, lgwin, BROTLI_MODE_TEXT, in.size(),
                             reinterpret_cast<const uint8_t*>(in.data()), &size,
                             reinterpret_cast<uint8_t*>(out.data()))) {
    return {};
  }
  out.resize(size);
  return out;
}

bool Compressible(std::string_view path) {
  for (std::string_view ext : {".html", ".css", ".js", ".xml", ".svg", ".txt", ".json"}) {
    if (path.size() >= ext.size() && path.substr(path.size() - ext.size()) == ext) return true;
  }
  return false;
}

bool ReadAll(const std::string& path, std::string& out) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return false;
  out.clear();
  char buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  bool ok = !std::ferror(f);
  std::fclose(f);
  return ok;
}

std::string Sha256(std::string_view bytes) { return security::Sha256Hex(bytes); }

}  // namespace zhanqun::publish
