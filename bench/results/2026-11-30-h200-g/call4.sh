#!/usr/bin/env bash
# ninth session: first step, new (three compiling threads, values drawn meanwhile) vs b19abab, alternating, driver cache off; steps sanity A/B
set -u
source .gpu/enter.sh
run() { local tag=$1 b=$2; shift 2; env "$@" node $b/cli.mjs bench --json --only first_step 2>/dev/null | sed "s/^{/{\"tag\":\"$tag\",/" >> $OUT/first.jsonl; }
run cold-new dist-cli X=1
run warm-new dist-cli X=1
run warm-base dist-base X=1
for i in 1 2 3 4; do run off-base$i dist-base __GL_SHADER_DISK_CACHE=0; run off-new$i dist-cli __GL_SHADER_DISK_CACHE=0; done
python3 - <<'PY'
import json,os,collections,statistics as st
d=collections.defaultdict(list)
for l in open(os.environ['OUT']+'/first.jsonl'):
  r=json.loads(l); x=r.get('extra',{})
  print(r['tag'], r['name'].split('/')[1], round(r['median']), ' '.join('%s=%s'%(k[:-3],v) for k,v in x.items()))
  if r['tag'].startswith('off-'): d[(r['tag'][:-1], r['name'].split('/')[1])].append(r['median'])
for k,v in sorted(d.items()): print(k, 'median %.0f' % st.median(v), [round(x) for x in v])
PY
for t in base new; do b=dist-cli; case $t in base*) b=dist-base ;; esac
  ICL_BENCH_SIZES=small,paper ICL_BENCH_MODELS=transformer,mamba node $b/cli.mjs bench --json --only step 2>/dev/null | sed "s/^{/{\"tag\":\"$t\",/" >> $OUT/ab.jsonl
done
python3 - <<'PY'
import json,os,collections
d=collections.defaultdict(list)
for l in open(os.environ['OUT']+'/ab.jsonl'):
  r=json.loads(l); d[r['name']].append('%s %.4g'%(r['tag'],r['median']))
for k,v in d.items(): print(k, ' | '.join(v))
PY
