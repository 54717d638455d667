// file.recurse: a salt:// directory mirrored to a directory on the host (optionally rendered as
// templates), with file_mode/dir_mode/user/group, include_pat/exclude_pat and clean.

import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type FastGlob from 'fast-glob';
import { StateError } from '../../engine/errors.js';
import { fnmatch } from '../../engine/fnmatch.js';
import type { Host } from '../../engine/host/host.js';
import type { StateCtx, StateFunction } from '../../engine/contract.js';
import { applyAttrs } from './attrs.js';
import { attrsOf, bool, objectSchema, str, type AttrArgs } from './common.js';
import { contentDiff, renderIfTemplate, sha256 } from './content.js';
import { fmtMode, modeSchema, parseMode } from './mode.js';
import { probePaths, probeTree, type PathFacts, type TreeEntry } from './probe.js';
import type { TreeOrCleanChange } from './changes.js';

export interface RecurseArgs extends AttrArgs {
  /** A salt:// directory, or a list of them: the first that exists (Salt's source list, TOFS). */
  source: string | string[];
  template?: string | null;
  context?: Record<string, unknown>;
  defaults?: Record<string, unknown>;
  file_mode?: string | number;
  dir_mode?: string | number;
  makedirs?: boolean;
  clean?: boolean;
  /** A glob or E@regex, or a list of them (any one matching counts), as Salt takes them. */
  include_pat?: string | string[];
  exclude_pat?: string | string[];
  include_empty?: boolean;
}

interface Want {
  dirs: string[];
  files: Map<string, { data: Buffer; hash: string /** the source file's mode (file_mode: keep) */; mode: number }>;
}

export interface RecurseFacts {
  root: PathFacts;
  tree: TreeEntry[];
  want: Want;
}

const schema = objectSchema(
  {
    source: {
      anyOf: [
        { type: 'string', pattern: '^salt://' },
        { type: 'array', minItems: 1, items: { type: 'string', pattern: '^salt://' } },
      ],
    },
    template: { anyOf: [{ type: 'string' }, { type: 'null' }] },
    context: { type: 'object' },
    defaults: { type: 'object' },
    user: {},
    group: {},
    file_mode: { anyOf: [modeSchema, { const: 'keep' }] },
    dir_mode: modeSchema,
    makedirs: bool,
    clean: bool,
    include_pat: { anyOf: [str, { type: 'array', items: str }] },
    exclude_pat: { anyOf: [str, { type: 'array', items: str }] },
    include_empty: bool,
  },
  ['name', 'source'],
);

// fast-glob is loaded when a file.recurse state runs (it costs ~30 ms to import; most runs have none)
const loadFg = async (): Promise<typeof FastGlob> => (await import('fast-glob')).default;

/** include_pat/exclude_pat: fnmatch on the name or the path relative to source, or E@regex (searched); a list: any. */
function matches(rel: string, pat: string | string[] | undefined): boolean {
  if (Array.isArray(pat)) return pat.some((p) => matches(rel, p));
  if (!pat) return false;
  if (pat.startsWith('E@')) return new RegExp(pat.slice(2)).test(rel);
  const base = rel.split('/').pop()!;
  return fnmatch(base, pat) || fnmatch(rel, pat);
}

