// The four model families of SPEC.md around one shape: a linear read-in R^d → R^C, a causal
// backbone, a linear read-out R^C → R^out. Legend: B batch, T tokens, d token width,
// C model width, O read-out width. Parameter names are the official checkpoints' (DESIGN.md).
import { ParamArena, type ParamRef } from '../engine/arena';
import type { Graph } from '../engine/graph';
import { addPositional } from '../engine/ops/positional';
import type { Tensor } from '../engine/tensor';
import type { ModelId, SizeId } from '../spec/config';
import { CausalSelfAttention, GptBlock } from './attentionBlocks';
import { LayerNorm, Linear } from './layers';
import { MambaMixer } from './mambaMixer';

export interface SizeSpec {
  layers: number;
  dim: number;
  heads: number;
}

/** SPEC.md's sizes. Hybrids' attention blocks always use 8 heads. */
export const SIZES: Record<'transformer' | 'ssm', Record<SizeId, SizeSpec>> = {
  transformer: {
    tiny: { layers: 3, dim: 64, heads: 2 },
    small: { layers: 6, dim: 128, heads: 4 },
    paper: { layers: 12, dim: 256, heads: 8 },
  },
  ssm: {
    tiny: { layers: 6, dim: 64, heads: 8 },
    small: { layers: 12, dim: 128, heads: 8 },
    paper: { layers: 24, dim: 256, heads: 8 },
  },
};

export interface ModelShape {
  /** Token width d. */
  inDim: number;
  /** Read-out width: 1 for scalar targets, d for cot_io and vector_mqar. */
  outDim: number;
  /** Longest prompt the model will see (tokens). */
  maxTokens: number;
  /** The official config's n_positions for the task (src/tasks `nPositions`); it sizes the
   *  positional tables as the official code does, unused rows included. Without it, each
   *  table has maxTokens rows. */
  nPositions?: number;
}

/** Rows of GPT-2's wpe: GPT2Config(n_positions = 2 × n_positions), at least the prompt. */
export function gptPositionRows(shape: ModelShape): number {
  return shape.nPositions === undefined
    ? shape.maxTokens
    : 2 * Math.max(shape.nPositions, Math.ceil(shape.maxTokens / 2));
}

/** Rows of the standard hybrid's wpe: nn.Embedding(n_positions), at least the prompt. */
export function hybridPositionRows(shape: ModelShape): number {
  return Math.max(shape.nPositions ?? 0, shape.maxTokens);
}

export abstract class IclModel {
  readonly arena = new ParamArena();
  protected readIn: Linear;
  protected readOut!: Linear;

  constructor(
    readonly kind: ModelId,
    readonly size: SpecWithName,
    readonly shape: ModelShape,
  ) {
    this.readIn = new Linear(this.arena, '_read_in', shape.inDim, size.dim);
  }

  /** Called by subclasses after their backbone's parameters, so declaration order is the official one. */
  protected declareReadOut(): void {
    this.readOut = new Linear(this.arena, '_read_out', this.size.dim, this.shape.outDim);
  }

  protected abstract backbone(g: Graph, h: Tensor): Tensor;

  /** tokens (B, T, d) → read-out at every token (B, T, O). */
  forward(g: Graph, tokens: Tensor): Tensor {
    const h = this.readIn.forward(g, tokens); // (B, T, C)
    return this.readOut.forward(g, this.backbone(g, h)); // (B, T, O)
  }

  get parameterCount(): number {
    return this.arena.count;
  }
}

export type SpecWithName = SizeSpec & { name: SizeId };

/** GPT-2 (Garg et al.'s TransformerModel): learned positions, pre-LN blocks with MLP, final LN. */
export class Transformer extends IclModel {
  private wpe: ParamRef;
  private blocks: GptBlock[] = [];
  private lnF: LayerNorm;

  constructor(size: SpecWithName, shape: ModelShape) {
    super('transformer', size, shape);
    this.wpe = this.arena.declare('_backbone.wpe.weight', [gptPositionRows(shape), size.dim], {
      kind: 'normal',
      std: 0.02,
    });
    for (let i = 0; i < size.layers; i++)
      this.blocks.push(new GptBlock(this.arena, `_backbone.h.${i}`, size.dim, size.heads, size.layers));
    this.lnF = new LayerNorm(this.arena, '_backbone.ln_f', size.dim);
    this.declareReadOut();
  }

