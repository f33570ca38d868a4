#!/usr/bin/env bash
# ninth session: first step with three compiling threads and initial values drawn meanwhile (new) vs b19abab (base)
set -u
source .gpu/enter.sh
run() { local tag=$1 b=$2; shift 2; ( time env "$@" node $b/cli.mjs bench --json --only first_step ) 2>>$OUT/time.txt | sed "s/^{/{\"tag\":\"$tag\",/" >> $OUT/first.jsonl; echo "$tag" >> $OUT/time.txt; }
run cold-new dist-cli X=1
run warm-new dist-cli X=1
run off-new dist-cli __GL_SHADER_DISK_CACHE=0
run off-base dist-base __GL_SHADER_DISK_CACHE=0
run off-new2 dist-cli __GL_SHADER_DISK_CACHE=0
run off-base2 dist-base __GL_SHADER_DISK_CACHE=0
python3 - <<'PY'
import json,os
for l in open(os.environ['OUT']+'/first.jsonl'):
  r=json.loads(l); x=r.get('extra',{})
  print(r['tag'], r['name'].split('/')[1], round(r['median']), ' '.join('%s=%s'%(k[:-3],v) for k,v in x.items()))
PY
grep -E "real|user|new|base" $OUT/time.txt | paste - - - 
