// Official-layout state_dicts load into the lab and predict what PyTorch predicts. Each fixture
// in tests/fixtures/official/ was written by bench/pytorch/make_fixtures.py: a very small model
// of one family with the official module names, shapes and block order (krafton-ai/
// mambaformer-icl), its weights, a fixed batch `inputs` (B, T, d) and the read-out at every
// token `predictions` (B, T, O), computed in float64. A wrong name, layout, block order, head
// split or positional table gives errors of order 1 here. Legend: B batch, T tokens, d token
// width, O read-out width.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Graph } from '../../src/engine/graph';
import { Rng } from '../../src/engine/rng';
import { readSafetensors } from '../../src/engine/safetensors';
import { loadCheckpoint } from '../../src/nn/checkpoint';
import { buildModel } from '../../src/nn/models';
import { MODEL_IDS } from '../../src/spec/config';
import { testGpu } from '../helpers/gpu';

const DIR = join(__dirname, '..', 'fixtures', 'official');

/** make_fixtures.py's <family>.json: what the lab builds the model from. */
interface FixtureConfig {
  layers: number;
  dim: number;
  heads: number;
  nDims: number;
  outDim: number;
  maxTokens: number;
  nPositions: number;
  batch: number;
  tokens: number;
}

// The lab computes in f32; the reference is float64 on the same f32 weights. PyTorch's own f32
// forward of these models is within 2e-7 of it (make_fixtures.py checks < 1e-6); 1e-5 leaves
// room for the lab's other summation orders (tiled products, online softmax, scan), while any
// mix-up of weights is off by more than 1e-2.
const REL_TOL = 1e-5;

function readFixture(family: string): { config: FixtureConfig; bytes: Uint8Array } {
  const json = join(DIR, `${family}.json`);
  const weights = join(DIR, `${family}.safetensors`);
  for (const path of [json, weights]) {
    if (!existsSync(path)) {
      throw new Error(
        `${path} is missing: run \`python3 bench/pytorch/make_fixtures.py\` from the repository root ` +
          `(python3 with torch) and commit tests/fixtures/official/.`,
      );
    }
  }
  return { config: JSON.parse(readFileSync(json, 'utf8')), bytes: new Uint8Array(readFileSync(weights)) };
}

describe('official state_dicts load and predict as in PyTorch', () => {
  for (const family of MODEL_IDS) {
    it(family, async () => {
      const { config: c, bytes } = readFixture(family);
      const gpu = await testGpu();
      const model = buildModel(
        family,
        { name: 'tiny', layers: c.layers, dim: c.dim, heads: c.heads },
        { inDim: c.nDims, outDim: c.outDim, maxTokens: c.maxTokens, nPositions: c.nPositions },
      );
      model.arena.allocate(gpu, new Rng(1));
      const { notices } = loadCheckpoint(model, gpu, bytes);
      // every tensor the lab has comes from the file, positional rows as they are; the batch and
      // the MixerModel's unused token embedding are the only extras
      expect(notices.join(' ')).not.toMatch(/positions/);
      expect(notices.join(' ')).toMatch(family === 'transformer' ? /Ignored 2 tensor/ : /Ignored 3 tensor/);

      const file = readSafetensors(bytes).tensors;
      const inputs = file.get('inputs')!;
      const want = file.get('predictions')!;
      expect(inputs.shape).toEqual([c.batch, c.tokens, c.nDims]);
      expect(want.shape).toEqual([c.batch, c.tokens, c.outDim]);
      const g = new Graph(gpu, 'eager', model.arena);
      const x = g.input('inputs', inputs.shape);
      g.write('inputs', inputs.data);
      const got = await model.forward(g, x).read(); // (B, T, O)

      let err = 0;
      let scale = 0;
      for (let i = 0; i < want.data.length; i++) {
        err = Math.max(err, Math.abs(got[i] - want.data[i]));
        scale = Math.max(scale, Math.abs(want.data[i]));
      }
      expect(scale, 'the fixture predicts something').toBeGreaterThan(0.1);
      expect(
        err / scale,
        `max |lab − PyTorch| = ${err.toExponential(2)} of max |PyTorch| = ${scale.toFixed(3)}`,
      ).toBeLessThanOrEqual(REL_TOL);
      g.destroy();
      model.arena.destroy();
    });
  }
});
