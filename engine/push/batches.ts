// Rolling pushes: `--batch N|N%` splits the targets into batches in the order given, `--max-fail
// N|N%` is how many hosts may fail (percent of all targets) before no further batch starts.
import { UsageError } from '../errors.js';

export type Amount = { n: number; percent: boolean };

/** 'N' or 'N%' (N a positive integer; for --max-fail, 0 too). */
export function parseAmount(flag: string, v: string, o: { zero?: boolean } = {}): Amount {
  const m = /^(\d+)(%?)$/.exec(v.trim());
  const n = m ? Number(m[1]) : NaN;
  const min = o.zero ? 0 : 1;
  if (!m || n < min || (m[2] && n > 100)) {
    throw new UsageError(
      `${flag} must be a ${o.zero ? 'whole number' : 'positive integer'} or a percentage (N or N%), got '${v}'`,
    );
  }
  return { n, percent: m[2] === '%' };
}

/** Hosts per batch: N, or N% of the targets rounded up, at least 1, at most all of them. */
export function batchSize(a: Amount, total: number): number {
  return Math.max(1, Math.min(total, a.percent ? Math.ceil((total * a.n) / 100) : a.n));
}

/** Failures the rollout tolerates: N, or N% of the targets rounded down. */
export function failBudget(a: Amount, total: number): number {
  return a.percent ? Math.floor((total * a.n) / 100) : a.n;
}

export function splitBatches<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
