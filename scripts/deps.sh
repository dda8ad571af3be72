#!/usr/bin/env bash
# Installs the Debian 12 packages the build, the tests and the demo need, if
# any is missing. Safe to run again; does nothing when all are present.
#   scripts/deps.sh            everything the build, the tests and the demo need
#   scripts/deps.sh PKG...     just these packages, installed the same way
#
# It starts no service (unless the machine's own policy-rc.d allows it; then it
# stops them again). Left alone, the packages' own scripts would start nginx
# on port 80 and create and start a PostgreSQL cluster on port 5432; the tests
# start their own throwaway PostgreSQL (scripts/pg.sh) and nginx (bench/)
# instead. So while it installs:
# - a /usr/sbin/policy-rc.d refuses every service start (only when the machine
#   has none of its own; it is removed afterwards, also on failure or Ctrl-C);
# - PostgreSQL's server package is installed without its "main" cluster
#   (create_main_cluster = false in /etc/postgresql-common/createcluster.conf
#   for the install only; the file is put back as it was);
# - a unit the install newly enabled (nginx.service, postgresql.service) is
#   disabled again, so it does not start at the next boot either. A unit that
#   was enabled before is left as it was.
#
# Node.js: web/admin/package.json's engines.node names the version the console
# needs. A node on PATH that is too old stops this script before anything is
# installed; without a node, Debian's nodejs and npm are installed, if that
# version is new enough.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
  cmake pkgconf ninja-build ccache g++ make git
  libboost-dev libsqlite3-dev sqlite3 libpq-dev
  # PostgreSQL's server binaries for the tests' throwaway cluster (scripts/pg.sh):
  # not the `postgresql` metapackage, no cluster of its own
  postgresql-15
  libgumbo-dev libcurl4-openssl-dev libsodium-dev libssl-dev
  libtomlplusplus-dev libcli11-dev libspdlog-dev nlohmann-json3-dev libexpected-dev
  libgtest-dev libgmock-dev libbenchmark-dev libyaml-cpp-dev
  libkainjow-mustache-dev libxapian-dev libbrotli-dev libdeflate-dev libmimalloc-dev zlib1g-dev
  # nginx for the benchmarks and a test, run from their own configuration
  nginx-light
  clang libclang-rt-14-dev curl
  # the "pages" test: vnu.jar needs Java, axe-core runs in Chromium
  default-jre-headless chromium
  # the inspection's PDF report (cairo/pango, CJK fonts; poppler checks it)
  libcairo2-dev libpango1.0-dev fonts-noto-cjk poppler-utils
)
# Units that packages above enable and start; see the header.
UNITS=(nginx.service postgresql.service)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
# (sudo drops the environment, so DEBIAN_FRONTEND goes on the command line)
apt_get() { $SUDO env DEBIAN_FRONTEND=noninteractive apt-get "$@"; }

# --- Node.js ----------------------------------------------------------------

# The "node" of package.json's "engines", or nothing. Perl (always on Debian)
# reads it, since node itself may be missing.
engines_node() {
  perl -0777 -ne 'print $1 if /"engines"\s*:\s*\{[^}]*?"node"\s*:\s*"([^"]*)"/s' "$1"
}

# _partial V: parses a (partial) version "20", "20.19", "v20.19.2", "20.x"
# into P_N (number of given parts), P_LO (the lowest version it names, as
# major*10^6 + minor*10^3 + patch) and P_HI (the first version above it, or
# 0 when P_N is 0). Returns 1 if V is not a version.
_partial() {
  local v=${1#v} part i=0
  v=${v%%[-+]*}
  local -a parts=(0 0 0) given
  P_N=0
  IFS=. read -r -a given <<<"$v"
  for part in "${given[@]}"; do
    if [ $i -ge 3 ]; then return 1; fi
    case $part in
      x | X | '*') break ;;
      '' | *[!0-9]*) return 1 ;;
    esac
    parts[i]=$((10#$part))
    i=$((i + 1))
    P_N=$i
  done
  P_LO=$((parts[0] * 1000000 + parts[1] * 1000 + parts[2]))
  case $P_N in
    0) P_HI=0 ;;
    1) P_HI=$(((parts[0] + 1) * 1000000)) ;;
    2) P_HI=$((parts[0] * 1000000 + (parts[1] + 1) * 1000)) ;;
    3) P_HI=$((P_LO + 1)) ;;
  esac
  P_MAJOR=${parts[0]} P_MINOR=${parts[1]}
}

