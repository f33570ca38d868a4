// Attention blocks. Legend: B batch, T tokens, C model width (D in SPEC.md), H heads.
// - GptBlock: GPT-2's pre-LayerNorm block, x = x + attn(ln_1(x)); x = x + mlp(ln_2(x)),
//   with Hugging Face GPT2Model names and Conv1D layout ([in, out]).
// - CausalSelfAttention: the hybrids' attention mixer, as the official code has it (nanoGPT's
//   class in mambaformer-icl's mamba_simple.py: c_attn, c_proj; nn.Linear layout [out, in]),
//   used inside a pre-LayerNorm residual block with no MLP.
import type { ParamArena } from '../engine/arena';
import type { Graph } from '../engine/graph';
import { attention } from '../engine/ops/attention';
import type { Tensor } from '../engine/tensor';
import { LayerNorm, Linear } from './layers';

const gpt2Init = (std: number) => ({
  weightInit: { kind: 'normal' as const, std },
  biasInit: { kind: 'const' as const, value: 0 },
  layout: 'in_out' as const,
});

export class GptBlock {
  private ln1: LayerNorm;
  private cAttn: Linear;
  private attnProj: Linear;
  private ln2: LayerNorm;
  private cFc: Linear;
  private mlpProj: Linear;

  constructor(
    arena: ParamArena,
    prefix: string,
    dim: number,
    private heads: number,
    nLayers: number,
  ) {
    // GPT-2 init: N(0, 0.02), residual projections scaled by 1/√(2·layers)
    const proj = gpt2Init(0.02 / Math.sqrt(2 * nLayers));
    this.ln1 = new LayerNorm(arena, `${prefix}.ln_1`, dim);
    this.cAttn = new Linear(arena, `${prefix}.attn.c_attn`, dim, 3 * dim, gpt2Init(0.02));
    this.attnProj = new Linear(arena, `${prefix}.attn.c_proj`, dim, dim, proj);
    this.ln2 = new LayerNorm(arena, `${prefix}.ln_2`, dim);
    this.cFc = new Linear(arena, `${prefix}.mlp.c_fc`, dim, 4 * dim, gpt2Init(0.02));
    this.mlpProj = new Linear(arena, `${prefix}.mlp.c_proj`, 4 * dim, dim, proj);
  }

  forward(g: Graph, x: Tensor): Tensor {
    const qkv = this.cAttn.forward(g, this.ln1.forward(g, x)); // (B, T, 3C)
    // the residual adds happen in the projections' epilogues (no separate pass)
    x = this.attnProj.forward(g, attention(qkv, this.heads), 'none', x); // (B, T, C)
    const h = this.cFc.forward(g, this.ln2.forward(g, x), 'gelu'); // (B, T, 4C)
    return this.mlpProj.forward(g, h, 'none', x);
  }
}

export class CausalSelfAttention {
  private cAttn: Linear; // weight (3C, C): q | k | v, head h in channels h·C/H … of each third
  private cProj: Linear; // weight (C, C)

  /** Init as the official MixerModel leaves it: nn.Linear's default U(±1/√C) weights, biases
   *  zeroed by its _init_weights; c_proj is not rescaled (only `out_proj`/`fc2` are). */
  constructor(
    arena: ParamArena,
    prefix: string,
    dim: number,
    private heads: number,
  ) {
    const zero = { kind: 'const' as const, value: 0 };
    this.cAttn = new Linear(arena, `${prefix}.c_attn`, dim, 3 * dim, { biasInit: zero });
    this.cProj = new Linear(arena, `${prefix}.c_proj`, dim, dim, { biasInit: zero });
  }

  /** x (B, T, C) → (B, T, C), plus `residual` when given (added by c_proj's epilogue). */
  forward(g: Graph, x: Tensor, residual?: Tensor): Tensor {
    return this.cProj.forward(g, attention(this.cAttn.forward(g, x), this.heads), 'none', residual);
  }
}
