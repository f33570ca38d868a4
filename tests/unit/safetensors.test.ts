// safetensors: round trips, a file laid out byte by byte as PyTorch's `safetensors.save_file`
// writes it, dtype conversion, and malformed files giving SafetensorsError (never a crash).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bf16ToF32, f16ToF32, readSafetensors, SafetensorsError, writeSafetensors } from '../../src/engine/safetensors';

const ascii = (s: string) => Array.from(s, (c) => c.charCodeAt(0));
const u64 = (n: number) => [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, (n >> 24) & 0xff, 0, 0, 0, 0];

/** A file from a JSON header (padded with spaces to 8 bytes, as the reference writer does) and data bytes. */
function fileOf(header: string, data: number[]): Uint8Array {
  const padded = header + ' '.repeat((8 - (header.length % 8)) % 8);
  return new Uint8Array([...u64(padded.length), ...ascii(padded), ...data]);
}

// save_file({"_read_in.weight": torch.tensor([[1., 2.], [3., 4.], [5., 6.]]),
//            "_read_in.bias": torch.tensor([0.5, -0.5, 0.25])}, "m.safetensors", metadata={"format": "pt"})
const TORCH_HEADER =
  '{"__metadata__":{"format":"pt"},' +
  '"_read_in.bias":{"dtype":"F32","shape":[3],"data_offsets":[0,12]},' +
  '"_read_in.weight":{"dtype":"F32","shape":[3,2],"data_offsets":[12,36]}}';
// prettier-ignore
const TORCH_DATA = [
  0x00, 0x00, 0x00, 0x3f,  0x00, 0x00, 0x00, 0xbf,  0x00, 0x00, 0x80, 0x3e, // 0.5, -0.5, 0.25
  0x00, 0x00, 0x80, 0x3f,  0x00, 0x00, 0x00, 0x40,  0x00, 0x00, 0x40, 0x40, // 1, 2, 3
  0x00, 0x00, 0x80, 0x40,  0x00, 0x00, 0xa0, 0x40,  0x00, 0x00, 0xc0, 0x40, // 4, 5, 6
];

