#!/usr/bin/env bash
# ninth session, final: HEAD's first step on a fresh machine (cold, then cache off) and issue 4's training check
set -u
source .gpu/enter.sh
node dist-cli/cli.mjs bench --json --only first_step 2>/dev/null | sed 's/^{/{"tag":"cold",/' >> $OUT/first.jsonl
__GL_SHADER_DISK_CACHE=0 node dist-cli/cli.mjs bench --json --only first_step 2>/dev/null | sed 's/^{/{"tag":"off",/' >> $OUT/first.jsonl
python3 - <<'PY'
import json,os
for l in open(os.environ['OUT']+'/first.jsonl'):
  r=json.loads(l); x=r.get('extra',{})
  print(r['tag'], r['name'].split('/')[1], round(r['median']), ' '.join('%s=%s'%(k[:-3],v) for k,v in x.items()))
PY
timeout 200 bench/train-check.sh /tmp/train dist-cli/cli.mjs --lr 1e-3 > $OUT/train-check.txt 2>&1
grep -v "^$" $OUT/train-check.txt | head -40
