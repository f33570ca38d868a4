// The elementwise kernels' declarations (shaders/elementwise.wgsl): entry points, op codes and
// uniforms. Shared by the differentiable ops (elementwise.ts) and the untaped gradient sum
// (grad.ts), which must not depend on each other.
import source from '../../../shaders/elementwise.wgsl?raw';
import { entryPoint, kernel, uniformStruct } from '../../gpu/kernel';

export const ElementwiseParams = uniformStruct('Params', { n: 'u32', nb: 'u32', alpha: 'f32', _pad: 'u32' });
export const WG = 256;

export const UNARY_OPS = { gelu: 0, silu: 1, softplus: 2, exp: 3, scale: 4, relu: 5 } as const;
export type UnaryOp = keyof typeof UNARY_OPS;
export const BINARY_OPS = { add: 0, mul: 1, sub: 2 } as const;
export type BinaryOp = keyof typeof BINARY_OPS;

const UNARY = entryPoint(source, 'unary', { p: 'uniform', ux: 'read', uout: 'rw' });
const UNARY_BACKWARD = entryPoint(source, 'unary_backward', { p: 'uniform', bx: 'read', bdy: 'read', bdx: 'rw' });
const BINARY = entryPoint(source, 'binary', { p: 'uniform', ba: 'read', bb: 'read', bout: 'rw' });
const FILL = entryPoint(source, 'fill', { p: 'uniform', fout: 'rw' });
export const ENTRY_POINTS = [UNARY, UNARY_BACKWARD, BINARY, FILL];

export const unaryKernel = (op: UnaryOp) => kernel(UNARY, `unary_${op}`, { constants: { WG, OP: UNARY_OPS[op] } });
export const unaryBackwardKernel = (op: UnaryOp) =>
  kernel(UNARY_BACKWARD, `unary_${op}_backward`, { constants: { WG, OP: UNARY_OPS[op] } });
export const binaryKernel = (op: BinaryOp) => kernel(BINARY, `binary_${op}`, { constants: { WG, OP: BINARY_OPS[op] } });
export const fillKernel = kernel(FILL, 'fill', { constants: { WG, OP: 0 } });

export function pack(n: number, nb = 1, alpha = 0): ArrayBuffer {
  return ElementwiseParams.pack({ n, nb, alpha, _pad: 0 });
}
