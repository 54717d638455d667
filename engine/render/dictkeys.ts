// Python dict keys that are not strings (`{True: 'running'}`, `{80: 'http'}`, YAML `400: x`):
// a dict is a JavaScript object, so the key is stored under its Python str() and its original
// value is kept in a side table, so that `.get(True)`, `items()`, printing and `|yaml` see the
// key as Python does.

const TYPED = new WeakMap<object, Map<string, unknown>>();
/** Insertion order of dicts with integer-like keys (JavaScript lists those first, ascending). */
const ORDER = new WeakMap<object, string[]>();
const INDEX_LIKE = /^(?:0|[1-9]\d{0,8})$/;

/** The dict's property names in Python's (insertion) order. */
export function orderedProps(d: object): string[] {
  const own = Object.keys(d);
  const order = ORDER.get(d);
  if (!order) return own;
  const have = new Set(own);
  const out = order.filter((p) => have.has(p));
  const seen = new Set(out);
  for (const p of own) if (!seen.has(p)) out.push(p);
  return out;
}

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
  if (!Object.hasOwn(d, p) && (ORDER.has(d) || INDEX_LIKE.test(p))) {
    const order = ORDER.get(d) ?? orderedProps(d);
    order.push(p);
    ORDER.set(d, order);
  }
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
  const props = orderedProps(d);
  return m ? props.map((p) => (m.has(p) ? m.get(p) : p)) : props;
}

/** (key, value) pairs in Python's order, keys typed. */
export function dictEntries(d: Record<string, unknown>): Array<[unknown, unknown]> {
  return orderedProps(d).map((p) => [keyOf(d, p), d[p]]);
}

/** Copies the typed keys and order of `from` onto its full copy `to`. */
export function copyTyped(from: object, to: object): void {
  const m = TYPED.get(from);
  if (m) for (const [p, k] of m) if (Object.hasOwn(to, p)) markTyped(to, p, k);
  if (ORDER.has(from)) ORDER.set(to, orderedProps(from));
}

/** Python's sorted() on dict keys: None if the keys cannot be compared (int vs str). */
export function pySorted(keys: unknown[]): unknown[] | null {
  const kind = (k: unknown) =>
    typeof k === 'number' || typeof k === 'boolean' ? 'n' : typeof k === 'string' ? 's' : 'x';
  const kinds = new Set(keys.map(kind));
  if (kinds.has('x') ? keys.length > 1 : kinds.size > 1) return null;
  return [...keys].sort((a, b) =>
    kind(a) === 'n' ? Number(a) - Number(b) : String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0,
  );
}

/**
 * The form serialisers get: every dict a Map (its keys keep their type), sorted like PyYAML's
 * sort_keys (which keeps insertion order when the keys cannot be compared).
 */
export function toSerialisable(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(toSerialisable);
  if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    const entries = dictEntries(v as Record<string, unknown>);
    const order = pySorted(entries.map(([k]) => k));
    const byKey = new Map(entries);
    const keys = order ?? entries.map(([k]) => k);
    return new Map(keys.map((k) => [k, toSerialisable(byKey.get(k))]));
  }
  return v;
}

/** A deep copy of plain data (maps, lists, scalars) that keeps typed keys. */
export function cloneData<T>(v: T): T {
  if (Array.isArray(v)) return v.map((x) => cloneData(x)) as T;
  if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = cloneData(x);
    copyTyped(v, out);
    return out as T;
  }
  return v;
}

/** Parsed YAML with maps as Maps (yaml's mapAsMap) -> plain dicts whose non-string keys keep type and order. */
export function fromYamlMaps(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(fromYamlMaps);
  if (v instanceof Map) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of v)
      setTyped(out, k === undefined || (typeof k === 'object' && k !== null) ? String(k) : k, fromYamlMaps(x));
    return out;
  }
  return v;
}

/**
 * Python's nested dict merge of the pillar: maps merged key by key (key order kept, new keys last), anything else
 * replaced; inputs untouched.
 */
export function mergeData(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out = cloneData(a);
  for (const [k, v] of dictEntries(b)) {
    const p = pyKey(k);
    const cur = out[p];
    const plain = (x: unknown): x is Record<string, unknown> =>
      x !== null && typeof x === 'object' && Object.getPrototypeOf(x) === Object.prototype;
    setTyped(out, k, plain(cur) && plain(v) ? mergeData(cur, v) : cloneData(v));
  }
  return out;
}
