// file.managed: a file with given contents (salt:// source, inline contents, jinja template),
// mode and owner; atomic writes; optional backup of the replaced file; optional check_cmd that
// must accept the new contents before they replace the file (visudo -cf, nginx -t -c ...).

import { StateError } from '../../engine/errors.js';
import { dirname, resolve } from 'node:path';
import type { Host } from '../../engine/host/host.js';
import { shell } from '../../engine/host/exec.js';
import type { StateCtx, StateFunction } from '../../engine/contract.js';
import { applyAttrs, attrChanges, onPaths, plannedAttrs } from './attrs.js';
import type { ContentChange } from './changes.js';
import {
  attrProps,
  attrsOf,
  bool,
  ensureParent,
  gatherPathsWithParents,
  objectSchema,
  requireParent,
  str,
  strOrList,
  type AttrArgs,
} from './common.js';
import { DIFF_LIMITS } from '../../engine/report/content-view.js';
import { contentDiff, desiredContents, hasTargetSource, sha256, type ContentArgs } from './content.js';
import { modeSchema, parseMode } from './mode.js';
import type { PathFacts } from './probe.js';
import { gatherOwners, ownersToCheck, requireOwners, type OwnerFacts } from './owners.js';

export interface ManagedArgs extends AttrArgs, ContentArgs {
  name: string;
  makedirs?: boolean;
  dir_mode?: string | number;
  replace?: boolean;
  show_changes?: boolean;
  /** Salt's older name of show_changes (show_changes wins when both are given). */
  show_diff?: boolean;
  backup?: string | boolean;
  create?: boolean;
  follow_symlinks?: boolean;
  /** Run with the new contents in a temporary file as its last argument; non-zero: nothing changes. */
  check_cmd?: string;
  /** Suffix of that temporary file (some checkers want `.conf`). */
  tmp_ext?: string;
}

export interface ManagedFacts extends OwnerFacts {
  path: PathFacts;
  /** When name is a symlink (followed, like Salt's follow_symlinks): the file it points to. */
  real?: string;
  parent: PathFacts;
  /** Wanted contents (null: contents not managed). */
  want: Buffer | null;
  wantHash?: string;
  /** Current contents, read only when they differ from the wanted ones (for the diff). */
  current?: Buffer | null;
}

const schema = objectSchema({
  source: strOrList,
  source_hash: str,
  source_hash_name: str,
  skip_verify: bool,
  contents: strOrList,
  contents_pillar: strOrList,
  template: { anyOf: [{ type: 'string' }, { type: 'null' }] },
  context: { type: 'object' },
  defaults: { type: 'object' },
  template_kwargs: { type: 'object' },
  ...attrProps,
  makedirs: bool,
  dir_mode: modeSchema,
  replace: bool,
  show_changes: bool,
  show_diff: bool,
  backup: { anyOf: [{ type: 'string' }, { type: 'boolean' }] },
  create: bool,
  follow_symlinks: bool,
  check_cmd: { type: 'string', minLength: 1 },
  tmp_ext: { type: 'string', pattern: '^[A-Za-z0-9._-]*$' },
});

// The new contents arrive on stdin; $1 is check_cmd (a shell command line), $2 the suffix.
const CHECK = `t=$(mktemp --suffix="$2") || exit 125
cat > "$t"
eval "$1 \\"\\$t\\""; rc=$?
rm -f -- "$t"
exit $rc`;

/** Salt's check_cmd: the command must accept the new contents before they replace the file. */
async function checkContents(host: Host, args: ManagedArgs, data: Buffer): Promise<void> {
  const r = await shell(host, CHECK, [args.check_cmd!, args.tmp_ext ?? ''], { stdin: data });
  if (r.exitCode === 0) return;
  const why = (r.stderr.trim() || r.stdout.trim()).split('\n')[0] || 'no output';
  throw new StateError(
    args.name,
    `check_cmd '${args.check_cmd}' refused the new contents (exit ${r.exitCode}): ${why}; the file was not changed`,
  );
}

async function finish(
  host: Host,
  args: ManagedArgs,
  ctx: StateCtx<ManagedArgs>,
  pp: { path: PathFacts; parent: PathFacts },
): Promise<ManagedFacts> {
  // rendered once in the compile phase (prepare); a source on the target, or outside a run (unit
  // tests), here
  const want = ctx.prepared !== undefined ? (ctx.prepared as Buffer | null) : await desiredContents(ctx, args, host);
  let real: string | undefined;
  if (pp.path.type === 'symlink' && pp.path.target && args.follow_symlinks !== false) {
    real = resolve(dirname(args.name), pp.path.target);
    pp = (await gatherPathsWithParents(host, [real]))[0]!;
  }
  const facts: ManagedFacts = { ...pp, ...(real ? { real } : {}), want, wantHash: want ? sha256(want) : undefined };
  if (want && pp.path.type === 'file' && pp.path.hash !== facts.wantHash && args.replace !== false) {
    // no diff of a file over the limit: then it is not read (nor copied back from a remote host)
    const tooBig =
      (pp.path.size ?? 0) > (ctx.content?.limits.fileBytes ?? DIFF_LIMITS.fileBytes) ||
      want.length > (ctx.content?.limits.fileBytes ?? DIFF_LIMITS.fileBytes);
    facts.current = showChanges(args) === false || tooBig ? null : await host.readFile(real ?? args.name);
  }
  return facts;
}

