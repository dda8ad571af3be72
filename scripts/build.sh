#!/usr/bin/env bash
# Builds the admin console, then configures and builds the C++ into
# ${BUILD_DIR:-build}. Extra CMake arguments pass through to the first configure.
#   ZQ_TARGETS="zhanqun"  build only these CMake targets (`make demo`, `make build`);
#                         default: all of them (the binary, the tests, the
#                         benchmarks and the fuzz targets' corpus replays)
#   ZQ_SKIP_CONSOLE=1     leave out the admin console (web/admin)
#   JOBS, BUILD_TYPE      parallel jobs (default: nproc), CMake build type
#
# The network first: the console's `npm ci` and its build run before the long
# C++ build, so a registry, proxy or Node.js problem shows in the first minute.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
BUILD_TYPE=${BUILD_TYPE:-RelWithDebInfo}
JOBS=${JOBS:-$(nproc)}

# The admin console (web/admin, Vue 3 + Vite) into web/admin/dist, served by
# the admin listener. npm ci only when node_modules is missing or older than
# the lock file; vite build only when a source is newer than the last build.
if [ -f web/admin/package-lock.json ] && [ "${ZQ_SKIP_CONSOLE:-0}" != 1 ]; then
  (
    cd web/admin
    if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
      echo "build: npm ci in web/admin"
      npm ci --no-audit --no-fund --loglevel=error
    fi
    if [ ! -f dist/index.html ] || [ -n "$(find src public index.html package-lock.json vite.config.* tsconfig*.json -newer dist/index.html 2>/dev/null | head -1)" ]; then
      echo "build: the admin console (web/admin/dist)"
      npm run build --silent
    fi
  )
fi

launcher=()
if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
if [ ! -f "$BUILD_DIR/build.ninja" ]; then
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE="$BUILD_TYPE" "${launcher[@]}" "$@" >/dev/null
fi
targets=()
if [ -n "${ZQ_TARGETS:-}" ]; then
  read -r -a names <<<"$ZQ_TARGETS"
  targets=(--target "${names[@]}")
fi
cmake --build "$BUILD_DIR" -j "$JOBS" "${targets[@]}"
