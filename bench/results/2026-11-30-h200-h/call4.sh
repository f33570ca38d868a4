#!/usr/bin/env bash
# tenth session, call 4: the whole bench at the final code (ba54bd9), ours and PyTorch's in one
# run, for issue 6's closing tables (bench/run-gpu.sh's two halves; compare.py run after)
set -u
source .gpu/enter.sh
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm,memory.total --format=csv > $OUT/notes.txt 2>&1
lscpu | grep -E "Model name|^CPU\(s\)" >> $OUT/notes.txt
t0=$(date +%s)
timeout 330 node dist-cli/cli.mjs bench --json > $OUT/ours.jsonl 2> $OUT/ours.log; echo "ours rc=$? $(( $(date +%s) - t0 )) s" >> $OUT/notes.txt
t1=$(date +%s)
timeout 230 python3 bench/pytorch/bench_step.py --device cuda --no-compile > $OUT/pytorch.jsonl 2> $OUT/pytorch.log; echo "pytorch rc=$? $(( $(date +%s) - t1 )) s" >> $OUT/notes.txt
python3 bench/compare.py $OUT/ours.jsonl $OUT/pytorch.jsonl > $OUT/compare.md 2>&1
cat $OUT/notes.txt; grep -E "step|scan|4096|first|attention|D=256" $OUT/compare.md | head -60
