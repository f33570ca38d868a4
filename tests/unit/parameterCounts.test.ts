// Parameter counts of the four families at SPEC.md's sizes, read-in and read-out at d = 20 with
// a scalar read-out and the regression tasks' n_positions (101): the table in README.md, and
// the block order of the official hybrids. Models declare their parameters without a device.
import { describe, expect, it } from 'vitest';
import { buildModel, type ModelShape } from '../../src/nn/models';
import type { ModelId, SizeId } from '../../src/spec/config';

const SHAPE: ModelShape = { inDim: 20, outDim: 1, maxTokens: 82, nPositions: 101 };

// README.md, "Parameter counts"
const COUNTS: Record<ModelId, Record<SizeId, number>> = {
  transformer: { tiny: 164_417, small: 1_218_561, paper: 9_534_977 },
  mamba: { tiny: 198_145, small: 1_403_905, paper: 10_524_673 },
  mambaformer: { tiny: 182_913, small: 1_218_049, paper: 8_867_841 },
  standard_hybrid: { tiny: 156_609, small: 1_114_241, paper: 8_455_425 },
};

/** Mixer of each block, in order: 'M' (a Mamba mixer) or 'A' (attention). */
function blockOrder(model: ModelId, size: SizeId): string {
  const names = buildModel(model, size, SHAPE).arena.params.map((p) => p.name);
  const order: string[] = [];
  for (const name of names) {
    const m = /^_backbone\.layers\.(\d+)\.mixer\.(A_log|c_attn\.weight)$/.exec(name);
    if (m) order[Number(m[1])] = m[2] === 'A_log' ? 'M' : 'A';
  }
  return order.join('');
}

describe('parameter counts (d = 20, scalar read-out)', () => {
  for (const model of Object.keys(COUNTS) as ModelId[]) {
    for (const size of ['tiny', 'small', 'paper'] as const) {
      it(`${model} ${size}: ${COUNTS[model][size].toLocaleString('en-US')}`, () => {
        expect(buildModel(model, size, SHAPE).parameterCount).toBe(COUNTS[model][size]);
      });
    }
  }

  it('paper MambaFormer: 25 blocks, 13 Mamba and 12 attention, M A M … M (mixed_attn "mambaformer")', () => {
    expect(blockOrder('mambaformer', 'paper')).toBe('M' + 'AM'.repeat(12));
    expect(buildModel('mambaformer', 'paper', SHAPE).parameterCount).toBe(8_867_841);
  });

  it('standard hybrid: n blocks, attention at even i (mixed_attn "standard"); Mamba has no attention', () => {
    expect(blockOrder('standard_hybrid', 'tiny')).toBe('AMAMAM');
    expect(blockOrder('mamba', 'tiny')).toBe('MMMMMM');
  });

  it('positional tables have the official rows, unused ones included', () => {
    const rows = (model: ModelId, shape = SHAPE) =>
      buildModel(model, 'tiny', shape).arena.params.find((p) => p.name.endsWith('wpe.weight'))?.shape[0];
    expect(rows('transformer')).toBe(202); // GPT2Config(n_positions = 2 × 101)
    expect(rows('standard_hybrid')).toBe(101); // nn.Embedding(101, C)
    expect(rows('transformer', { ...SHAPE, maxTokens: 250 })).toBe(250); // a longer lab prompt grows them
    expect(rows('standard_hybrid', { ...SHAPE, maxTokens: 202 })).toBe(202);
    expect(rows('transformer', { inDim: 20, outDim: 1, maxTokens: 82 })).toBe(82); // no n_positions: the prompt's
  });
});