  protected backbone(g: Graph, h: Tensor): Tensor {
    let x = addPositional(h, g.param(this.wpe));
    for (const block of this.blocks) x = block.forward(g, x);
    return this.lnF.forward(g, x);
  }
}

/** A pre-LayerNorm residual block around one mixer: x = x + mixer(norm(x)). */
class ResidualBlock {
  private norm: LayerNorm;
  constructor(
    arena: ParamArena,
    prefix: string,
    dim: number,
    private mixer: { forward(g: Graph, x: Tensor, residual?: Tensor): Tensor },
  ) {
    this.norm = new LayerNorm(arena, `${prefix}.norm`, dim);
  }
  forward(g: Graph, x: Tensor): Tensor {
    // the mixer's last projection (out_proj, c_proj) adds x in its epilogue (no separate pass)
    return this.mixer.forward(g, this.norm.forward(g, x), x);
  }
}

type MixerKind = 'mamba' | 'attention';

/** Mamba, MambaFormer and the standard hybrid: MixerModel-style stacks of residual blocks. */
class MixerStack extends IclModel {
  private blocks: ResidualBlock[] = [];
  private normF: LayerNorm;
  private wpe: ParamRef | null;

  constructor(kind: ModelId, size: SpecWithName, shape: ModelShape, mixers: MixerKind[], positional: boolean) {
    super(kind, size, shape);
    // nn.Embedding's default N(0, 1): the official wpe sits outside the MixerModel whose init
    // would draw N(0, 0.02)
    this.wpe = positional
      ? this.arena.declare('wpe.weight', [hybridPositionRows(shape), size.dim], { kind: 'normal', std: 1 })
      : null;
    mixers.forEach((m, i) => {
      const prefix = `_backbone.layers.${i}`;
      // out_proj's init scale is 1/√n_layer, n_layer being the config's (MambaFormer's extra block not counted)
      const mixer =
        m === 'mamba'
          ? new MambaMixer(this.arena, `${prefix}.mixer`, size.dim, size.layers)
          : new CausalSelfAttention(this.arena, `${prefix}.mixer`, size.dim, size.heads);
      this.blocks.push(new ResidualBlock(this.arena, prefix, size.dim, mixer));
    });
    this.normF = new LayerNorm(this.arena, '_backbone.norm_f', size.dim);
    this.declareReadOut();
  }

  protected backbone(g: Graph, h: Tensor): Tensor {
    let x = this.wpe ? addPositional(h, g.param(this.wpe)) : h;
    for (const block of this.blocks) x = block.forward(g, x);
    return this.normF.forward(g, x);
  }
}

export class Mamba extends MixerStack {
  constructor(size: SpecWithName, shape: ModelShape) {
    super('mamba', size, shape, Array(size.layers).fill('mamba'), false);
  }
}

/** n layers of attention at even i and Mamba at odd i (mixed_attn's block order). */
const alternating = (n: number): MixerKind[] =>
  Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 'attention' : 'mamba'));

/** mixed_attn = "mambaformer": one extra Mamba block, then the n alternating ones (M, A, M, …, M
 *  for even n: n + 1 blocks); no positional embedding. */
export class MambaFormer extends MixerStack {
  constructor(size: SpecWithName, shape: ModelShape) {
    super('mambaformer', size, shape, ['mamba', ...alternating(size.layers)], false);
  }
}

/** mixed_attn = "standard": n alternating blocks, attention first, with a learned positional embedding. */
export class StandardHybrid extends MixerStack {
  constructor(size: SpecWithName, shape: ModelShape) {
    super('standard_hybrid', size, shape, alternating(size.layers), true);
  }
}

export function sizeSpec(model: ModelId, size: SizeId): SpecWithName {
  return { ...SIZES[model === 'transformer' ? 'transformer' : 'ssm'][size], name: size };
}

export function buildModel(model: ModelId, size: SizeId | SpecWithName, shape: ModelShape): IclModel {
  const spec = typeof size === 'string' ? sizeSpec(model, size) : size;
  switch (model) {
    case 'transformer':
      return new Transformer(spec, shape);
    case 'mamba':
      return new Mamba(spec, shape);
    case 'mambaformer':
      return new MambaFormer(spec, shape);
    case 'standard_hybrid':
      return new StandardHybrid(spec, shape);
  }
}
