// Hashes, random tokens and buffer hygiene. SM3 is the national standard hash
// (GB/T 32905-2016) required by 密评 where a choice exists; SHA-256 is kept for
// interoperability (e.g. content addressing, ETags).
//
// These functions throw std::runtime_error only when the crypto libraries are
// unusable (libsodium fails to initialise, OpenSSL built without SM3): a
// deployment bug, not a recoverable condition.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace zhanqun::security {

// Initialises libsodium once; safe to call from any thread, any number of
// times. Every function here that needs it calls it itself.
void EnsureSodium();

// Lower-case hex digests.
std::string Sm3Hex(std::string_view data);
std::string Sha256Hex(std::string_view data);
std::string HmacSm3Hex(std::string_view key, std::string_view data);

// `bytes` random bytes from the OS CSPRNG, as 2*bytes lower-case hex digits.
std::string RandomToken(size_t bytes);

// Compares in time that depends only on the lengths (which are not secret for
// tokens and digests of fixed size).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

// Overwrites the whole buffer (including unused capacity) with zeros, then
// clears it: residual credentials must not linger in memory (等保 8.1.4.10).
void Wipe(std::string& s);

}  // namespace zhanqun::security