describe('safetensors', () => {
  it('reads a file as PyTorch writes it, and writes the same bytes', () => {
    const bytes = fileOf(TORCH_HEADER, TORCH_DATA);
    expect(TORCH_HEADER.length % 8).not.toBe(0); // so the padding is exercised
    expect((bytes.length - TORCH_DATA.length) % 8).toBe(0);
    const f = readSafetensors(bytes);
    expect(f.metadata).toEqual({ format: 'pt' });
    expect([...f.tensors.keys()]).toEqual(['_read_in.bias', '_read_in.weight']);
    expect(f.tensors.get('_read_in.weight')).toEqual({
      shape: [3, 2],
      dtype: 'F32',
      data: new Float32Array([1, 2, 3, 4, 5, 6]),
    });
    expect(f.tensors.get('_read_in.bias')!.data).toEqual(new Float32Array([0.5, -0.5, 0.25]));

    const ours = writeSafetensors(
      [
        { name: '_read_in.weight', shape: [3, 2], data: new Float32Array([1, 2, 3, 4, 5, 6]) },
        { name: '_read_in.bias', shape: [3], data: new Float32Array([0.5, -0.5, 0.25]) },
      ],
      { format: 'pt' },
    );
    expect(ours).toEqual(bytes);
  });

  it('round-trips random tensors, scalars, empty tensors and odd names', () => {
    const tensor = fc.record({
      name: fc.string({ minLength: 1, maxLength: 20 }).filter((s) => s !== '__metadata__'),
      shape: fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 }),
      seed: fc.integer(),
    });
    fc.assert(
      fc.property(
        fc.uniqueArray(tensor, { selector: (t) => t.name, maxLength: 6 }),
        fc.dictionary(fc.string(), fc.string()),
        (specs, metadata) => {
          const tensors = specs.map((s) => {
            const n = s.shape.reduce((a, d) => a * d, 1);
            return {
              name: s.name,
              shape: s.shape,
              data: new Float32Array(Array.from({ length: n }, (_, i) => Math.fround(Math.sin(s.seed + i) * 1e3))),
            };
          });
          const f = readSafetensors(writeSafetensors(tensors, metadata));
          expect(f.metadata).toEqual(Object.keys(metadata).length ? metadata : {});
          expect(f.tensors.size).toBe(tensors.length);
          for (const t of tensors)
            expect(f.tensors.get(t.name)).toEqual({ shape: t.shape, dtype: 'F32', data: t.data });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('reads data that is not 4-byte aligned in memory', () => {
    const file = writeSafetensors([{ name: 'w', shape: [2], data: new Float32Array([1.5, -2]) }]);
    const shifted = new Uint8Array(file.length + 1);
    shifted.set(file, 1);
    expect(readSafetensors(shifted.subarray(1)).tensors.get('w')!.data).toEqual(new Float32Array([1.5, -2]));
  });

  it('converts F16, BF16, F64 and integer tensors to f32', () => {
    // prettier-ignore
    const data = [
      0x00, 0x3c,  0x00, 0xc0,  0xff, 0x7b,  0x01, 0x00,  0x00, 0x7c,  0x00, 0x7e, // F16: 1, -2, 65504, 2^-24, inf, NaN
      0x80, 0x3f,  0x49, 0xc0, // BF16: 1, -3.140625
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xf8, 0x3f, // F64: 1.5
      0xfd, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, // I64: -3
      0x01, 0x00, // BOOL: true, false
    ];
    const header =
      '{"h":{"dtype":"F16","shape":[6],"data_offsets":[0,12]},' +
      '"b":{"dtype":"BF16","shape":[2],"data_offsets":[12,16]},' +
      '"d":{"dtype":"F64","shape":[],"data_offsets":[16,24]},' +
      '"i":{"dtype":"I64","shape":[1],"data_offsets":[24,32]},' +
      '"m":{"dtype":"BOOL","shape":[2],"data_offsets":[32,34]}}';
    const f = readSafetensors(fileOf(header, data));
    expect(f.metadata).toEqual({});
    expect(Array.from(f.tensors.get('h')!.data)).toEqual([1, -2, 65504, 2 ** -24, Infinity, NaN]);
    expect(f.tensors.get('h')!.dtype).toBe('F16');
    expect(Array.from(f.tensors.get('b')!.data)).toEqual([1, -3.140625]);
    expect(f.tensors.get('d')).toEqual({ shape: [], dtype: 'F64', data: new Float32Array([1.5]) });
    expect(Array.from(f.tensors.get('i')!.data)).toEqual([-3]);
    expect(Array.from(f.tensors.get('m')!.data)).toEqual([1, 0]);
    // every converted tensor is named with the dtype it was stored in, not only the first
    expect(f.converted).toEqual([
      { name: 'b', dtype: 'BF16' },
      { name: 'd', dtype: 'F64' },
      { name: 'h', dtype: 'F16' },
      { name: 'i', dtype: 'I64' },
      { name: 'm', dtype: 'BOOL' },
    ]);
  });

  it('lists no conversion for a file of f32 tensors, and only the tensors not stored as F32', () => {
    const f32 = readSafetensors(writeSafetensors([{ name: 'w', shape: [2], data: Float32Array.of(1, 2) }]));
    expect(f32.converted).toEqual([]);
    const header =
      '{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"n":{"dtype":"I32","shape":[1],"data_offsets":[4,8]}}';
    const mixed = readSafetensors(fileOf(header, [0, 0, 0x80, 0x3f, 7, 0, 0, 0]));
    expect(mixed.converted).toEqual([{ name: 'n', dtype: 'I32' }]);
    expect(Array.from(mixed.tensors.get('n')!.data)).toEqual([7]);
    expect(mixed.tensors.get('w')!.dtype).toBe('F32');
  });

  it('converts every f16 and bf16 bit pattern exactly', () => {
    const scratch = new DataView(new ArrayBuffer(4));
    const wrong: number[] = [];
    for (let h = 0; h < 65536; h++) {
      scratch.setUint32(0, h << 16);
      const want = scratch.getFloat32(0);
      if (!Object.is(bf16ToF32(h), want) && !(Number.isNaN(want) && Number.isNaN(bf16ToF32(h)))) wrong.push(h);
      const x = f16ToF32(h);
      const isNaN16 = ((h >> 10) & 31) === 31 && (h & 0x3ff) !== 0;
      // every f16 is exactly an f32
      if (isNaN16 !== Number.isNaN(x) || (!isNaN16 && Math.fround(x) !== x)) wrong.push(h);
    }
    expect(wrong).toEqual([]);
    expect(f16ToF32(0x3555)).toBeCloseTo(1 / 3, 3);
    expect(Object.is(f16ToF32(0x8000), -0)).toBe(true);
  });

  it.each<[string, Uint8Array, string]>([
    ['too short', new Uint8Array([1, 0, 0]), 'fewer than the 8-byte header length'],
    ['header length past the end', new Uint8Array([...u64(100), ...ascii('{}      ')]), 'its header claims 100 bytes'],
    ['header length over 100 MB', new Uint8Array([0, 0, 0, 0x10, 0, 0, 0, 0, ...ascii('{}')]), 'larger than 100 MB'],
    ['header length over 2^32', new Uint8Array([8, 0, 0, 0, 1, 0, 0, 0, ...ascii('{}      ')]), 'larger than 100 MB'],
    ['header not JSON', fileOf('{"a":', []), 'not valid JSON'],
    ['header not starting with {', fileOf('[1,2]', []), 'does not start with "{"'],
    ['header not UTF-8', new Uint8Array([...u64(8), 0x7b, 0xff, 0x7d, 32, 32, 32, 32, 32]), 'not valid JSON'],
    ['metadata not strings', fileOf('{"__metadata__":{"a":1}}', []), 'metadata "a" is not a string'],
    ['entry not an object', fileOf('{"w":3}', []), 'tensor "w" is not an object'],
    ['no dtype', fileOf('{"w":{"shape":[1],"data_offsets":[0,4]}}', [0, 0, 0, 0]), 'has no dtype'],
    [
      'unknown dtype',
      fileOf('{"w":{"dtype":"F8_E4M3","shape":[1],"data_offsets":[0,1]}}', [0]),
      'which the lab cannot read',
    ],
    [
      'negative shape',
      fileOf('{"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}', [0, 0, 0, 0]),
      'invalid shape',
    ],
    [
      'offsets not a pair',
      fileOf('{"w":{"dtype":"F32","shape":[1],"data_offsets":[0]}}', [0, 0, 0, 0]),
      'invalid data_offsets',
    ],
    [
      'offsets past the end',
      fileOf('{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}', [0, 0, 0, 0]),
      'outside the 4-byte data section',
    ],
    [
      'size mismatch',
      fileOf('{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}', [0, 0, 0, 0]),
      'has shape [2] of F32 but 4 bytes',
    ],
    [
      'overlap',
      fileOf(
        '{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}',
        [0, 0, 0, 0],
      ),
      'overlap or gap',
    ],
    [
      'gap',
      fileOf('{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}', [0, 0, 0, 0, 0, 0, 0, 0]),
      'overlap or gap',
    ],
    [
      'trailing bytes',
      fileOf('{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', [0, 0, 0, 0, 9]),
      'cover 4 bytes but the data section has 5',
    ],
  ])('rejects a file with %s', (_, bytes, message) => {
    expect(() => readSafetensors(bytes)).toThrow(SafetensorsError);
    expect(() => readSafetensors(bytes)).toThrow(message);
  });

  it('rejects bad tensors when writing', () => {
    const t = (name: string, shape: number[], n: number) => ({ name, shape, data: new Float32Array(n) });
    expect(() => writeSafetensors([t('a', [2, 2], 3)])).toThrow('has shape [2,2] (4 values) but 3 values');
    expect(() => writeSafetensors([t('a', [1], 1), t('a', [1], 1)])).toThrow('appears twice');
    expect(() => writeSafetensors([t('__metadata__', [1], 1)])).toThrow('cannot be a tensor name');
    expect(() => writeSafetensors([t('a', [1.5], 1)])).toThrow('invalid shape');
  });

  it('gives SafetensorsError or a valid result for damaged files, never another error', () => {
    const file = writeSafetensors(
      [
        { name: 'a', shape: [3], data: new Float32Array([1, 2, 3]) },
        { name: 'b', shape: [2, 2], data: new Float32Array([4, 5, 6, 7]) },
      ],
      { format: 'pt' },
    );
    const check = (bytes: Uint8Array) => {
      try {
        readSafetensors(bytes);
      } catch (e) {
        expect(e).toBeInstanceOf(SafetensorsError);
      }
    };
    fc.assert(
      fc.property(
        fc.array(fc.record({ at: fc.nat({ max: file.length - 1 }), byte: fc.integer({ min: 0, max: 255 }) }), {
          minLength: 1,
          maxLength: 4,
        }),
        fc.nat({ max: file.length }),
        (edits, cut) => {
          const bytes = file.slice();
          for (const e of edits) bytes[e.at] = e.byte;
          check(bytes);
          check(bytes.subarray(0, cut));
        },
      ),
      { numRuns: 2000 },
    );
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), check), { numRuns: 1000 });
  });
});

describe('Node Buffers', () => {
  it('reads a file given as a Buffer (readFileSync) at a non-zero offset', () => {
    const bytes = writeSafetensors([
      { name: 'a', shape: [2], data: Float32Array.of(1, 2) },
      { name: 'b', shape: [3], data: Float32Array.of(3, 4, 5) },
    ]);
    const buf = Buffer.from(bytes);
    const file = readSafetensors(buf);
    expect([...file.tensors.get('b')!.data]).toEqual([3, 4, 5]);
    expect(file.tensors.get('a')!.data.length).toBe(2);
  });
});
