// file.directory: a directory with mode/owner; makedirs; recurse of user/group/mode over the tree;
// clean: everything under it removed except what exclude_pat (one pattern or a list) matches and the files
// of the states linked to it by require/watch (Salt keeps the files of required file states; brine also keeps
// those of states that require the directory, so a run does not delete what it then re-creates).

import { StateError } from '../../engine/errors.js';
import type { Host } from '../../engine/host/host.js';
import type { StateCtx, StateFunction } from '../../engine/contract.js';
import { compile } from './pyregex.js';
import { applyAttrs, attrChanges, onPath, plannedAttrs } from './attrs.js';
import type { DirChange } from './changes.js';
import {
  attrProps,
  attrsOf,
  bool,
  gatherPathsWithParents,
  objectSchema,
  requireParent,
  type AttrArgs,
} from './common.js';
import { fmtMode, modeSchema, parseMode } from './mode.js';
import { probeTree, type PathFacts, type TreeEntry } from './probe.js';
import { fnmatcher } from '../../engine/fnmatch.js';

export interface DirectoryArgs extends AttrArgs {
  makedirs?: boolean;
  dir_mode?: string | number;
  file_mode?: string | number;
  recurse?: string[];
  clean?: boolean;
  exclude_pat?: string | string[];
  force?: boolean;
}

export interface DirectoryFacts {
  path: PathFacts;
  parent: PathFacts;
  tree?: TreeEntry[];
  /** clean: absolute paths of the files of linked file states (kept with what is under them). */
  keep?: string[];
}

const schema = objectSchema({
  ...attrProps,
  makedirs: bool,
  dir_mode: modeSchema,
  file_mode: modeSchema,
  recurse: { type: 'array', items: { enum: ['user', 'group', 'mode', 'ignore_files', 'ignore_dirs', 'silent'] } },
  clean: bool,
  force: bool,
  exclude_pat: {
    anyOf: [
      { type: 'string', minLength: 1 },
      { type: 'array', items: { type: 'string', minLength: 1 } },
    ],
  },
});

function dirMode(args: DirectoryArgs): number | undefined {
  return parseMode(args.mode ?? args.dir_mode, `${args.name}: mode`);
}

/** Entries under the directory whose attributes differ from what recurse asks for. */
function recurseDrift(args: DirectoryArgs, tree: TreeEntry[]): TreeEntry[] {
  const r = new Set(args.recurse ?? []);
  const { user, group } = attrsOf(args);
  const dm = dirMode(args);
  const fm = parseMode(args.file_mode, `${args.name}: file_mode`);
  return tree.filter((e) => {
    if (e.type === 'symlink') return false;
    if (e.type === 'file' && r.has('ignore_files')) return false;
    if (e.type === 'directory' && r.has('ignore_dirs')) return false;
    if (r.has('user') && user !== undefined && e.user !== user) return true;
    if (r.has('group') && group !== undefined && e.group !== group) return true;
    if (r.has('mode')) {
      const m = e.type === 'directory' ? dm : fm;
      if (m !== undefined && e.mode !== m) return true;
    }
    return false;
  });
}

async function withTree(
  host: Host,
  args: DirectoryArgs,
  pp: { path: PathFacts; parent: PathFacts },
  ctx?: StateCtx<DirectoryArgs>,
): Promise<DirectoryFacts> {
  const keep = args.clean
    ? (ctx?.linkedStates?.() ?? []).filter((s) => s.module === 'file' && s.name.startsWith('/')).map((s) => s.name)
    : undefined;
  if ((!args.recurse?.length && !args.clean) || pp.path.type !== 'directory') return keep ? { ...pp, keep } : pp;
  return { ...pp, tree: await probeTree(host, args.name), ...(keep ? { keep } : {}) };
}

/**
 * exclude_pat: a glob (fnmatch on the path relative to the directory) or E@regex (searched); a list
 * excludes what any of its patterns matches (Salt's check_include_exclude).
 */
export function excludeMatcher(pat: string | string[] | undefined, where: string): (rel: string) => boolean {
  if (Array.isArray(pat)) {
    const each = pat.map((p) => excludeMatcher(p, where));
    return (rel) => each.some((m) => m(rel));
  }
  if (!pat) return () => false;
  if (!pat.startsWith('E@')) return fnmatcher(pat);
  const re = compile(pat.slice(2), 0, where, false);
  return (rel) => re.test(rel);
}

/** Paths clean removes: every entry neither kept nor excluded nor above a kept/excluded one (parents first). */
export function cleanTargets(args: DirectoryArgs, tree: TreeEntry[], keepAbs: string[]): TreeEntry[] {
  const root = args.name.replace(/\/+$/, '');
  const keep = keepAbs
    .map((k) => k.replace(/\/+$/, ''))
    .filter((k) => k.startsWith(root + '/'))
    .map((k) => k.slice(root.length + 1));
  const excluded = excludeMatcher(args.exclude_pat, `${args.name}: exclude_pat`);
  // kept roots: linked states' paths and excluded entries; their subtrees and ancestors stay
  const roots = [...keep, ...tree.filter((e) => excluded(e.rel)).map((e) => e.rel)];
  const under = (rel: string, r: string) => rel === r || rel.startsWith(r + '/');
  return tree.filter((e) => !roots.some((r) => under(e.rel, r) || under(r, e.rel)));
}

