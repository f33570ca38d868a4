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

/** A number flag, with a sentence when it is not one. */
export function numberFlag(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${name} must be a number, got "${value}".`);
  return n;
}