# _comparator HAVE C: does the version number HAVE satisfy one comparator
# (">=20.19.0", "^20.19", "~22.1", "<23", "20.x", "*")? 2 if unreadable.
_comparator() {
  local have=$1 c=$2 op
  op=${c%%[0-9vxX*]*}
  _partial "${c#"$op"}" || return 2
  case $op in
    '>=') ((have >= P_LO)) ;;
    '>') if ((P_N == 3)); then ((have > P_LO)); else ((P_N > 0 && have >= P_HI)); fi ;;
    '<') ((P_N > 0 && have < P_LO)) ;;
    '<=') if ((P_N == 3)); then ((have <= P_LO)); else ((P_N == 0 || have < P_HI)); fi ;;
    '' | '=') ((P_N == 0 || (have >= P_LO && have < P_HI))) ;;
    '~') ((P_N == 0 || (have >= P_LO && have < (P_N == 1 ? P_HI : P_MAJOR * 1000000 + (P_MINOR + 1) * 1000)))) ;;
    '^')
      if ((P_N == 0)); then return 0; fi
      local hi=$(((P_MAJOR + 1) * 1000000))
      if ((P_MAJOR == 0 && P_N >= 2)); then
        hi=$((P_MINOR > 0 || P_N == 2 ? (P_MINOR + 1) * 1000 : P_LO + 1))
      fi
      ((have >= P_LO && have < hi))
      ;;
    *) return 2 ;;
  esac
}

