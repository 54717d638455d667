// Canonical JSON for digests: object keys sorted, Maps and Sets as sorted entries, bytes as text
// (or base64 when not UTF-8), undefined and functions left out, cycles cut. The same value gives
// the same text in every run, whatever the order its keys were built in.
import { isUtf8 } from 'node:buffer';

export function canonicalJson(value: unknown): string {
  return JSON.stringify(normalize(value, new Set()));
}

function normalize(v: unknown, seen: Set<object>): unknown {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
  if (typeof v === 'bigint') return `${v}n`;
  if (v === undefined || typeof v === 'function' || typeof v === 'symbol') return undefined;
  if (Buffer.isBuffer(v) || v instanceof Uint8Array) {
    const b = Buffer.from(v);
    return isUtf8(b) ? { $text: b.toString('utf8') } : { $base64: b.toString('base64') };
  }
  if (v instanceof Date) return v.toISOString();
  if (v instanceof RegExp) return String(v);
  const o = v as object;
  if (seen.has(o)) return '[cycle]';
  seen.add(o);
  try {
    if (Array.isArray(o)) return o.map((x) => normalize(x, seen) ?? null);
    if (o instanceof Map) return { $map: sortPairs([...o].map(([k, x]) => [canonicalJson(k), normalize(x, seen)])) };
    if (o instanceof Set) return { $set: [...o].map((x) => canonicalJson(x)).sort() };
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(o).sort()) {
      const x = normalize((o as Record<string, unknown>)[k], seen);
      if (x !== undefined) out[k] = x;
    }
    return out;
  } finally {
    seen.delete(o);
  }
}

function sortPairs(pairs: Array<[string, unknown]>): Array<[string, unknown]> {
  return pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}
