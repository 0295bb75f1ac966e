#!/usr/bin/env bash
# Installs what the end-to-end test needs, once: Debian's ripgrep, libkrb5-dev and chromium
# (when missing), and code-server 4.100.3 from npm into a cache directory that later runs
# reuse. Follows shared/e2e/README.md: code-server installs as root and offline only with
# unsafe-perm, a pre-filled @vscode/ripgrep download cache, and npm_config_yes.
# Prints the code-server binary's path on its last line.
set -euo pipefail

CS_VERSION=4.100.3
CACHE="${DRIVER_LIFETIME_E2E_CACHE:-$HOME/.cache/driver-lifetime-e2e}"
PREFIX="$CACHE/code-server-$CS_VERSION"
BIN="$PREFIX/node_modules/.bin/code-server"

need=()
command -v rg >/dev/null || need+=(ripgrep)
command -v chromium >/dev/null || [ -x /usr/bin/chromium ] || need+=(chromium)
dpkg -s libkrb5-dev >/dev/null 2>&1 || need+=(libkrb5-dev)
if [ "${#need[@]}" -gt 0 ]; then
  echo "e2e-install: apt-get install ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq "${need[@]}" >&2
fi

if [ ! -x "$BIN" ] || [ ! -f "$PREFIX/.complete" ]; then
  echo "e2e-install: installing code-server@$CS_VERSION into $PREFIX (about 1.5 min)" >&2
  rm -rf "$PREFIX"
  mkdir -p "$PREFIX"
  tmp="$CACHE/tmp"
  rm -rf "$tmp"
  mkdir -p "$tmp/vscode-ripgrep-cache-1.15.11" "$tmp/rg"
  cp "$(command -v rg)" "$tmp/rg/rg"
  tar -C "$tmp/rg" -czf "$tmp/vscode-ripgrep-cache-1.15.11/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" rg
  echo '{"private":true}' > "$PREFIX/package.json"
  # argon2 and node-pty build with node-gyp, which downloads Node's headers from nodejs.org
  # unless told where they are: Node's own package ships them under /usr/include/node.
  if [ -z "${npm_config_nodedir:-}" ] && [ -f /usr/include/node/node_api.h ]; then
    export npm_config_nodedir=/usr
  fi
  (
    cd "$PREFIX"
    TMPDIR="$tmp" npm_config_unsafe_perm=true npm_config_yes=true \
      npm install --no-audit --no-fund --loglevel=error "code-server@$CS_VERSION" >&2
  )
  [ -x "$BIN" ] || { echo "e2e-install: code-server did not install" >&2; exit 1; }
  touch "$PREFIX/.complete"
  rm -rf "$tmp"
fi
echo "$BIN"