export const directory: StateFunction<DirectoryArgs, DirectoryFacts, DirChange> = {
  schema,
  inert: {
    allow_symlink:
      'brine does not take a symlink for the directory (a symlink in its place fails the state, or force replaces it)',
  },
  async gather(host, args, ctx) {
    const [pp] = await gatherPathsWithParents(host, [args.name]);
    return withTree(host, args, pp!, ctx);
  },
  async gatherMany(host, items) {
    const pps = await gatherPathsWithParents(
      host,
      items.map((i) => i.args.name),
    );
    return Promise.all(items.map((i, n) => withTree(host, i.args, pps[n]!, i.ctx)));
  },
  plan(args, facts, ctx) {
    const attrs = { ...attrsOf(args), mode: dirMode(args) };
    if (facts.path.type === 'missing') {
      requireParent(args.name, facts.parent, args.makedirs, ctx?.pendingRequisite);
      return [
        {
          op: 'create',
          kind: 'directory',
          target: args.name,
          after: { type: 'directory', mode: fmtMode(attrs.mode ?? 0o755), user: attrs.user, group: attrs.group },
        },
      ];
    }
    if (facts.path.type !== 'directory') {
      if (!args.force)
        throw new StateError(args.name, `exists as a ${facts.path.type}, not a directory (force: True replaces it)`);
      // Salt's force: the file in the way is removed to make room for the directory
      const made = { type: 'directory', mode: fmtMode(attrs.mode ?? 0o755), user: attrs.user, group: attrs.group };
      return [
        {
          op: 'delete',
          kind: 'in-the-way',
          target: args.name,
          before: facts.path.type,
          after: 'replaced by a directory (force)',
        },
        { op: 'create', kind: 'directory', target: args.name, after: made },
      ];
    }
    const out: DirChange[] = attrChanges(args.name, facts.path, attrs);
    const drift = facts.tree && args.recurse?.length ? recurseDrift(args, facts.tree) : [];
    if (drift.length) {
      const shown = drift.slice(0, 20).map((e) => e.rel);
      out.push({
        op: 'update',
        kind: 'recurse',
        target: `${args.name}/**`,
        before: `${drift.length} entries differ`,
        after: { recurse: args.recurse, entries: drift.length > 20 ? [...shown, '...'] : shown },
      });
    }
    // clean: one change per path removed (a directory's contents listed too), parents first
    if (args.clean && facts.tree) {
      const root = args.name.replace(/\/+$/, '');
      for (const e of cleanTargets(args, facts.tree, facts.keep ?? []))
        out.push({ op: 'delete', kind: 'clean', target: `${root}/${e.rel}`, path: `${root}/${e.rel}`, before: e.type });
    }
    return out;
  },
  // waves: the directory and everything under it (clean, recurse)
  wave: { paths: (args) => [args.name] },
  async apply(host, changes, ctx) {
    const { args } = ctx;
    const attrs = { ...attrsOf(args), mode: dirMode(args) };
    if (changes.some((c) => c.kind === 'directory')) {
      if (changes.some((c) => c.kind === 'in-the-way')) await host.remove(args.name, { recursive: false });
      await host.mkdir(args.name, { recursive: !!args.makedirs, mode: attrs.mode ?? 0o755 });
      if (attrs.user !== undefined || attrs.group !== undefined)
        await applyAttrs(host, args.name, { user: attrs.user, group: attrs.group });
    } else {
      const want = plannedAttrs(changes, attrs);
      if (Object.keys(want).length) await applyAttrs(host, args.name, want);
    }
    // clean: remove the top-most paths (their contents go with them)
    const dels = changes.flatMap((c) => (c.kind === 'clean' ? [c.path] : []));
    for (const d of dels) if (!dels.some((p) => d.startsWith(p + '/'))) await host.remove(d, { recursive: true });
    // recurse: (re)apply on the whole tree; a fresh directory has none yet.
    if (changes.some((c) => c.kind === 'recurse')) await recurseApply(host, args);
  },
};

async function recurseApply(host: Host, args: DirectoryArgs): Promise<void> {
  const r = new Set(args.recurse ?? []);
  const { user, group } = attrsOf(args);
  const dm = dirMode(args);
  const fm = parseMode(args.file_mode, `${args.name}: file_mode`);
  const ownUser = r.has('user') && user !== undefined ? user : '';
  const own = `${ownUser}${r.has('group') && group !== undefined ? `:${group}` : ''}`;
  if (own) {
    const types = [r.has('ignore_files') ? '' : 'f', r.has('ignore_dirs') ? '' : 'd'].filter(Boolean).join(',');
    await onPath(
      host,
      [
        'sh',
        '-c',
        'find "$2" \\( -type ' + types.split(',').join(' -o -type ') + ' \\) -exec chown -- "$1" {} +',
        'sh',
        own,
      ],
      args.name,
      `chown -R ${own} ${args.name}`,
    );
  }
  if (r.has('mode')) {
    if (dm !== undefined && !r.has('ignore_dirs'))
      await onPath(host, ['sh', '-c', 'find "$2" -type d -exec chmod -- "$1" {} +', 'sh', dm.toString(8)], args.name);
    if (fm !== undefined && !r.has('ignore_files'))
      await onPath(host, ['sh', '-c', 'find "$2" -type f -exec chmod -- "$1" {} +', 'sh', fm.toString(8)], args.name);
  }
}
