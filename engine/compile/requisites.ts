// Resolves requisite specs to chunk keys: targets `module: ID-or-name`, `sls: name`, bare `ID`
// (globs allowed), every *_in inverted onto its targets, plus implicit directory ordering.
import { CompileError } from '../errors.js';
import { fnmatcher, hasMagic } from '../fnmatch.js';
import type { RawChunk } from './chunks.js';
import type { ReqTarget } from './args.js';
import { type Chunk, chunkLabel, locStr } from './types.js';
import { rankOf } from './chunks.js';

function matcher(value: string): (s: string) => boolean {
  return hasMagic(value) ? fnmatcher(value) : (s) => s === value;
}

/** Exact-value lookups (ID, name, sls) so resolving stays linear on big trees. */
export class TargetIndex {
  private readonly byId = new Map<string, RawChunk[]>();
  private readonly byName = new Map<string, RawChunk[]>();
  private readonly bySls = new Map<string, RawChunk[]>();
  constructor(readonly chunks: RawChunk[]) {
    const put = (m: Map<string, RawChunk[]>, k: string, c: RawChunk) => {
      const l = m.get(k);
      if (l) l.push(c);
      else m.set(k, [c]);
    };
    for (const c of chunks) {
      put(this.byId, c.id, c);
      if (c.name !== c.id) put(this.byName, c.name, c);
      put(this.bySls, c.sls, c);
    }
  }
  find(t: ReqTarget): RawChunk[] {
    if (hasMagic(t.value)) return findTargets(this.chunks, t);
    if (t.type === 'sls') return this.bySls.get(t.value) ?? [];
    const ids = this.byId.get(t.value) ?? [];
    const names = (this.byName.get(t.value) ?? []).filter((c) => !ids.includes(c));
    if (t.type === 'id') return ids.length ? ids : names;
    return [...ids, ...names].filter((c) => c.module === t.type).sort((a, b) => a.index - b.index);
  }
}

export function findTargets(chunks: RawChunk[], t: ReqTarget): RawChunk[] {
  const m = matcher(t.value);
  if (t.type === 'sls') return chunks.filter((c) => m(c.sls));
  if (t.type === 'id') {
    const byId = chunks.filter((c) => m(c.id));
    return byId.length ? byId : chunks.filter((c) => m(c.name));
  }
  return chunks.filter((c) => c.module === t.type && (m(c.id) || m(c.name)));
}

function targetLabel(t: ReqTarget): string {
  return t.type === 'id' ? t.value : `${t.type}: ${t.value}`;
}

/**
 * `loadedSls`: every SLS the run loaded. A `*_in` whose `sls:` target names a loaded SLS without states
 * of its own (only `include`/`extend`) adds nothing, as in Salt (its requisite_in expands the SLS to its
 * IDs); any other target that matches no state is an error.
 */
export function resolveRequisites(raw: RawChunk[], loadedSls: readonly string[] = []): Chunk[] {
  const chunks: Chunk[] = raw.map((r) => {
    const { reqSpecs: _specs, ...rest } = r;
    return { ...rest, requisites: [], rank: rankOf(r.meta.order) };
  });
  const byKey = new Map(chunks.map((c) => [c.key, c]));
  const index = new TargetIndex(raw);
  raw.forEach((r, i) => {
    const self = chunks[i]!;
    for (const spec of r.reqSpecs) {
      const keys: string[] = [];
      for (const t of spec.targets) {
        const all = index.find(t);
        const found = all.filter((x) => x.key !== r.key);
        const stateless = spec.inverse && t.type === 'sls' && all.length === 0 && loadedSls.some(matcher(t.value));
        if (found.length === 0 && !(t.type === 'sls' && r.sls === t.value) && !stateless) {
          const how = `${spec.kind}${spec.inverse ? '_in' : ''}`;
          if (all.length) {
            throw new CompileError(
              locStr(t.loc),
              `state '${r.id}' (${r.module}.${r.fun}): ${how} target '${targetLabel(t)}' is the state itself (a ` +
                `state cannot ${how.replace(/_in$/, '')} itself)`,
            );
          }
          throw new CompileError(
            locStr(t.loc),
            `state '${r.id}' (${r.module}.${r.fun}): ${how} target '${targetLabel(t)}' not found`,
          );
        }
        keys.push(...found.map((f) => f.key));
      }
      if (spec.inverse) {
        for (const k of new Set(keys)) {
          if (spec.kind === 'prereq') {
            self.requisites.push({
              kind: 'require',
              any: false,
              targets: [k],
              loc: spec.loc,
              label: chunkLabel(byKey.get(k)!),
              implicit: true,
            });
          }
          byKey.get(k)!.requisites.push({
            kind: spec.kind,
            any: false,
            targets: [self.key],
            loc: spec.loc,
            label: chunkLabel(self),
            implicit: true,
          });
        }
      } else if (keys.length) {
        if (spec.kind === 'prereq') {
          // the target runs after this state and not at all if this state fails
          for (const k of new Set(keys)) {
            byKey.get(k)!.requisites.push({
              kind: 'require',
              any: false,
              targets: [self.key],
              loc: spec.loc,
              label: chunkLabel(self),
              implicit: true,
            });
          }
        }
        self.requisites.push({
          kind: spec.kind,
          any: spec.any,
          targets: [...new Set(keys)],
          loc: spec.loc,
          label: spec.targets.map(targetLabel).join(', '),
        });
      }
    }
  });
  return chunks;
}

/** Parent directories of an absolute path, nearest first. */
function parents(path: string): string[] {
  const out: string[] = [];
  let p = path.replace(/\/+$/, '');
  while (p.includes('/')) {
    p = p.slice(0, p.lastIndexOf('/'));
    out.push(p === '' ? '/' : p);
    if (p === '') break;
  }
  return out;
}

/**
 * Implicit ordering (like Puppet's autorequire): a state on a path under a directory managed by
 * file.directory in the same run requires the nearest such directory, unless that would make a cycle.
 */
export function implicitDirectoryRequisites(
  chunks: Chunk[],
  comesAfter: (a: string, b: string) => boolean,
): Array<[Chunk, Chunk]> {
  const dirs = new Map<string, Chunk>();
  for (const c of chunks) {
    if (c.module === 'file' && c.fun === 'directory' && c.name.startsWith('/')) {
      dirs.set(c.name.replace(/\/+$/, '') || '/', c);
    }
  }
  if (dirs.size === 0) return [];
  const added: Array<[Chunk, Chunk]> = [];
  for (const c of chunks) {
    if (!c.name.startsWith('/') || /\s/.test(c.name)) continue;
    for (const p of parents(c.name)) {
      const d = dirs.get(p);
      if (!d || d === c) continue;
      if (!comesAfter(d.key, c.key)) {
        c.requisites.push({
          kind: 'require',
          any: false,
          targets: [d.key],
          loc: c.loc,
          label: chunkLabel(d),
          implicit: true,
        });
        added.push([c, d]);
      }
      break;
    }
  }
  return added;
}
