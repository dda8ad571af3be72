#!/usr/bin/env bash
# Installs the Debian 12 packages the build, the tests and the demo need, if
# any is missing. Safe to run again; does nothing when all are present.
set -euo pipefail

PACKAGES=(
  cmake pkgconf ninja-build ccache g++ make git
  libboost-dev libsqlite3-dev sqlite3 libpq-dev postgresql
  libgumbo-dev libcurl4-openssl-dev libsodium-dev libssl-dev
  libtomlplusplus-dev libcli11-dev libspdlog-dev nlohmann-json3-dev libexpected-dev
  libgtest-dev libgmock-dev libbenchmark-dev libyaml-cpp-dev
  libkainjow-mustache-dev libxapian-dev libbrotli-dev libdeflate-dev libmimalloc-dev zlib1g-dev nginx-light
  clang libclang-rt-14-dev curl
  # the "pages" test: vnu.jar needs Java, axe-core runs in Chromium
  default-jre-headless chromium
  # the inspection's PDF report (cairo/pango, CJK fonts; poppler checks it)
  libcairo2-dev libpango1.0-dev fonts-noto-cjk poppler-utils
)
# Node.js (for themes/tools and the console) comes with the machine; Debian's
# nodejs only when there is none at all (it is older: Node 18).
if ! command -v node >/dev/null; then PACKAGES+=(nodejs npm); fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "deps: done"
