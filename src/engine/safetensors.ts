// The .safetensors checkpoint format, read and written by hand so that files from PyTorch's
// `safetensors` load here and ours load there:
//   [u64 little-endian N][N bytes of JSON header, padded with spaces][raw little-endian data]
// The header maps each tensor name to { dtype, shape, data_offsets: [begin, end] } (offsets
// into the data section) plus an optional "__metadata__" map of strings. Reading applies the
// checks of the reference implementation; every float dtype (and the integer ones) comes
// back as a Float32Array, and the file says which tensors were converted so that a caller
// can tell the user (F64 and the 64-bit integers lose precision in f32).

export interface SafetensorsTensor {
  shape: number[];
  /** The dtype stored in the file ("F32", "F16", "BF16", …); data is always f32. */
  dtype: string;
  data: Float32Array;
}

export interface SafetensorsFile {
  tensors: Map<string, SafetensorsTensor>;
  metadata: Record<string, string>;
  /** Every tensor stored in a dtype other than F32 (converted to f32 on reading), by name. */
  converted: { name: string; dtype: string }[];
}

export class SafetensorsError extends Error {
  override name = 'SafetensorsError';
}

/** The reference implementation's cap on the header (100 MB). */
export const MAX_HEADER_BYTES = 100_000_000;

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

// ---- writing ----

/** A safetensors file of f32 tensors, laid out as the reference writer does (sorted by name). */
export function writeSafetensors(
  tensors: { name: string; shape: number[]; data: Float32Array }[],
  metadata?: Record<string, string>,
): Uint8Array {
  const sorted = [...tensors].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  // The header is written entry by entry: the order is ours, and a tensor named "__proto__"
  // stays an ordinary key.
  const entries: [string, unknown][] = [];
  if (metadata && Object.keys(metadata).length > 0) {
    for (const [k, val] of Object.entries(metadata))
      if (typeof val !== 'string') throw new SafetensorsError(`Metadata "${k}" must be a string.`);
    entries.push(['__metadata__', metadata]);
  }
  const seen = new Set<string>();
  let offset = 0;
  for (const t of sorted) {
    if (t.name === '' || t.name === '__metadata__') throw new SafetensorsError(`"${t.name}" cannot be a tensor name.`);
    if (seen.has(t.name)) throw new SafetensorsError(`Tensor "${t.name}" appears twice.`);
    seen.add(t.name);
    if (!t.shape.every((d) => Number.isInteger(d) && d >= 0))
      throw new SafetensorsError(`Tensor "${t.name}" has an invalid shape [${t.shape}].`);
    const numel = t.shape.reduce((a, d) => a * d, 1);
    if (numel !== t.data.length)
      throw new SafetensorsError(
        `Tensor "${t.name}" has shape [${t.shape}] (${numel} values) but ${t.data.length} values.`,
      );
    entries.push([t.name, { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + 4 * numel] }]);
    offset += 4 * numel;
  }
  const json = '{' + entries.map(([k, val]) => `${JSON.stringify(k)}:${JSON.stringify(val)}`).join(',') + '}';
  const header = new TextEncoder().encode(json);
  // Pad with spaces so the data section starts 8-byte aligned, as the reference writer does.
  const n = header.length + ((8 - (header.length % 8)) % 8);
  const out = new Uint8Array(8 + n + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, n, true);
  view.setUint32(4, Math.floor(n / 2 ** 32), true);
  out.set(header, 8);
  out.fill(0x20, 8 + header.length, 8 + n);
  let at = 8 + n;
  for (const t of sorted) {
    if (LITTLE_ENDIAN) out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), at);
    else for (let i = 0; i < t.data.length; i++) view.setFloat32(at + 4 * i, t.data[i], true);
    at += t.data.byteLength;
  }
  return out;
}

// ---- reading ----

/** f16 bits → f32 value (IEEE 754 binary16: 1 sign, 5 exponent, 10 mantissa bits). */
export function f16ToF32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24; // zero and subnormals
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** bf16 bits → f32 value (the top half of an f32: 1 sign, 8 exponent, 7 mantissa bits). */
export function bf16ToF32(b: number): number {
  const sign = b & 0x8000 ? -1 : 1;
  const exp = (b >> 7) & 0xff;
  const frac = b & 0x7f;
  if (exp === 0) return sign * frac * 2 ** -133;
  if (exp === 255) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 128) * 2 ** (exp - 127);
}

type Decoder = (view: DataView, at: number) => number;

/** Bytes per element and a little-endian decoder for every dtype the lab reads. */
const DTYPES: Record<string, [number, Decoder]> = {
  F64: [8, (v, at) => v.getFloat64(at, true)],
  F32: [4, (v, at) => v.getFloat32(at, true)],
  F16: [2, (v, at) => f16ToF32(v.getUint16(at, true))],
  BF16: [2, (v, at) => bf16ToF32(v.getUint16(at, true))],
  I64: [8, (v, at) => Number(v.getBigInt64(at, true))],
  U64: [8, (v, at) => Number(v.getBigUint64(at, true))],
  I32: [4, (v, at) => v.getInt32(at, true)],
  U32: [4, (v, at) => v.getUint32(at, true)],
  I16: [2, (v, at) => v.getInt16(at, true)],
  U16: [2, (v, at) => v.getUint16(at, true)],
  I8: [1, (v, at) => v.getInt8(at)],
  U8: [1, (v, at) => v.getUint8(at)],
  BOOL: [1, (v, at) => (v.getUint8(at) ? 1 : 0)],
};

