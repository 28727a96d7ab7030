#!/usr/bin/env bash
# Opens examples/ in VS Code with this extension loaded from the repository (development mode).
#   - desktop VS Code when `code` is on the PATH:  code --extensionDevelopmentPath=$PWD examples
#   - otherwise VS Code in the browser: code-server on 127.0.0.1 (PORT, default 3850), and prints the URL.
# First installs what it needs: node_modules (npm ci) if missing, the build, and code-server for the browser.
# LAYERSTEP_BROWSER=1 picks the browser route even when `code` exists.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

[ -d node_modules ] || npm ci
npm run build

if [ -z "${LAYERSTEP_BROWSER:-}" ] && command -v code >/dev/null && code --version >/dev/null 2>&1; then
  exec code --extensionDevelopmentPath="$PWD" "$PWD/examples"
fi

bash scripts/install-code-server.sh
exec node test/e2e/serve.mjs
