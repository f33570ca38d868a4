#!/usr/bin/env bash
# ninth session: products' epilogue read at run time (fewer pipelines) + faster normals: first step, steps and block8 A/B vs b19abab
set -u
source .gpu/enter.sh
run() { local tag=$1 b=$2; shift 2; env "$@" node $b/cli.mjs bench --json --only first_step 2>/dev/null | sed "s/^{/{\"tag\":\"$tag\",/" >> $OUT/first.jsonl; }
run cold-new dist-cli X=1
run off-new dist-cli __GL_SHADER_DISK_CACHE=0
run off-base dist-base __GL_SHADER_DISK_CACHE=0
run off-new2 dist-cli __GL_SHADER_DISK_CACHE=0
run off-base2 dist-base __GL_SHADER_DISK_CACHE=0
run off-new3 dist-cli __GL_SHADER_DISK_CACHE=0
python3 - <<'PY'
import json,os
for l in open(os.environ['OUT']+'/first.jsonl'):
  r=json.loads(l); x=r.get('extra',{})
  print(r['tag'], r['name'].split('/')[1], round(r['median']), ' '.join('%s=%s'%(k[:-3],v) for k,v in x.items()))
PY
for t in base new base2 new2; do b=dist-cli; case $t in base*) b=dist-base ;; esac
  ICL_BENCH_SIZES=small,paper ICL_BENCH_MODELS=transformer,mamba,mambaformer node $b/cli.mjs bench --json --only step 2>/dev/null | sed "s/^{/{\"tag\":\"$t\",/" >> $OUT/ab.jsonl
  ICL_MATMUL_SHAPES='mlp+gelu D=256,mlp D=256,4096²' ICL_MATMUL_KERNELS=matmulBlock8 node $b/cli.mjs bench --json --only matmul 2>/dev/null | sed "s/^{/{\"tag\":\"$t\",/" >> $OUT/ab.jsonl
done
python3 - <<'PY'
import json,os,collections
d=collections.defaultdict(list)
for l in open(os.environ['OUT']+'/ab.jsonl'):
  r=json.loads(l); d[r['name']+' '+str(r['shape'].get('M',''))].append('%s %.4g'%(r['tag'],r['median']))
for k,v in d.items(): print(k, ' | '.join(v))
PY
