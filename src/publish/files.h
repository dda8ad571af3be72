// Atomic file writes and the precompressed variants the public server serves.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace zhanqun::publish {

// Writes to a temporary name in the same directory, fsyncs (when durable),
// renames over the target: a reader, or a killed process, sees the old file
// or the new one, never half. Without the fsync the file is still whole after
// a kill; after a power loss the caller's own sync (syncfs) decides.
Status WriteFileAtomic(const std::string& path, std::string_view bytes, bool durable = true);

// Writes a file that nothing reads yet (a new version directory): no
// temporary name, no fsync.
Status WriteFileNew(const std::string& path, std::string_view bytes);

// Deterministic: no name, mtime 0 (libdeflate, level 6: within 0.3 % of
// level 9's size on the themes' pages). Empty if it could not compress.
std::string Gzip(std::string_view in);
std::string Brotli(std::string_view in, int quality = 5);

// Whether a path's type is worth precompressing (text types).
bool Compressible(std::string_view path);

std::string Sha256(std::string_view bytes);

// Reads a whole file; false when it cannot be opened.
bool ReadAll(const std::string& path, std::string& out);

}  // namespace zhanqun::publish
