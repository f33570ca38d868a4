import { test } from 'vitest';
import { makeEvalSet } from '../../src/tasks';
import { TASK_IDS, TASK_DEFAULTS } from '../../src/train/config';
import { baselineCurves } from '../../src/train/icl';
test('timing', () => {
  for (const task of TASK_IDS) {
    const t0 = performance.now();
    const set = makeEvalSet({ task, nDims: TASK_DEFAULTS[task].nDims, nPoints: TASK_DEFAULTS[task].nPoints, evalPrompts: 256 }, 1);
    const t1 = performance.now();
    const curves = baselineCurves(task, set);
    const t2 = performance.now();
    const summary = Object.entries(curves).map(([k, c]) => `${k}: ${c.mean[0]?.toFixed(2)} ${c.mean[Math.floor(c.mean.length/2)]?.toFixed(3)} ${c.mean[c.mean.length-1]?.toFixed(3)}`).join(' | ');
    console.log(task, 'sample', (t1 - t0).toFixed(0), 'ms; baselines', (t2 - t1).toFixed(0), 'ms;', summary);
  }
}, 300000);
