#!/usr/bin/env bash
# tenth session, call 3 (final code, 0074475, a fresh machine): the first step in the first
# process (the driver cache empty), then warm, then with the cache off; issue 4's training check
set -u
source .gpu/enter.sh
tag() { sed "s/^{/{\"tag\":\"$1\",/"; }
node dist-cli/cli.mjs bench --json --only first_step 2>/dev/null | tag first-process >> $OUT/first.jsonl
node dist-cli/cli.mjs bench --json --only first_step 2>/dev/null | tag warm >> $OUT/first.jsonl
__GL_SHADER_DISK_CACHE=0 node dist-cli/cli.mjs bench --json --only first_step 2>/dev/null | tag off >> $OUT/first.jsonl
python3 - <<'PY'
import json,os
for l in open(os.environ['OUT']+'/first.jsonl'):
  r=json.loads(l); x=r.get('extra',{})
  print(r['tag'], r['name'].split('/')[1], round(r['median']), ' '.join('%s=%s'%(k[:-3],v) for k,v in x.items()))
PY
timeout 240 bench/train-check.sh /tmp/train dist-cli/cli.mjs --lr 1e-3 > $OUT/train-check.txt 2>&1
grep -v "^$" $OUT/train-check.txt | head -40
