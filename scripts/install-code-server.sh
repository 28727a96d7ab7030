#!/usr/bin/env bash
# Installs code-server (VS Code served to a browser) into a project-local folder for the end-to-end tests.
#   usage: scripts/install-code-server.sh [DIR]        DIR defaults to .vscode-test/code-server
# Idempotent: returns at once when CS_VERSION is already installed in DIR, so CI can cache DIR keyed on
# CS_VERSION, the Node major version and the OS. The recipe and its pitfalls: ../shared/docs/vscode-e2e.md.
#
# Needs: Node 20 with its headers, build tools (build-essential python3 pkg-config), libkrb5-dev, and ripgrep
# (`rg`, only during the install). Only the npm registry has to be reachable.
set -euo pipefail

# code-server 4.100.3 carries VS Code 1.100.3: the last release that runs on Node 20. Keep package.json
# engines.vscode at ^1.100.0 or lower, or the extension will not load in the test host.
CS_VERSION="${CS_VERSION:-4.100.3}"
# @vscode/ripgrep version and rg release tag that this code-server's VS Code installs (see that package's
# lib/postinstall.js: VERSION). Check both when CS_VERSION changes.
RG_PKG_VERSION=1.15.11
RG_TAG=v13.0.0-10

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="${1:-$root/.vscode-test/code-server}"
mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"
bin="$dir/node_modules/.bin/code-server"
marker="$dir/.installed-$CS_VERSION"

# Prints "4.100.3 <commit> with Code 1.100.3"; the config dir is redirected so nothing lands in ~/.config.
cs_version() { XDG_CONFIG_HOME="$dir/.xdg-config" XDG_DATA_HOME="$dir/.xdg-data" "$bin" --version 2>/dev/null | grep -E "^[0-9]+\.[0-9]+\.[0-9]+ " | head -n 1; }

if [ -f "$marker" ] && [ -x "$bin" ]; then
  echo "code-server $CS_VERSION already installed in $dir"
  exit 0
fi

fail() { echo "install-code-server: $*" >&2; exit 1; }
node_major="$(node -p 'process.versions.node.split(".")[0]')"
[ "$node_major" = 20 ] || fail "code-server $CS_VERSION needs Node 20, found $(node --version)"
command -v rg >/dev/null || fail "ripgrep (rg) is missing: apt-get install ripgrep"
command -v make >/dev/null && command -v g++ >/dev/null || fail "build tools are missing: apt-get install build-essential"
command -v python3 >/dev/null || fail "python3 is missing: apt-get install python3"
[ -f /usr/include/gssapi/gssapi.h ] || fail "gssapi/gssapi.h is missing (kerberos): apt-get install libkrb5-dev"

started=$SECONDS

# (a) @vscode/ripgrep's postinstall downloads rg from GitHub, which is not reachable: it first looks in its
#     download cache, so put Debian's rg there under the name it expects.
case "$(uname -m)" in
  x86_64) rg_target=x86_64-unknown-linux-musl ;;
  aarch64 | arm64) rg_target=aarch64-unknown-linux-musl ;;
  *) fail "no ripgrep target known for $(uname -m)" ;;
esac
rg_cache="${TMPDIR:-/tmp}/vscode-ripgrep-cache-$RG_PKG_VERSION"
mkdir -p "$rg_cache"
tar czf "$rg_cache/ripgrep-$RG_TAG-$rg_target.tar.gz" -C "$(dirname "$(command -v rg)")" rg

# (b) A private host package in DIR. A half-finished earlier install is removed first: npm would otherwise
#     see code-server as present and skip the postinstall that builds its server.
rm -rf "$dir/node_modules" "$dir/package-lock.json" "$dir"/.installed-*
cat > "$dir/package.json" <<JSON
{ "name": "code-server-host", "private": true, "allowScripts": { "code-server": true, "argon2": true } }
JSON

export npm_config_unsafe_perm=true      # code-server's postinstall refuses to run as root without it
export npm_config_yes=true              # node-pty's postinstall runs `npx node-gyp`: "npx canceled" without it
export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
echo "installing code-server $CS_VERSION into $dir (about a minute: native modules are compiled)"
(cd "$dir" && npm install --no-audit --no-fund "code-server@$CS_VERSION" </dev/null)

version="$(cs_version)"
case "$version" in
  "$CS_VERSION "*) ;;
  *) fail "code-server did not start after the install (got '$version')" ;;
esac
touch "$marker"
echo "installed: code-server $version ($((SECONDS - started)) s)"
