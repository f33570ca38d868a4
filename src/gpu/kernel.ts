// What a compute kernel is, as the engine sees it: WGSL text, one entry point, its bindings
// by name in @binding order (all in @group(0)), and its constants. A kernel's constants reach
// its WGSL one way: as pipeline overrides (`constants`), or, where a constant sizes an inner
// array (which an override cannot), as a generated prelude of `const` lines (`prelude`).

export type BindingKind = 'uniform' | 'read' | 'rw';

/** Bindings by WGSL variable name, in @binding order: { p: 'uniform', x: 'read', out: 'rw' }.
 *  A binding that an entry point reads as vec4s may be named `<name>4` in the WGSL (another
 *  entry point of the same file views it as scalars). */
export type BindingDecl = Readonly<Record<string, BindingKind>>;

/** The names of a declaration's storage bindings (the uniform comes as the dispatch's params). */
export type TensorNames<B extends BindingDecl> = {
  [K in keyof B & string]: B[K] extends 'uniform' ? never : K;
}[keyof B & string];

/** One WGSL entry point and its bindings, declared once next to the op that dispatches it;
 *  tests/unit/bindings.test.ts checks every declaration against the WGSL it names. */
export interface EntryPoint<B extends BindingDecl = BindingDecl> {
  readonly source: string;
  readonly entryPoint: string;
  readonly bindings: B;
}

export function entryPoint<const B extends BindingDecl>(source: string, name: string, bindings: B): EntryPoint<B> {
  return { source, entryPoint: name, bindings };
}

export type Prelude = Readonly<Record<string, number | boolean>>;

export interface KernelDef {
  /** Unique, readable name: shows in labels, errors and benchmarks. */
  name: string;
  /** WGSL source (loaded from shaders/ with `?raw`). */
  source: string;
  entryPoint?: string;
  /** Binding kinds in @binding order: binding i of group 0 is bindings[i]. */
  bindings: readonly BindingKind[];
  /** WGSL `override` constants, e.g. { WG: 256, TILE: 64 }. */
  constants?: Record<string, number>;
  /** `const` declarations put before the source: numbers as u32, booleans as bool. */
  prelude?: Prelude;
  /** Slow to compile (large unrolled loops: the register-tiled products, attention, the
   *  scan): GpuContext.preparePipelines starts these first. */
  heavy?: boolean;
}

/** A kernel made from a declared entry point: it orders a dispatch's tensors by name. */
export interface Kernel<B extends BindingDecl> extends KernelDef {
  /** The storage bindings' resources in @binding order, from an object keyed by their names. */
  bind<T>(named: Record<TensorNames<B>, T>): T[];
}

export interface KernelOptions {
  constants?: Record<string, number>;
  prelude?: Prelude;
  heavy?: boolean;
}

export function kernel<B extends BindingDecl>(ep: EntryPoint<B>, name: string, opts: KernelOptions = {}): Kernel<B> {
  const names = Object.keys(ep.bindings).filter((n) => ep.bindings[n] !== 'uniform');
  return {
    name,
    source: ep.source,
    entryPoint: ep.entryPoint,
    bindings: Object.values(ep.bindings),
    ...opts,
    bind<T>(named: Record<TensorNames<B>, T>): T[] {
      const given = named as Record<string, T>;
      const extra = Object.keys(given).filter((n) => !names.includes(n));
      const missing = names.filter((n) => given[n] === undefined);
      if (extra.length || missing.length) {
        throw new Error(
          `${name}: the kernel binds ${names.join(', ')}; ` +
            `${missing.length ? `missing ${missing.join(', ')}` : `unknown ${extra.join(', ')}`}`,
        );
      }
      return names.map((n) => given[n]);
    },
  };
}

/** The WGSL a pipeline compiles: the prelude's `const` lines, then the source. */
export function kernelSource(k: Pick<KernelDef, 'source' | 'prelude'>): string {
  if (!k.prelude) return k.source;
  const line = ([name, v]: [string, number | boolean]) => {
    if (typeof v === 'boolean') return `const ${name}: bool = ${v};\n`;
    if (!Number.isInteger(v) || v < 0) throw new Error(`prelude ${name}: expected a u32 or a bool, got ${v}`);
    return `const ${name}: u32 = ${v}u;\n`;
  };
  return Object.entries(k.prelude).map(line).join('') + k.source;
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
        if (typeof v !== 'number' || Number.isNaN(v))
          throw new Error(`${wgslName}.${name}: expected a number, got ${v}`);
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