function decode(bytes: Uint8Array, begin: number, end: number, dtype: string): Float32Array {
  const [size, get] = DTYPES[dtype];
  const n = (end - begin) / size;
  // copy: aligned and detached from the file. Uint8Array's own slice, because a Node Buffer's
  // slice() is a view of the whole file, not a copy
  if (dtype === 'F32' && LITTLE_ENDIAN)
    return new Float32Array(Uint8Array.prototype.slice.call(bytes, begin, end).buffer);
  const view = new DataView(bytes.buffer, bytes.byteOffset + begin, end - begin);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = get(view, i * size);
  return out;
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Reads a .safetensors file; throws SafetensorsError with a sentence for a malformed one. */
export function readSafetensors(bytes: Uint8Array): SafetensorsFile {
  const bad = (why: string): never => {
    throw new SafetensorsError(`Not a valid .safetensors file: ${why}.`);
  };
  if (!(bytes instanceof Uint8Array)) bad('expected bytes');
  if (bytes.length < 8) bad(`it has ${bytes.length} bytes, fewer than the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lo = view.getUint32(0, true);
  const hi = view.getUint32(4, true);
  if (hi !== 0 || lo > MAX_HEADER_BYTES) bad('its header length is larger than 100 MB');
  if (8 + lo > bytes.length)
    bad(`its header claims ${lo} bytes but the file has only ${bytes.length - 8} after the length`);

  let header: unknown;
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + lo));
    if (!text.startsWith('{')) bad('its header does not start with "{"');
    header = JSON.parse(text);
  } catch (e) {
    if (e instanceof SafetensorsError) throw e;
    bad('its header is not valid JSON text');
  }
  if (!isRecord(header)) bad('its header is not a JSON object');
  const head = header as Record<string, unknown>;

  const metadata: [string, string][] = [];
  const meta = head.__metadata__;
  if (meta !== undefined) {
    if (!isRecord(meta)) bad('"__metadata__" is not an object');
    for (const [k, val] of Object.entries(meta as Record<string, unknown>)) {
      if (typeof val !== 'string') bad(`metadata "${k}" is not a string`);
      metadata.push([k, val as string]);
    }
  }

  const dataStart = 8 + lo;
  const dataLength = bytes.length - dataStart;
  const infos: { name: string; dtype: string; shape: number[]; begin: number; end: number }[] = [];
  for (const [name, info] of Object.entries(head)) {
    if (name === '__metadata__') continue;
    if (!isRecord(info)) bad(`the entry of tensor "${name}" is not an object`);
    const { dtype, shape, data_offsets: offsets } = info as Record<string, unknown>;
    if (typeof dtype !== 'string') bad(`tensor "${name}" has no dtype`);
    if (!Object.hasOwn(DTYPES, dtype as string))
      bad(`tensor "${name}" has dtype ${JSON.stringify(dtype)}, which the lab cannot read`);
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0))
      bad(`tensor "${name}" has an invalid shape`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0))
      bad(`tensor "${name}" has invalid data_offsets`);
    const [begin, end] = offsets as number[];
    const numel = (shape as number[]).reduce((a, d) => a * d, 1);
    if (end < begin || end > dataLength)
      bad(`tensor "${name}" has data_offsets [${begin}, ${end}] outside the ${dataLength}-byte data section`);
    if (numel * DTYPES[dtype as string][0] !== end - begin)
      bad(`tensor "${name}" has shape [${shape}] of ${dtype} but ${end - begin} bytes of data`);
    infos.push({ name, dtype: dtype as string, shape: shape as number[], begin, end });
  }

  // As the reference reader: tensors tile the data section exactly, with no gaps or overlaps.
  infos.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  for (const t of infos) {
    if (t.begin !== at)
      bad(`tensor "${t.name}" starts at byte ${t.begin} of the data, expected ${at} (overlap or gap)`);
    at = t.end;
  }
  if (at !== dataLength) bad(`its tensors cover ${at} bytes but the data section has ${dataLength}`);

  const tensors = new Map<string, SafetensorsTensor>();
  for (const t of infos)
    tensors.set(t.name, {
      shape: t.shape,
      dtype: t.dtype,
      data: decode(bytes, dataStart + t.begin, dataStart + t.end, t.dtype),
    });
  const converted = infos
    .filter((t) => t.dtype !== 'F32')
    .map(({ name, dtype }) => ({ name, dtype }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { tensors, metadata: Object.fromEntries(metadata), converted };
}
