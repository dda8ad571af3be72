#!/usr/bin/env bash
# Installs themes/tools' npm packages (vnu-jar, axe-core, playwright-core,
# mustache) exactly as package-lock.json pins them. Quick when they are
# already there: a stamp in node_modules records the lock file's hash.
set -euo pipefail
cd "$(dirname "$0")/../themes/tools"
stamp=node_modules/.zq-package-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then exit 0; fi
echo "theme-tools: npm ci in themes/tools"
# --ignore-scripts: vnu-jar's postinstall would fetch a Java runtime; Debian's
# default-jre-headless runs vnu.jar.
npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
echo "$want" >"$stamp"
