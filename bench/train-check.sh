#!/usr/bin/env bash
# The training check, on whatever adapter Node finds: each model family at size tiny,
# linear regression, 400 steps, seed 1; prints each run's last-position errors (the model's
# and every baseline's, zero included) and writes the run files to OUT_DIR.
#
#   bench/train-check.sh OUT_DIR [CLI] [extra train flags…]
#
# CLI defaults to dist-cli/cli.mjs (npm run build:cli).
set -uo pipefail
[ $# -ge 1 ] || { sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
OUT=$1; shift
CLI=${1:-dist-cli/cli.mjs}; [ $# -ge 1 ] && shift
mkdir -p "$OUT"
status=0
for m in transformer mamba mambaformer standard_hybrid; do
  echo "== $m"
  node "$CLI" train --task linear_regression --model "$m" --size tiny --steps 400 --seed 1 --quiet --out "$OUT/$m.json" "$@" 2>&1 \
    | grep -v '^Warning' || status=1
done
exit $status
