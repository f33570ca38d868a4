// What a compute kernel is, as the engine sees it: WGSL text, its bindings in @binding
// order (all in @group(0)), and override constants (workgroup and tile sizes) substituted
// at pipeline creation, the one place they are set.

export type BindingKind = 'uniform' | 'read' | 'rw';

export interface KernelDef {
  /** Unique, readable name: shows in labels, errors and benchmarks. */
  name: string;
  /** WGSL source (loaded from shaders/ with `?raw`). */
  source: string;
  entryPoint?: string;
  /** Binding kinds in @binding order: binding i of group 0 is bindings[i]. */
  bindings: BindingKind[];
  /** WGSL `override` constants, e.g. { WG: 256, TILE: 64 }. */
  constants?: Record<string, number>;
  /** Slow to compile (large unrolled loops: the register-tiled products, attention, the
   *  scan): GpuContext.preparePipelines starts these first. */
  heavy?: boolean;
}

export type WgslScalar = 'u32' | 'i32' | 'f32';

/**
 * A typed packer for one WGSL uniform struct. Fields are scalars of 4 bytes, in the WGSL
 * declaration order; tests check each struct against the WGSL source it describes.
 */
export interface UniformStruct<K extends string> {
  readonly wgslName: string;
  readonly fields: ReadonlyArray<readonly [K, WgslScalar]>;
  /** Byte size rounded up to 16 (uniform buffer layout). */
  readonly byteSize: number;
  pack(values: Record<K, number>): ArrayBuffer;
}

export function uniformStruct<K extends string>(wgslName: string, fields: Record<K, WgslScalar>): UniformStruct<K> {
  const entries = Object.entries(fields) as [K, WgslScalar][];
  const byteSize = Math.max(16, Math.ceil((entries.length * 4) / 16) * 16);
  return {
    wgslName,
    fields: entries,
    byteSize,
    pack(values) {
      const buf = new ArrayBuffer(byteSize);
      const view = new DataView(buf);
      entries.forEach(([name, type], i) => {
        const v = values[name];
        if (typeof v !== 'number' || Number.isNaN(v)) throw new Error(`${wgslName}.${name}: expected a number, got ${v}`);
        if (type === 'f32') view.setFloat32(i * 4, v, true);
        else if (type === 'u32') {
          if (!Number.isInteger(v) || v < 0) throw new Error(`${wgslName}.${name}: expected a u32, got ${v}`);
          view.setUint32(i * 4, v, true);
        } else view.setInt32(i * 4, v, true);
      });
      return buf;
    },
  };
}

/** Workgroup grid for n invocations in 1-D groups of `wg`, folded into y past the 65535 limit. */
export function grid1d(n: number, wg: number, maxPerDim = 65535): [number, number, number] {
  const groups = Math.max(1, Math.ceil(n / wg));
  if (groups <= maxPerDim) return [groups, 1, 1];
  const y = Math.ceil(groups / maxPerDim);
  return [Math.ceil(groups / y), y, 1];
}
