#!/usr/bin/env bash
# ninth session: HEAD's first step on a fresh machine (first process: the driver's cache empty), then warm
set -u
source .gpu/enter.sh
for tag in cold warm; do node dist-cli/cli.mjs bench --json --only first_step 2>/dev/null | sed "s/^{/{\"tag\":\"$tag\",/" >> $OUT/first.jsonl; done
python3 - <<'PY'
import json,os
for l in open(os.environ['OUT']+'/first.jsonl'):
  r=json.loads(l); x=r.get('extra',{})
  print(r['tag'], r['name'].split('/')[1], round(r['median']), ' '.join('%s=%s'%(k[:-3],v) for k,v in x.items()))
PY
