#!/usr/bin/env bash
# ninth session: block8 bias/base read at run time (new) vs 8fa7da4 (prev): steps and first step (cache off)
set -u
source .gpu/enter.sh
for t in prev new prev2 new2; do b=dist-cli; case $t in prev*) b=dist-prev ;; esac
  ICL_BENCH_SIZES=small,paper ICL_BENCH_MODELS=transformer,mamba,mambaformer,standard_hybrid node $b/cli.mjs bench --json --only step 2>/dev/null | sed "s/^{/{\"tag\":\"$t\",/" >> $OUT/steps.jsonl
done
python3 - <<'PY'
import json,os,collections
d=collections.defaultdict(list)
for l in open(os.environ['OUT']+'/steps.jsonl'):
  r=json.loads(l); d[r['name']].append('%s %.4g'%(r['tag'],r['median']))
for k,v in d.items(): print(k, ' | '.join(v))
PY
run() { local tag=$1 b=$2; shift 2; env "$@" node $b/cli.mjs bench --json --only first_step 2>/dev/null | sed "s/^{/{\"tag\":\"$tag\",/" >> $OUT/first.jsonl; }
for i in 1 2 3; do run off-prev$i dist-prev __GL_SHADER_DISK_CACHE=0; run off-new$i dist-cli __GL_SHADER_DISK_CACHE=0; done
python3 - <<'PY'
import json,os,collections,statistics as st
d=collections.defaultdict(list)
for l in open(os.environ['OUT']+'/first.jsonl'):
  r=json.loads(l); d[(r['tag'][:-1], r['name'].split('/')[1])].append(r['median'])
for k,v in sorted(d.items()): print(k, 'median %.0f' % st.median(v), [round(x) for x in v])
PY
