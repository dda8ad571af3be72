#!/usr/bin/env bash
# ctest "pages": every page of a demo district through the W3C Nu checker and
# axe-core in Chromium (themes/tools/check-demo.mjs). Arguments: the zhanqun
# binary, then options for check-demo.mjs (--sites, --seed).
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
binary=$1
shift
for tool in node java /usr/bin/chromium; do
  if ! command -v "$tool" >/dev/null; then
    echo "pages: $tool is missing; run scripts/deps.sh" >&2
    exit 1
  fi
done
"$here/scripts/theme-tools.sh"
exec node "$here/themes/tools/check-demo.mjs" --binary "$binary" "$@"
