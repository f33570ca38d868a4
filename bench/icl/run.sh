#!/usr/bin/env bash
# Runs a time-to-ICL recipe list (bench/icl/*.json) on whatever adapter Node finds, in P
# processes at once (each takes every P-th recipe; the tiny models' loop is bound by the
# CPU, so processes share one GPU), then writes OUT/results.jsonl (one line per recipe),
# OUT/runs.tar.gz (every run file) and OUT/table.md.
#
#   bench/icl/run.sh RECIPES.json OUT_DIR [P] [CLI] [extra time-to-icl flags…]
set -uo pipefail
[ $# -ge 2 ] || { sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
RECIPES=$1; OUT=$2; P=${3:-8}; CLI=${4:-dist-cli/cli.mjs}; shift $(( $# < 4 ? $# : 4 ))
mkdir -p "$OUT/runs"
for ((i = 0; i < P; i++)); do
  node "$CLI" time-to-icl --recipes "$RECIPES" --shard "$i/$P" --out "$OUT/runs" "$@" > "$OUT/shard-$i.jsonl" 2> "$OUT/shard-$i.err" &
done
wait
cat "$OUT"/shard-*.jsonl > "$OUT/results.jsonl"
grep -hv '^Warning' "$OUT"/shard-*.err | head -40
tar -czf "$OUT/runs.tar.gz" -C "$OUT" runs && rm -rf "$OUT/runs" "$OUT"/shard-*
node "$(dirname "$0")/table.mjs" "$OUT/results.jsonl" > "$OUT/table.md"
cat "$OUT/table.md"
