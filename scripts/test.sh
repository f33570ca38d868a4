#!/usr/bin/env bash
# The one test command (`npm test`): installs what the tests need on a fresh Debian 12
# machine (lavapipe for Dawn, Chromium for the browser tests, npm packages), type-checks,
# builds the page, and runs every test: unit, GPU kernels and training on Dawn, end to end
# in Chromium. GPU tests fail (never skip) when no WebGPU adapter is found.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-test-deps.sh
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
echo "== type check"
npx tsc --noEmit -p .
echo "== format (prettier --check; fix with npm run format)"
npx prettier --check --log-level warn .
echo "== build the page"
npx vite build --logLevel warn
echo "== tests"
npx vitest run "$@"
