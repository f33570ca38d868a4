#!/usr/bin/env bash
# ninth session: scan backward variants: v1 (z, dout loaded at the segment, not a segment ahead), v2 (v1 + whole-segment loads unchecked) vs prev (8fa7da4)
set -u
source .gpu/enter.sh
export PATH=$PATH:/usr/local/cuda/bin:$PWD/tmp/cuda LD_LIBRARY_PATH=${LD_LIBRARY_PATH:-}:$PWD/tmp/cuda
C='[{"kind":"register","eb":32,"g":4,"k":4,"fwdEb":64}]'
for t in prev v1 v2 prev2 v1b v2b; do b=dist-prev; case $t in v1*) b=dist-v1 ;; v2*) b=dist-v2 ;; esac
  ICL_SCAN_CONFIGS=$C node $b/cli.mjs bench --json --only scan 2>/dev/null | sed "s/^{/{\"tag\":\"$t\",/" >> $OUT/scan.jsonl
done
python3 - <<'PY'
import json,os,collections
d=collections.defaultdict(list)
for l in open(os.environ['OUT']+'/scan.jsonl'):
  r=json.loads(l); x=r.get('extra',{}); d[str(r['shape'].get('L',''))].append('%s %.3f [%s]'%(r['tag'],r['median'],x.get('kernels','')))
for k,v in d.items(): print('L',k); [print('  ',x) for x in v]
PY
for v in v1 v2; do ICL_SCAN_CONFIGS=$C bench/cuda/driver_sass.sh /tmp/sass-$v node dist-$v/cli.mjs bench --quick --only scan > $OUT/sass-$v.txt 2>&1; grep -i "scan\|R1\|instr" $OUT/sass-$v.txt | head -8; done
tar czf $OUT/sass.tgz -C /tmp sass-v1 sass-v2
for t in prev v2; do b=dist-prev; [ $t = v2 ] && b=dist-v2
  ICL_BENCH_SIZES=small,paper ICL_BENCH_MODELS=mamba,mambaformer node $b/cli.mjs bench --json --only step 2>/dev/null | sed "s/^{/{\"tag\":\"$t\",/" >> $OUT/steps.jsonl; done
python3 - <<'PY'
import json,os,collections
d=collections.defaultdict(list)
for l in open(os.environ['OUT']+'/steps.jsonl'):
  r=json.loads(l); d[r['name']].append('%s %.4g'%(r['tag'],r['median']))
for k,v in d.items(): print(k, ' | '.join(v))
PY