const showChanges = (a: ManagedArgs): boolean | undefined => a.show_changes ?? a.show_diff;

export const managed: StateFunction<ManagedArgs, ManagedFacts, ContentChange> = {
  schema,
  kwargsToTemplate: true,
  /** Reads the source (first existing of a list) and renders the template before the run changes anything. */
  // a source on the target (`/abs`, `file://`) is read when the facts are: prepare has no host
  prepare: async (args, ctx) => (hasTargetSource(args) ? undefined : desiredContents(ctx, args)),
  async gather(host, args, ctx) {
    const [pp] = await gatherPathsWithParents(host, [args.name]);
    const facts = await finish(host, args, ctx, pp!);
    const [owners] = await gatherOwners(host, [ownersToCheck(attrsOf(args), facts.path)]);
    return { ...facts, ...owners };
  },
  async gatherMany(host, items) {
    const pps = await gatherPathsWithParents(
      host,
      items.map((i) => i.args.name),
    );
    const all = await Promise.all(items.map((i, n) => finish(host, i.args, i.ctx, pps[n]!)));
    const owners = await gatherOwners(
      host,
      all.map((f, n) => ownersToCheck(attrsOf(items[n]!.args), f.path)),
    );
    return all.map((f, n) => ({ ...f, ...owners[n] }));
  },
  plan(args, facts, ctx) {
    const attrs = attrsOf(args);
    const { path, want } = facts;
    const name = facts.real ?? args.name;
    if (path.type === 'missing') {
      if (args.create === false) return [];
      requireOwners(name, facts, ctx);
      requireParent(name, facts.parent, args.makedirs, ctx?.pendingRequisite);
      const data = want ?? Buffer.alloc(0);
      return [
        {
          op: 'create',
          kind: 'file',
          target: name,
          after: facts.wantHash ?? sha256(data),
          diff: contentDiff(name, null, data, { show: showChanges(args) !== false, view: ctx?.content }),
        },
      ];
    }
    if (path.type === 'directory') throw new StateError(name, 'is a directory, not a file');
    if (path.type !== 'file') throw new StateError(name, `exists as a ${path.type}, not a regular file`);
    const out: ContentChange[] = [];
    if (want && args.replace !== false && path.hash !== facts.wantHash) {
      out.push({
        op: 'update',
        kind: 'file',
        target: name,
        before: path.hash,
        after: facts.wantHash,
        diff: contentDiff(name, facts.current ?? null, want, {
          show: showChanges(args) !== false,
          view: ctx?.content,
          beforeHash: path.hash,
          beforeSize: path.size,
        }),
      });
    }
    const attrCs = attrChanges(name, path, attrs);
    if (out.length || attrCs.length) requireOwners(name, facts, ctx);
    return [...out, ...attrCs];
  },
  // waves: the file (and the one a followed link names); a parent it creates is made with mkdir -p
  wave: { paths: (args, facts) => (facts.real ? [args.name, facts.real] : [args.name]) },
  async apply(host, changes, ctx) {
    const { args, facts } = ctx;
    const attrs = attrsOf(args);
    const name = facts.real ?? args.name;
    const content = changes.find((c) => c.kind === 'file');
    if (content) {
      if (args.check_cmd) await checkContents(host, args, facts.want ?? Buffer.alloc(0));
      if (facts.path.type === 'missing')
        await ensureParent(host, name, parseMode(args.dir_mode, `${args.name}: dir_mode`), facts.parent);
      else if (args.backup) await backup(host, name, args.backup);
      await host.writeFileAtomic(name, facts.want ?? Buffer.alloc(0), {
        mode: attrs.mode ?? (facts.path.type === 'missing' ? 0o644 : undefined),
        owner: attrs.user,
        group: attrs.group,
      });
      return;
    }
    await applyAttrs(host, name, plannedAttrs(changes, attrs));
  },
};

/**
 * Keeps a copy of the file about to be replaced: `backup: minion` -> name.brine-bak.<UTC stamp>, else name + suffix.
 */
export async function backup(host: Host, name: string, how: string | boolean): Promise<string> {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
  const to = how === true || how === 'minion' ? `${name}.brine-bak.${stamp}` : `${name}${how}`;
  await onPaths(host, ['cp', '-a', '--'], name, to, `backup ${name}`);
  return to;
}