async function wanted(args: RecurseArgs, ctx: StateCtx<RecurseArgs>): Promise<Want> {
  const fg = await loadFg();
  const sources = (Array.isArray(args.source) ? args.source : [args.source]).map((s) =>
    s.slice('salt://'.length).replace(/\/+$/, ''),
  );
  const isDir = async (rel: string) =>
    (await fg(fg.escapePath(rel), { cwd: ctx.statesDir, onlyDirectories: true })).length > 0;
  let srcRel: string | undefined;
  for (const s of sources) if (srcRel === undefined && (await isDir(s))) srcRel = s;
  if (srcRel === undefined)
    throw new StateError(ctx.id, `source directory not found: ${sources.map((s) => `salt://${s}`).join(', ')}`);
  const srcDir = join(ctx.statesDir, srcRel);
  const entries = await fg('**', {
    cwd: srcDir,
    dot: true,
    onlyFiles: false,
    markDirectories: true,
    followSymbolicLinks: true,
  });
  const dirs: string[] = [];
  const files: Want['files'] = new Map();
  for (const e of entries.sort()) {
    const rel = e.replace(/\/$/, '');
    if (matches(rel, args.exclude_pat)) continue;
    if (e.endsWith('/')) {
      dirs.push(rel);
      continue;
    }
    if (args.include_pat?.length && !matches(rel, args.include_pat)) continue;
    const raw = await ctx.readSource(`salt://${srcRel}/${rel}`);
    const data = await renderIfTemplate(ctx, args, raw, `${srcRel}/${rel}`);
    files.set(rel, { data, hash: sha256(data), mode: (await stat(join(srcDir, rel))).mode & 0o7777 });
  }
  // only the directories that hold wanted files (or all, with include_empty)
  const needed = new Set<string>();
  for (const f of files.keys()) {
    const parts = f.split('/');
    for (let i = 1; i < parts.length; i++) needed.add(parts.slice(0, i).join('/'));
  }
  return { dirs: dirs.filter((d) => args.include_empty || needed.has(d)), files };
}

export const recurse: StateFunction<RecurseArgs, RecurseFacts, TreeOrCleanChange> = {
  schema,
  inert: {
    sym_mode: 'Linux ignores the mode of a symlink',
    keep_symlinks: 'brine copies the files that symlinks in the source point to',
  },
  async gather(host, args, ctx) {
    return (await gatherRecurse(host, [{ args, ctx }]))[0]!;
  },
  gatherMany: gatherRecurse,
  plan(args, facts, ctx) {
    const { user, group } = attrsOf(args);
    const dm = parseMode(args.dir_mode, `${args.name}: dir_mode`);
    const have = new Map(facts.tree.map((e) => [e.rel, e]));
    const out: TreeOrCleanChange[] = [];
    const entry = (rel: string) => ({ path: rel ? `${args.name}/${rel}` : args.name, rel });
    if (facts.root.type === 'missing') {
      out.push({ op: 'create', kind: 'tree-dir', target: args.name, ...entry(''), after: 'directory' });
    } else if (facts.root.type !== 'directory')
      throw new StateError(args.name, `exists as a ${facts.root.type}, not a directory`);
    const attrDiff = (e: TreeEntry, m: number | undefined) =>
      (user !== undefined && e.user !== user) ||
      (group !== undefined && e.group !== group) ||
      (m !== undefined && e.mode !== m);
    for (const d of facts.want.dirs) {
      const p = `${args.name}/${d}`;
      const e = have.get(d);
      if (!e)
        out.push({
          op: 'create',
          kind: 'tree-dir',
          target: p,
          ...entry(d),
          after: { type: 'directory', mode: fmtMode(dm ?? 0o755) },
        });
      else if (e.type !== 'directory') throw new StateError(p, `exists as a ${e.type}, not a directory`);
      else if (attrDiff(e, dm))
        out.push({
          op: 'update',
          kind: 'tree-attrs',
          target: p,
          ...entry(d),
          before: { mode: fmtMode(e.mode), user: e.user, group: e.group },
          after: { mode: fmtMode(dm), user, group },
        });
    }
    for (const [rel, f] of facts.want.files) {
      const fm = fileMode(args, f.mode);
      const p = `${args.name}/${rel}`;
      const e = have.get(rel);
      if (!e)
        out.push({
          op: 'create',
          kind: 'tree-file',
          target: p,
          ...entry(rel),
          after: f.hash,
          diff: contentDiff(p, null, f.data, { view: ctx?.content }),
        });
      else if (e.type !== 'file') throw new StateError(p, `exists as a ${e.type}, not a file`);
      else if (e.hash !== f.hash)
        out.push({
          op: 'update',
          kind: 'tree-file',
          target: p,
          ...entry(rel),
          before: e.hash,
          after: f.hash,
          diff: `sha256 ${e.hash} -> ${f.hash}`,
        });
      else if (attrDiff(e, fm))
        out.push({
          op: 'update',
          kind: 'tree-file',
          target: p,
          ...entry(rel),
          before: { mode: fmtMode(e.mode), user: e.user, group: e.group },
          after: { mode: fmtMode(fm), user, group },
        });
    }
    if (args.clean) {
      const keep = new Set([...facts.want.dirs, ...facts.want.files.keys()]);
      for (const e of facts.tree) {
        if (keep.has(e.rel)) continue;
        if ([...keep].some((k) => k.startsWith(e.rel + '/'))) continue;
        const parentRemoved = out.some((c) => c.kind === 'clean' && e.rel.startsWith(`${c.before}/`));
        if (!parentRemoved)
          out.push({
            op: 'delete',
            kind: 'clean',
            target: `${args.name}/${e.rel}`,
            path: `${args.name}/${e.rel}`,
            before: e.rel,
          });
      }
    }
    return out;
  },
  // waves: the whole tree under `name` (its files go in the wave's stream)
  wave: { paths: (args) => [args.name] },
  async apply(host, changes, ctx) {
    await applyRecurse(host, changes, ctx.args, ctx.facts);
  },
};

/**
 * The roots and their listings on the host, all started at once, and the wanted trees (read here)
 * (one round trip over SSH); a listing serves only a root that is a directory.
 */
async function gatherRecurse(
  host: Host,
  items: Array<{ args: RecurseArgs; ctx: StateCtx<RecurseArgs> }>,
): Promise<RecurseFacts[]> {
  // the host reads start first: they share the channel of the other states' fact reads
  const onHost = Promise.all([
    probePaths(
      host,
      items.map((i) => i.args.name),
    ),
    Promise.all(items.map((i) => probeTree(host, i.args.name))),
  ]);
  onHost.catch(() => undefined);
  const wants = await Promise.all(items.map((i) => wanted(i.args, i.ctx)));
  const [roots, trees] = await onHost;
  return items.map((i, n) => {
    const root = roots.get(i.args.name)!;
    return { root, tree: root.type === 'directory' ? trees[n]! : [], want: wants[n]! };
  });
}

/** The wanted mode of a file: file_mode, the source file's with `keep`, else unmanaged. */
function fileMode(args: RecurseArgs, sourceMode: number): number | undefined {
  return args.file_mode === 'keep' ? sourceMode : parseMode(args.file_mode, `${args.name}: file_mode`);
}

async function applyRecurse(
  host: Host,
  changes: TreeOrCleanChange[],
  args: RecurseArgs,
  facts: RecurseFacts,
): Promise<void> {
  const { user, group } = attrsOf(args);
  const dm = parseMode(args.dir_mode, `${args.name}: dir_mode`);
  for (const c of changes) if (c.kind === 'clean') await host.remove(c.path, { recursive: true });
  for (const c of changes) {
    if (c.kind === 'tree-file') {
      const file = facts.want.files.get(c.rel)!;
      await host.writeFileAtomic(c.path, file.data, { mode: fileMode(args, file.mode) ?? 0o644, owner: user, group });
    } else if (c.kind === 'tree-dir') {
      await host.mkdir(c.path, { recursive: true, mode: dm ?? 0o755 });
      if (c.rel && (user !== undefined || group !== undefined)) await applyAttrs(host, c.path, { user, group });
    } else if (c.kind === 'tree-attrs') {
      await applyAttrs(host, c.path, { user, group, mode: dm });
    }
  }
}
