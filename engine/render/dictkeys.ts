// Python dict keys that are not strings (`{True: 'running'}`, `{80: 'http'}`, YAML `400: x`):
// a dict is a JavaScript object, so the key is stored under its Python str() and its original
// value is kept in a side table, so that `.get(True)`, `items()`, printing and `|yaml` see the
// key as Python does.

const TYPED = new WeakMap<object, Map<string, unknown>>();

/** The property name a Python key is stored under. */
export function pyKey(k: unknown): string {
  if (k === true) return 'True';
  if (k === false) return 'False';
  if (k === null) return 'None';
  return String(k);
}

/** Sets `d[k] = v` keeping a non-string key's type. */
export function setTyped(d: Record<string, unknown>, k: unknown, v: unknown): void {
  const p = pyKey(k);
  d[p] = v;
  if (typeof k === 'number' || typeof k === 'boolean' || k === null) {
    let m = TYPED.get(d);
    if (!m) TYPED.set(d, (m = new Map()));
    m.set(p, k);
  } else TYPED.get(d)?.delete(p);
}

/** Records that property `p` of `d` holds the key `k` (a parsed YAML key). */
export function markTyped(d: object, p: string, k: unknown): void {
  let m = TYPED.get(d);
  if (!m) TYPED.set(d, (m = new Map()));
  m.set(p, k);
}

/** The Python key stored under property `p`. */
export function keyOf(d: object, p: string): unknown {
  const m = TYPED.get(d);
  return m && m.has(p) ? m.get(p) : p;
}

export function hasTypedKeys(d: object): boolean {
  return (TYPED.get(d)?.size ?? 0) > 0;
}

/** The dict's keys as Python sees them. */
export function dictKeys(d: Record<string, unknown>): unknown[] {
  const m = TYPED.get(d);
  return m ? Object.keys(d).map((p) => (m.has(p) ? m.get(p) : p)) : Object.keys(d);
}

/** Copies the typed keys of `from` onto `to` (dict copies keep key types). */
export function copyTyped(from: object, to: object): void {
  const m = TYPED.get(from);
  if (m) for (const [p, k] of m) if (Object.hasOwn(to, p)) markTyped(to, p, k);
}
