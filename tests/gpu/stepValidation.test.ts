// A training step that WebGPU rejects must stop before it trains: replayed unchecked, its
// dispatches would do nothing and every loss would read 0. TrainingStep.create validates the
// compiled step (bind groups, pipelines, and the dispatches encoded once, not submitted) and
// throws a sentence naming the kernel; bindings past the adapter's limits are refused before
// WebGPU sees them. Each case adds one bad dispatch to a tiny model's forward.
import { describe, expect, it } from 'vitest';
import source from '../../shaders/elementwise.wgsl?raw';
import { ParamArena } from '../../src/engine/arena';
import type { Graph } from '../../src/engine/graph';
import { PlanLimitError } from '../../src/engine/limits';
import { ADAM_DEFAULTS } from '../../src/engine/ops/adam';
import { mul } from '../../src/engine/ops/elementwise';
import { ElementwiseParams } from '../../src/engine/ops/elementwiseKernels';
import { sumCols } from '../../src/engine/ops/reduce';
import { Rng } from '../../src/engine/rng';
import type { Tensor } from '../../src/engine/tensor';
import { TrainingStep } from '../../src/engine/trainingStep';
import type { KernelDef } from '../../src/gpu/kernel';
import { testGpu } from '../helpers/gpu';

/** 64 floats: one storage-offset alignment (256 bytes). */
const N = 64;
const params = ElementwiseParams.pack({ n: N, nb: N, alpha: 0, _pad: 0 });
/** elementwise.wgsl's `binary` (a, b → out) under a name of the test's. */
const binary = (name: string, bindings: KernelDef['bindings'] = ['uniform', 'read', 'read', 'rw']): KernelDef => ({
  name,
  source,
  entryPoint: 'binary',
  bindings,
  constants: { WG: 256, OP: 0 },
});

/** loss = Σ x ⊙ w, with `bad(g, x)` recorded in the forward. */
async function stepWith(bad: (g: Graph, x: Tensor) => void): Promise<TrainingStep> {
  const gpu = await testGpu();
  const arena = new ParamArena();
  const w = arena.declare('w', [N], { kind: 'normal', std: 1 });
  arena.allocate(gpu, new Rng(1));
  return TrainingStep.create(
    gpu,
    arena,
    (g) => {
      const x = g.input('x', [N]);
      bad(g, x);
      return sumCols(mul(x, g.param(w)), N);
    },
    ADAM_DEFAULTS,
  );
}

const sentence = (what: string, kernel: string) =>
  new RegExp(
    `^The training step cannot run, so training stops\\. WebGPU rejected ${what} of the kernel "${kernel}" ` +
      `\\(dispatch \\d+ of \\d+\\): `,
  );

describe('a training step WebGPU rejects stops with a sentence', () => {
  it('a dispatch that binds one buffer read-only and writable', async () => {
    await expect(
      stepWith((g, x) => {
        const y = g.tensor([2 * N], false, 'y');
        g.dispatch(
          binary('binary_aliased'),
          params,
          [g.view(y, 0, [N], 'y[0]'), x, g.view(y, N, [N], 'y[1]')],
          [1, 1, 1],
        );
      }),
    ).rejects.toThrow(sentence('the dispatch', 'binary_aliased'));
  });

  it('a pipeline whose layout misses a binding the shader uses', async () => {
    await expect(
      stepWith((g, x) => {
        g.dispatch(
          binary('binary_missing_b', ['uniform', 'read', 'rw']),
          params,
          [x, g.tensor([N], false, 'out')],
          [1, 1, 1],
        );
      }),
    ).rejects.toThrow(sentence('the pipeline', 'binary_missing_b'));
  });

  it('a bind group whose range runs past its buffer', async () => {
    const gpu = await testGpu();
    const small = gpu.createStorage(16, 'small');
    await expect(
      stepWith((g, x) => {
        const past = g.fixed([N], { buffer: small, offset: 0, size: 4 * N }, false, 'past_the_end');
        g.dispatch(binary('binary_past_end'), params, [x, x, past], [1, 1, 1]);
      }),
    ).rejects.toThrow(sentence('the bind group', 'binary_past_end'));
    small.destroy();
  });

  it('a binding the adapter’s limits refuse is named before WebGPU sees it', async () => {
    const step = stepWith((g, x) => {
      const y = g.tensor([2 * N], false, 'y');
      g.dispatch(binary('binary_misaligned'), params, [x, x, g.view(y, 1, [N], 'y[1:]')], [1, 1, 1]);
    });
    await expect(step).rejects.toThrow(PlanLimitError);
    await expect(step).rejects.toThrow(
      new RegExp(
        String.raw`^The kernel "binary_misaligned" binds "y\[1:\]" \(binding 3\) at byte 4, ` +
          String.raw`which is not a multiple of this GPU's offset alignment \(256\)\.$`,
      ),
    );
  });
});
