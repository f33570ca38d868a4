#!/usr/bin/env bash
# The one command for a machine with an NVIDIA GPU: runs the lab's benchmarks (Node, WebGPU
# through Dawn/Vulkan) and the same cases in PyTorch (CUDA) on the same GPU, writes both as
# JSON lines, and prints the comparison table (bench/compare.py).
#
#   bench/run-gpu.sh OUT_DIR [--quick] [--no-compile] [--skip-ours] [--skip-pytorch]
#
# OUT_DIR receives ours.jsonl, pytorch.jsonl, their logs and compare.md. Needs node (with
# this repo's node_modules) and python3 with torch (CUDA); no network.
set -uo pipefail

usage() { sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
[ $# -ge 1 ] || usage
OUT=$1; shift
QUICK=(); COMPILE=(); RUN_OURS=1; RUN_TORCH=1
for a in "$@"; do
  case $a in
    --quick) QUICK=(--quick) ;;
    --no-compile) COMPILE=(--no-compile) ;;
    --skip-ours) RUN_OURS=0 ;;
    --skip-pytorch) RUN_TORCH=0 ;;
    *) usage ;;
  esac
done

ROOT=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
cd "$ROOT"
status=0

if [ $RUN_OURS = 1 ]; then
  # rebuild a stale bundle where the build tools are installed; on the device machine the
  # bundle is carried (no node_modules there), so it is used as it is
  if [ ! -x node_modules/.bin/vite ]; then
    [ -f dist-cli/cli.mjs ] || { echo "no dist-cli/cli.mjs and no node_modules to build it: run npm run build:cli where the packages are installed and carry dist-cli" >&2; exit 1; }
  elif [ ! -f dist-cli/cli.mjs ] || [ -n "$(find src shaders -newer dist-cli/cli.mjs -print -quit)" ]; then
    echo "building the CLI bundle (npm run build:cli)…" >&2
    npm run --silent build:cli >"$OUT/build.log" 2>&1 || { echo "CLI build failed: see $OUT/build.log" >&2; status=1; }
  fi
  echo "lab bench → $OUT/ours.jsonl" >&2
  node dist-cli/cli.mjs bench --json "${QUICK[@]}" >"$OUT/ours.jsonl" 2> >(tee "$OUT/ours.log" >&2) \
    || { echo "lab bench exited non-zero (partial results kept)" >&2; status=1; }
fi

if [ $RUN_TORCH = 1 ]; then
  echo "PyTorch bench → $OUT/pytorch.jsonl" >&2
  python3 bench/pytorch/bench_step.py --device cuda "${QUICK[@]}" "${COMPILE[@]}" >"$OUT/pytorch.jsonl" 2> >(tee "$OUT/pytorch.log" >&2) \
    || { echo "PyTorch bench exited non-zero (partial results kept)" >&2; status=1; }
fi

if [ -s "$OUT/ours.jsonl" ] && [ -s "$OUT/pytorch.jsonl" ]; then
  python3 bench/compare.py "$OUT/ours.jsonl" "$OUT/pytorch.jsonl" | tee "$OUT/compare.md"
else
  echo "no table: one side produced no results" >&2
  status=1
fi
exit $status