# node_satisfies VERSION RANGE: 0 yes, 1 no, 2 the range cannot be read.
# RANGE is npm's syntax: alternatives joined by "||", each a list of
# comparators (>=, >, <, <=, =, ^, ~, x-ranges) or "A - B".
node_satisfies() {
  _partial "$1" && ((P_N > 0)) || return 2
  local have=$P_LO alt c ok rc
  local -a alts comps
  if [[ $2 =~ ^[[:space:]]*$ ]]; then return 0; fi
  IFS='|' read -r -a alts <<<"${2//||/|}"
  for alt in "${alts[@]}"; do
    # ">= 20" is ">=20"; "A - B" is ">=A <=B".
    alt=$(sed -E 's/(^|[[:space:]])([<>=^~]+)[[:space:]]+/\1\2/g; s/^[[:space:]]*([^[:space:]]+)[[:space:]]+-[[:space:]]+([^[:space:]]+)[[:space:]]*$/>=\1 <=\2/' <<<"$alt")
    read -r -a comps <<<"$alt"
    if [ ${#comps[@]} -eq 0 ]; then return 0; fi
    ok=0
    for c in "${comps[@]}"; do
      rc=0
      _comparator "$have" "$c" || rc=$?
      if [ $rc -eq 2 ]; then return 2; fi
      if [ $rc -ne 0 ]; then ok=1; fi
    done
    if [ $ok -eq 0 ]; then return 0; fi
  done
  return 1
}

# check_node VERSION RANGE WHAT_ZH WHAT_EN: stops with a message when VERSION
# does not satisfy RANGE.
check_node() {
  local have=$1 range=$2 rc=0
  node_satisfies "$have" "$range" || rc=$?
  if [ $rc -eq 2 ]; then
    echo "deps: 无法读取 engines.node \"$range\"（或版本 \"$have\"），跳过 Node.js 版本检查 / cannot read it, Node.js version not checked" >&2
    return 0
  fi
  if [ $rc -eq 0 ]; then return 0; fi
  # Suggest the major version of the range's last alternative, at least the
  # current LTS line.
  local major
  major=$(sed -E 's/.*\|\|//; s/^[^0-9]*([0-9]+).*/\1/' <<<"$range")
  if ! [[ $major =~ ^[0-9]+$ ]] || ((major < 22)); then major=22; fi
  cat >&2 <<EOF
deps: 管理控制台（web/admin）需要 Node.js $range，而 $3 是 $have。
      The admin console (web/admin) needs Node.js $range; $4 is $have.
      请安装 Node.js $major（或任何满足上述范围的版本），放在 PATH 上，然后重新运行。
      Install Node.js $major (or any version in that range) on PATH, then run this again:
        curl -fsSL https://deb.nodesource.com/setup_$major.x | ${SUDO:+sudo }bash -
        ${SUDO:+sudo }apt-get install -y nodejs
      或 / or: nvm (https://github.com/nvm-sh/nvm), https://nodejs.org/en/download
EOF
  exit 1
}

# --- Installing without starting services -------------------------------------

POLICY=/usr/sbin/policy-rc.d
POLICY_MARK="# zhanqun scripts/deps.sh: no service starts while it installs packages"
CC_CONF=/etc/postgresql-common/createcluster.conf
CC_BACKUP=""
POLICY_OURS=0

declare -A was_enabled=() was_active=()

# Puts createcluster.conf back, disables (and stops) the units the install
# newly enabled (or started), removes our policy-rc.d. Also on failure.
cleanup() {
  local u
  for u in "${!was_enabled[@]}"; do
    if [ "$(enabled "$u")" = enabled ] && [ "${was_enabled[$u]}" != enabled ]; then
      $SUDO systemctl disable --quiet "$u" || true
      echo "deps: $u disabled again (the package enabled it; \`systemctl enable --now $u\` if you want it)"
    fi
    # Only if a policy-rc.d of the machine's own let the package start it.
    if [ "$(active "$u")" = active ] && [ "${was_active[$u]}" != active ]; then
      $SUDO systemctl stop "$u" || true
      echo "deps: $u stopped again (the package started it)"
    fi
  done
  was_enabled=()
  if [ -n "$CC_BACKUP" ]; then
    if $SUDO cp -p "$CC_BACKUP" "$CC_CONF"; then $SUDO rm -f "$CC_BACKUP"; fi
    CC_BACKUP=""
  fi
  if [ $POLICY_OURS = 1 ] && grep -qxF "$POLICY_MARK" "$POLICY" 2>/dev/null; then
    $SUDO rm -f "$POLICY"
    POLICY_OURS=0
  fi
}

# Refuses every service start (exit 101: "action forbidden") until cleanup;
# invoke-rc.d and deb-systemd-invoke, which maintainer scripts use, ask it.
deny_service_starts() {
  if [ -e "$POLICY" ] && ! grep -qxF "$POLICY_MARK" "$POLICY"; then
    echo "deps: $POLICY exists and stays as it is (it decides whether packages start services)"
    return 0
  fi
  POLICY_OURS=1
  local tmp
  tmp=$(mktemp)
  printf '#!/bin/sh\n%s\nexit 101\n' "$POLICY_MARK" >"$tmp"
  $SUDO install -m 755 "$tmp" "$POLICY"
  rm -f "$tmp"
}

# Before postgresql-NN is configured: no "main" cluster (its postinst creates
# one unless createcluster.conf says create_main_cluster = false).
no_main_cluster() {
  CC_BACKUP=$($SUDO mktemp /etc/postgresql-common/.createcluster.conf.zq-XXXXXX)
  $SUDO cp -p "$CC_CONF" "$CC_BACKUP"
  $SUDO sed -i -E '/^[[:space:]]*create_main_cluster[[:space:]]*=/d' "$CC_CONF"
  echo "create_main_cluster = false" | $SUDO tee -a "$CC_CONF" >/dev/null
}

enabled() { systemctl is-enabled "$1" 2>/dev/null || true; }
active() { systemctl is-active "$1" 2>/dev/null || true; }

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

# --- What is missing ------------------------------------------------------------

CHECK_NODE=0
if [ $# -gt 0 ]; then
  PACKAGES=("$@")
elif [ "${ZQ_SKIP_CONSOLE:-0}" != 1 ]; then
  CHECK_NODE=1
fi
NODE_RANGE=""
if [ $CHECK_NODE = 1 ]; then NODE_RANGE=$(engines_node web/admin/package.json); fi
# Node.js (for themes/tools and the console) comes with the machine; Debian's
# nodejs only when there is none at all (Debian 12's is Node 18).
if command -v node >/dev/null; then
  if [ -n "$NODE_RANGE" ]; then check_node "$(node --version)" "$NODE_RANGE" "PATH 上的 node" "the node on PATH"; fi
  if ! command -v npm >/dev/null; then PACKAGES+=(npm); fi
elif [ $# -eq 0 ]; then
  PACKAGES+=(nodejs npm)
fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! installed "$p"; then missing+=("$p"); fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

apt_get update -qq
if [ -n "$NODE_RANGE" ] && [[ " ${missing[*]} " == *" nodejs "* ]]; then
  candidate=$(apt-cache policy nodejs | sed -n -E 's/^[[:space:]]*Candidate:[[:space:]]*([0-9]+:)?([0-9.]+).*/\2/p')
  check_node "${candidate:-unknown}" "$NODE_RANGE" "Debian 的 nodejs 软件包" "Debian's nodejs package"
fi
echo "deps: installing ${missing[*]}"

if command -v systemctl >/dev/null; then
  for u in "${UNITS[@]}"; do
    was_enabled[$u]=$(enabled "$u")
    was_active[$u]=$(active "$u")
  done
fi
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
deny_service_starts
apt_install() { apt_get install -y -qq --no-install-recommends "$@" >/dev/null; }
pg_server=()
for p in "${missing[@]}"; do
  if [[ $p == postgresql-[0-9]* ]]; then pg_server+=("$p"); fi
done
if [ ${#pg_server[@]} -gt 0 ]; then
  if ! installed postgresql-common; then apt_install postgresql-common; fi
  no_main_cluster
fi
apt_install "${missing[@]}"
cleanup

if [ $CHECK_NODE = 1 ] && ! command -v node >/dev/null; then
  echo "deps: 找不到 node / no node on PATH after the install" >&2
  exit 1
fi
echo "deps: done"
