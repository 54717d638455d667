// Parsers for the CLI's numeric options: digits only, so '', ' ', '0x10', '1e2' and '1.0' are
// refused with the flag's name instead of read as 0, 16, 100 or 1 by Number().
import { UsageError } from '../../engine/errors.js';

const digits = (v: string): number | undefined => (/^\d{1,9}$/.test(v) ? Number(v) : undefined);

/** A whole number >= 1 (`--parallel`, `--concurrency`, timeouts that cannot be 0). */
export function positiveInt(flag: string) {
  return (v: string): number => {
    const n = digits(v);
    if (n === undefined || n < 1) throw new UsageError(`${flag} must be a positive integer, got '${v}'`);
    return n;
  };
}

/** A whole number of seconds, 0 allowed (`--lock-timeout 0`: refuse at once). */
export function seconds(flag: string) {
  return (v: string): number => {
    const n = digits(v);
    if (n === undefined) throw new UsageError(`${flag} must be a whole number of seconds, got '${v}'`);
    return n;
  };
}
