// How the selective scan splits a batch into chunks when one binding would pass the adapter's
// limits: the prompts per dispatch, each chunk starting at an aligned offset.
import { fmtBytes } from '../../gpu/context';

/**
 * Prompts per dispatch: all B when each binding fits in maxBytes, else as few chunks as fit,
 * of about equal size, each a multiple of `step` prompts (so that every chunk's views start
 * at an aligned offset). One dispatch per kernel where it fits keeps the normal sizes as fast
 * as before; the saved states of long prompts (many-outlier regression, 1024 tokens) pass
 * WebGPU's default 128 MiB otherwise.
 */
export function promptsPerDispatch(B: number, bytesPerPrompt: number, maxBytes: number, step: number): number {
  if (B * bytesPerPrompt <= maxBytes) return B;
  const fit = Math.floor(maxBytes / bytesPerPrompt / step) * step;
  if (fit < 1) {
    throw new Error(
      `The selective scan needs ${fmtBytes(bytesPerPrompt * step)} in one binding for ` +
        `${step === 1 ? 'one prompt' : `${step} prompts (offset alignment)`}; this GPU binds at most ` +
        `${fmtBytes(maxBytes)}.`,
    );
  }
  const chunks = Math.ceil(B / fit);
  return Math.ceil(B / chunks / step) * step; // ≤ fit, since fit is a multiple of step
}

/** Prompts whose rows of `rowBytes` bytes span a multiple of `align` bytes. */
export const alignedPrompts = (rowBytes: number, align: number) => align / gcd(rowBytes, align);
const gcd = (a: number, b: number): number => (b ? gcd(b, a % b) : a);
