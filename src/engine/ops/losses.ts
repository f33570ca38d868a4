// Training losses, composed from elementwise ops and sums (each already checked against its
// reference and finite differences), so their gradients come for free:
//   masked MSE:      L = Σ mask·(pred − target)² · invCount
//   masked logistic: L = Σ mask·softplus(−target·pred) · invCount   (targets ±1)
// invCount = 1 / Σ mask is a one-element input written with the batch, because the number
// of scored positions changes from batch to batch (outlier tasks).
import type { Tensor } from '../tensor';
import { assertShape } from '../tensor';
import { mul, scale, softplus, sub } from './elementwise';
import { sumCols } from './reduce';

/** pred, target, mask: same shape (B, T, O); invCount: (1). Returns the scalar loss (1). */
export function maskedMse(pred: Tensor, target: Tensor, mask: Tensor, invCount: Tensor): Tensor {
  assertShape(target, pred.shape, 'maskedMse target');
  assertShape(mask, pred.shape, 'maskedMse mask');
  const diff = sub(pred, target);
  const total = sumCols(mul(mul(diff, diff), mask), pred.size); // (1)
  return mul(total, invCount);
}

export function maskedLogistic(pred: Tensor, target: Tensor, mask: Tensor, invCount: Tensor): Tensor {
  assertShape(target, pred.shape, 'maskedLogistic target');
  assertShape(mask, pred.shape, 'maskedLogistic mask');
  const margin = scale(mul(pred, target), -1);
  const total = sumCols(mul(softplus(margin), mask), pred.size); // (1)
  return mul(total, invCount);
}

// ---- CPU reference ----------------------------------------------------------------------

type Arr = ArrayLike<number>;

export function maskedMseRef(pred: Arr, target: Arr, mask: Arr): number {
  let s = 0;
  let n = 0;
  for (let i = 0; i < pred.length; i++) {
    s += mask[i] * (pred[i] - target[i]) ** 2;
    n += mask[i];
  }
  return s / n;
}

export function maskedLogisticRef(pred: Arr, target: Arr, mask: Arr): number {
  let s = 0;
  let n = 0;
  for (let i = 0; i < pred.length; i++) {
    const m = -target[i] * pred[i];
    s += mask[i] * (m > 20 ? m : Math.log1p(Math.exp(m)));
    n += mask[i];
  }
  return s / n;
}

export function invCountOf(mask: Arr): Float32Array {
  let n = 0;
  for (let i = 0; i < mask.length; i++) n += mask[i];
  return Float32Array.of(n > 0 ? 1 / n : 0);
}
