#!/usr/bin/env bash
# tenth session, call 2: the step's graph (buffers, bind groups) built while its pipelines
# compile, and the scan backward reading h_t from the recompute (new: dist-cli) against
# 3213015 (base: dist-base): first step with the driver cache off (four alternating turns)
# and warm, the scan, whole steps (two alternating turns)
set -u
source .gpu/enter.sh
tag() { sed "s/^{/{\"tag\":\"$1\",/"; }
first() { local t=$1 b=$2; shift 2; env "$@" node $b/cli.mjs bench --json --only first_step 2>/dev/null | tag $t >> $OUT/first.jsonl; }
for i in 1 2 3 4; do first off-base dist-base __GL_SHADER_DISK_CACHE=0; first off-new dist-cli __GL_SHADER_DISK_CACHE=0; done
first warm-base dist-base X=1; first warm-new dist-cli X=1
python3 - <<'PY'
import json,os,collections,statistics as st
d=collections.defaultdict(list)
for l in open(os.environ['OUT']+'/first.jsonl'):
  r=json.loads(l); x=r['extra']; d[(r['tag'], r['name'].split('/')[1])].append((round(r['median']), x.get('pipelines_ms'), x.get('run_ms', x.get('compile_and_run_ms'))))
for k,v in sorted(d.items()): print(k, 'median %.0f' % st.median([a[0] for a in v]), v)
PY
C='[{"kind":"register","eb":32,"g":4,"k":4,"fwdEb":64}]'
for t in base new; do b=dist-cli; [ $t = base ] && b=dist-base
  ICL_SCAN_CONFIGS=$C node $b/cli.mjs bench --json --only scan 2>/dev/null | tag $t >> $OUT/scan.jsonl; done
python3 - <<'PY'
import json,os
for l in open(os.environ['OUT']+'/scan.jsonl'):
  r=json.loads(l); print(r['tag'], r['name'], r['shape'], '%.3f' % r['median'], r.get('extra',{}).get('kernels',''))
PY
for t in base new base2 new2; do b=dist-cli; case $t in base*) b=dist-base ;; esac
  ICL_BENCH_SIZES=small,paper node $b/cli.mjs bench --json --only step 2>/dev/null | tag $t >> $OUT/steps.jsonl
done
python3 - <<'PY'
import json,os,collections
d=collections.defaultdict(list)
for l in open(os.environ['OUT']+'/steps.jsonl'):
  r=json.loads(l); d[r['name']].append('%s %.4g'%(r['tag'],r['median']))
for k,v in d.items(): print(k, ' | '.join(v))
PY
