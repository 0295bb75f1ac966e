#!/usr/bin/env bash
# `npm run test:e2e`: the extension in a real VS Code (code-server 4.100.3 + Debian's
# chromium driven by playwright-core). Installs what is missing (cached under
# ~/.cache/driver-lifetime-e2e), packages the .vsix, then runs scripts/e2e.mjs, which opens
# the samples, checks diagnostics, hover, a breakpoint, F5, the Variables view, step back
# and the Lifetimes view, and saves screenshots to test-results/e2e/.
#
# Bounded: the whole test fails after E2E_TIMEOUT seconds (default 300, install excluded),
# and code-server's process group and the browser are stopped in every case.
set -euo pipefail
cd "$(dirname "$0")/.."

OUT=test-results/e2e
mkdir -p "$OUT"
PGID_FILE="$OUT/code-server.pgid"
rm -f "$PGID_FILE"

cleanup() {
  if [ -s "$PGID_FILE" ]; then
    pgid=$(cat "$PGID_FILE")
    kill -TERM -- "-$pgid" 2>/dev/null || true
    sleep 1
    kill -KILL -- "-$pgid" 2>/dev/null || true
    rm -f "$PGID_FILE"
  fi
}
trap cleanup EXIT INT TERM

t0=$(date +%s)
CODE_SERVER=$(bash scripts/e2e-install.sh | tail -n 1)
t1=$(date +%s)
echo "e2e: code-server ready in $((t1 - t0)) s: $CODE_SERVER"

export VSIX_OUT="$OUT/driver-lifetime-e2e.vsix"
node scripts/package.mjs >"$OUT/package.log" 2>&1 || { cat "$OUT/package.log"; exit 1; }
t2=$(date +%s)
echo "e2e: packaged $VSIX_OUT ($(du -k "$VSIX_OUT" | cut -f1) KiB) in $((t2 - t1)) s"

status=0
timeout --kill-after=15 "${E2E_TIMEOUT:-300}" \
  node scripts/e2e.mjs --code-server "$CODE_SERVER" --vsix "$VSIX_OUT" --out "$OUT" --pgid-file "$PGID_FILE" || status=$?
t3=$(date +%s)
if [ "$status" = 124 ] || [ "$status" = 137 ]; then
  echo "e2e: FAILED: timed out after ${E2E_TIMEOUT:-300} s" >&2
fi
echo "e2e: install $((t1 - t0)) s, package $((t2 - t1)) s, test $((t3 - t2)) s, total $((t3 - t0)) s"
exit "$status"
