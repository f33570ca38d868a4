#!/usr/bin/env bash
# `npm start`: installs the npm packages if they are missing, builds the lab and serves it
# on http://localhost:5173.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npx vite build --logLevel warn
echo "ICL Lab: http://localhost:5173"
exec npx vite preview --port 5173 --strictPort
