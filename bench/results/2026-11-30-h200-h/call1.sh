#!/usr/bin/env bash
# tenth session, call 1: the scan backward reusing the recompute's Ā and h_t (abar: dist-cli)
# or only h_t (ht: dist-ht) against 3213015 (base: dist-base); block8 at BK 8 against BK 16
# (dist-cli): pipeline compile times (cache off, one at a time), first step, steps
set -u
source .gpu/enter.sh
export PATH=$PATH:/usr/local/cuda/bin:$PWD/tmp/cuda LD_LIBRARY_PATH=${LD_LIBRARY_PATH:-}:$PWD/tmp/cuda
C='[{"kind":"register","eb":32,"g":4,"k":4,"fwdEb":64}]'
T8='{"wide":[{"TX":16,"TY":8,"BK":8,"prefetch":false}],"tall":[{"TX":8,"TY":16,"BK":8,"prefetch":false}],"small":[{"TX":8,"TY":8,"BK":8,"prefetch":true}]}'
tag() { sed "s/^{/{\"tag\":\"$1\",/"; }
for t in base abar ht base2 abar2 ht2; do case $t in base*) b=dist-base ;; abar*) b=dist-cli ;; ht*) b=dist-ht ;; esac
  ICL_SCAN_CONFIGS=$C node $b/cli.mjs bench --json --only scan 2>/dev/null | tag $t >> $OUT/scan.jsonl
done
python3 - <<'PY'
import json,os,collections
d=collections.defaultdict(list)
for l in open(os.environ['OUT']+'/scan.jsonl'):
  r=json.loads(l); x=r.get('extra',{}); d[str(r['shape'].get('L',''))].append('%s %.3f [%s]'%(r['tag'],r['median'],x.get('kernels','')))
for k,v in d.items(): print('L',k); [print('  ',x) for x in v]
PY
ICL_SCAN_CONFIGS=$C bench/cuda/driver_sass.sh /tmp/sass-abar node dist-cli/cli.mjs bench --quick --only scan > $OUT/sass-abar.txt 2>&1
grep -i "R1\|instr" $OUT/sass-abar.txt | head -8
first() { local t=$1; shift; env __GL_SHADER_DISK_CACHE=0 "$@" node dist-cli/cli.mjs bench --json --only first_step 2>/dev/null | tag $t >> $OUT/first.jsonl; }
first serial-bk16 ICL_FIRST_STEP_SERIAL=1
first serial-bk8 ICL_FIRST_STEP_SERIAL=1 ICL_MATMUL_TILES=$T8
for i in 1 2 3; do first off-bk16-$i X=1; first off-bk8-$i ICL_MATMUL_TILES=$T8; done
python3 - <<'PY'
import json,os,collections,statistics as st
d=collections.defaultdict(list)
for l in open(os.environ['OUT']+'/first.jsonl'):
  r=json.loads(l); t=r['tag']; m=r['name'].split('/')[1]; x=r['extra']
  if t.startswith('serial'): print(t, m, round(r['median']), 'all', x.get('all_pipelines_ms'), {k[:40]:v for k,v in x.items() if 'Block8' in k})
  else: d[(t.rsplit('-',1)[0], m)].append((round(r['median']), x.get('pipelines_ms'), x.get('of_which_graph_ms'), x.get('compile_and_run_ms')))
for k,v in sorted(d.items()): print(k, 'median %.0f' % st.median([a[0] for a in v]), v)
PY
for t in bk16 bk8 bk16b bk8b; do e=X=1; case $t in bk8*) e=ICL_MATMUL_TILES=$T8 ;; esac
  env $e ICL_BENCH_SIZES=small,paper ICL_BENCH_MODELS=transformer,mamba,mambaformer,standard_hybrid node dist-cli/cli.mjs bench --json --only step 2>/dev/null | tag $t >> $OUT/steps.jsonl
done
python3 - <<'PY'
import json,os,collections
d=collections.defaultdict(list)
for l in open(os.environ['OUT']+'/steps.jsonl'):
  r=json.loads(l); d[r['name']].append('%s %.4g'%(r['tag'],r['median']))
for k,v in d.items(): print(k, ' | '.join(v))
PY
