#!/usr/bin/env bash
# ninth session: time to the first step, cold / warm / cache off, async vs serial, per-kernel
set -u
source .gpu/enter.sh
nproc > $OUT/notes.txt; nvidia-smi --query-gpu=name,driver_version --format=csv >> $OUT/notes.txt 2>&1
run() { local tag=$1; shift; ( time env "$@" node dist-cli/cli.mjs bench --json --only first_step ) 2>>$OUT/time.txt | sed "s/^{/{\"tag\":\"$tag\",/" >> $OUT/first.jsonl; echo "$tag" >> $OUT/time.txt; }
run cold-async X=1
run warm-async X=1
run off-async __GL_SHADER_DISK_CACHE=0
run off-serial __GL_SHADER_DISK_CACHE=0 ICL_FIRST_STEP_SERIAL=1
run off-async2 __GL_SHADER_DISK_CACHE=0
python3 - <<'PY'
import json,os
for l in open(os.environ['OUT']+'/first.jsonl'):
  r=json.loads(l); x=r.get('extra',{})
  print(r['tag'], r['name'], round(r['median']), {k:v for k,v in x.items()})
PY
grep -E "real|user|sys|async|serial" $OUT/time.txt
