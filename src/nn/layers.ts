// Small building blocks shared by the models: Linear (in either checkpoint layout) and
// LayerNorm, each declaring its named parameters in the arena and applying the engine op.
import type { Init, ParamArena, ParamRef } from '../engine/arena';
import type { Graph } from '../engine/graph';
import { linear } from '../engine/ops/matmul';
import { layerNorm } from '../engine/ops/layernorm';
import type { Tensor } from '../engine/tensor';

/** PyTorch nn.Linear's default init: U(±1/√fan_in) for weight and bias. */
export const torchLinearInit = (fanIn: number): Init => ({ kind: 'uniform', bound: 1 / Math.sqrt(fanIn) });

export interface LinearOptions {
  bias?: boolean;
  /** 'out_in': nn.Linear [out, in] (Mamba, MHA, read-in/out); 'in_out': GPT-2 Conv1D [in, out]. */
  layout?: 'out_in' | 'in_out';
  weightInit?: Init;
  biasInit?: Init;
}

export class Linear {
  readonly weight: ParamRef;
  readonly bias: ParamRef | null;
  readonly layout: 'out_in' | 'in_out';

  constructor(arena: ParamArena, name: string, inDim: number, outDim: number, opts: LinearOptions = {}) {
    this.layout = opts.layout ?? 'out_in';
    const shape = this.layout === 'out_in' ? [outDim, inDim] : [inDim, outDim];
    this.weight = arena.declare(`${name}.weight`, shape, opts.weightInit ?? torchLinearInit(inDim));
    this.bias =
      opts.bias === false ? null : arena.declare(`${name}.bias`, [outDim], opts.biasInit ?? torchLinearInit(inDim));
  }

  /** x (…, in) → (…, out), optionally with GELU fused in the epilogue, or a residual stream
   *  (…, out) added in the same pass. */
  forward(g: Graph, x: Tensor, act: 'none' | 'gelu' = 'none', residual?: Tensor): Tensor {
    return linear(x, g.param(this.weight), this.bias ? g.param(this.bias) : undefined, {
      layout: this.layout,
      act,
      residual,
    });
  }
}

export class LayerNorm {
  readonly weight: ParamRef;
  readonly bias: ParamRef;

  constructor(arena: ParamArena, name: string, dim: number) {
    this.weight = arena.declare(`${name}.weight`, [dim], { kind: 'const', value: 1 });
    this.bias = arena.declare(`${name}.bias`, [dim], { kind: 'const', value: 0 });
  }

  forward(g: Graph, x: Tensor): Tensor {
    return layerNorm(x, g.param(this.weight), g.param(this.bias));
  }
}
