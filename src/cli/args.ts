// Flag parsing for the CLI: node's parseArgs in strict mode, with errors turned into one
// sentence and exit status 2.
import { parseArgs, type ParseArgsConfig } from 'node:util';

export class UsageError extends Error {
  override name = 'UsageError';
}

export function parseFlags<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values;
  } catch (e) {
    const msg = (e as Error).message.replace(/\. To specify.*$/s, '');
    throw new UsageError(msg);
  }
}

/** A decimal number as people write one ("0.001", "-2", "1e-3", ".5"); not "0x10", " 7" or "Infinity". */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
/** An integer in plain digits: what an integer flag takes. */
const DIGITS = /^[+-]?\d+$/;

/** A number flag, with a sentence when it is not one. */
export function numberFlag(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!DECIMAL.test(value) || !Number.isFinite(n)) throw new UsageError(`--${name} must be a number, got "${value}".`);
  return n;
}

/**
 * An integer flag in plain decimal digits. JavaScript's Number() would read "0x10" as 16, "1e3"
 * as 1000 and " 7" as 7; a count of steps or a seed is refused in those forms rather than
 * guessed. `expected` names the range in the sentence ("an integer from 1 to 1000000").
 */
export function integerFlag(value: string | undefined, name: string, expected = 'an integer'): number | undefined {
  if (value === undefined) return undefined;
  if (DIGITS.test(value)) return Number(value);
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${name} must be a number, got "${value}".`);
  if (!Number.isInteger(n)) throw new UsageError(`--${name} must be ${expected}; got "${value}".`);
  throw new UsageError(`--${name} must be ${expected} written in plain digits; got "${value}".`);
}
