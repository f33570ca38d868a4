// The best prediction that ignores the examples, for sparse parity (the lab's addition to
// SPEC.md's baselines; SPEC compares parity with chance only). y is the product of k of the
// query's coordinates, the k drawn uniformly per prompt; without the examples the best guess is
// the sign of E_S[Π_{i∈S} xᵢ] = e_k(x) / C(d, k), e_k the elementary symmetric polynomial.
// At d 6, k 2 it is right 59.4% of the time (0.59375 over all x and pairs), not 50%: a model
// whose accuracy sits there learned the prior, not from the prompt.
import { PARITY_K } from '../tasks/parity';
import { row, type PromptData } from './prompt';

/** e_k of x (the sum of the products of its k-subsets), by the recurrence over coordinates. */
export function elementarySymmetric(x: ArrayLike<number>, k: number): number {
  const e = new Float64Array(k + 1); // e[j] of the coordinates seen so far
  e[0] = 1;
  for (let i = 0; i < x.length; i++) for (let j = Math.min(k, i + 1); j >= 1; j--) e[j] += x[i] * e[j - 1];
  return e[k];
}

/** At every asked position, the sign of e_k of the query (0 on a tie), from no example at all. */
export function contextFree(p: PromptData, positions?: readonly number[]): Float64Array {
  const out = new Float64Array(p.n).fill(NaN); // (n)
  for (const i of positions ?? Array.from({ length: p.n }, (_, j) => j)) {
    out[i] = Math.sign(elementarySymmetric(row(p, i), PARITY_K));
  }
  return out;
}
