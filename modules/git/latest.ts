// git.latest: a checkout at `target` of `rev` (HEAD, a branch, a tag or a commit) of the repository
// `name` (a URL or a path), as Salt's git.latest. Changes are reported as Salt does: `revision`
// {old, new}, plus the clone, a changed remote URL, a changed local branch and a forced reset.
//
// gather reads the remote with `git ls-remote` and, when the wanted commit is not in the checkout
// yet, fetches its objects without touching a ref, the index or the working tree (so the dry run
// knows whether the update is a fast-forward and says exactly what the real run does).
// Uncommitted changes to tracked files block an update unless force_reset; a non-fast-forward
// (the remote rewound, or local commits) needs force_reset too (a shallow checkout, which has no
// history to compare, just follows the remote). A target that exists but is not
// a checkout of this repository needs force_clone.

import { posix } from 'node:path';
import { CommandError, StateError } from '../../engine/errors.js';
import { shQuote } from '../../engine/host/exec.js';
import type { Host } from '../../engine/host/host.js';
import type { StateFunction } from '../../engine/contract.js';
import type { LatestChange } from './changes.js';
import { git, type GitRunOptions, mustGit } from './cli.js';
import { parseLsRemote, type RemoteRefs, type ResolvedRev, resolveRev } from './remote.js';

export interface GitLatestArgs {
  /** The repository: a URL (https://, ssh://, git@host:path, file://) or a path on the host. */
  name: string;
  /** Where the checkout lives (absolute). */
  target: string;
  /** HEAD (the remote's default branch), a branch, a tag or a commit. Default HEAD. */
  rev?: string;
  /** The local branch to check out (default: the branch rev names; detached for tags/commits). */
  branch?: string;
  /** Discard uncommitted changes and allow non-fast-forward updates (Salt: True or 'remote-changes'). */
  force_reset?: boolean | 'remote-changes';
  /** Replace a target that exists but is not a checkout of this repository. */
  force_clone?: boolean;
  /** Shallow clone/fetch depth. */
  depth?: number;
  /** Run git as this user (owns the checkout). */
  user?: string;
  /** Private key file(s) on the host for ssh remotes. */
  identity?: string | string[];
  /** The remote's name in the checkout (default origin). */
  remote?: string;
  /** Fetch tags too (default true). */
  fetch_tags?: boolean;
  [k: string]: unknown;
}

export interface GitLatestFacts {
  /** 'missing' (or an empty directory), 'repo' (a checkout), 'other' (anything else). */
  target: 'missing' | 'repo' | 'other';
  /** What the remote's refs say rev is; null when the remote has no such rev. */
  rev: ResolvedRev | null;
  /** The full commit rev resolves to (a commit rev resolved in the checkout), or null. */
  wanted: string | null;
  /** The checkout's HEAD commit (null: missing or no commit yet). */
  head: string | null;
  /** The checkout's current branch (null: detached or missing). */
  branch: string | null;
  /** The URL of `remote` in the checkout (null: no such remote). */
  remoteUrl: string | null;
  /** Tracked files with uncommitted changes (`git status --porcelain`). */
  localChanges: string[];
  /** Whether HEAD is an ancestor of the wanted commit (null: unknown, e.g. not fetched). */
  fastForward: boolean | null;
  /** The checkout is shallow. */
  shallow: boolean;
  /** Why the remote could not be read, or null. */
  remoteError: string | null;
}

const short = (sha: string | null) => (sha ? sha.slice(0, 40) : null);

/** The remote's directory when it is on this host (a path or file:// URL), else null. */
export function localRemotePath(name: string): string | null {
  if (name.startsWith('/')) return name.replace(/\/+$/, '') || '/';
  const m = /^file:\/\/(\/.*)$/.exec(name);
  return m ? m[1]!.replace(/\/+$/, '') : null;
}

/**
 * A remote on this host that another user owns (a root-owned source cloned with `user:`) is read
 * by an upload-pack that trusts it: git drops -c settings for local transports' subprocesses.
 */
function uploadPack(args: GitLatestArgs): string[] {
  const local = localRemotePath(args.name);
  if (!local) return [];
  return [
    '--upload-pack',
    ['git', '-c', `safe.directory=${local}`, '-c', `safe.directory=${local}/.git`, 'upload-pack']
      .map(shQuote)
      .join(' '),
  ];
}

function runOpts(args: GitLatestArgs, readOnly = false): GitRunOptions {
  const local = localRemotePath(args.name);
  return {
    user: args.user,
    identity: args.identity,
    readOnly,
    trust: [args.target, ...(local ? [local, `${local}/.git`] : [])],
  };
}

/** The branch the checkout should be on; null: detached at the commit. */
export function wantedBranch(args: GitLatestArgs, rev: ResolvedRev | null): string | null {
  return args.branch ?? rev?.branch ?? null;
}

async function gatherLatest(host: Host, args: GitLatestArgs): Promise<GitLatestFacts> {
  const ro = runOpts(args, true);
  const remoteName = args.remote ?? 'origin';
  const facts: GitLatestFacts = {
    target: 'missing',
    rev: null,
    wanted: null,
    head: null,
    branch: null,
    remoteUrl: null,
    localChanges: [],
    fastForward: null,
    shallow: false,
    remoteError: null,
  };
  let remote: RemoteRefs = { refs: {}, headBranch: null, head: null };
  const ls = await git(host, null, ['ls-remote', ...uploadPack(args), '--symref', args.name], {
    ...ro,
    timeoutMs: 120_000,
  });
  if (ls.exitCode !== 0) {
    if (ls.exitCode === 127) throw new CommandError(ls, 'git is not installed');
    facts.remoteError = ls.stderr.trim().split('\n').slice(-2).join(' | ') || `git ls-remote exited ${ls.exitCode}`;
  } else {
    remote = parseLsRemote(ls.stdout);
    facts.rev = resolveRev(remote, args.rev ?? 'HEAD');
    if (facts.rev && facts.rev.kind !== 'commit') facts.wanted = facts.rev.commit;
    else if (facts.rev && facts.rev.commit.length >= 40) facts.wanted = facts.rev.commit;
  }

  const st = await host.stat(args.target);
  if (!st) return facts;
  if (st.type === 'directory') {
    const top = await git(host, args.target, ['rev-parse', '--show-toplevel', '--is-shallow-repository'], ro);
    const [toplevel, shallow] = top.stdout.trim().split('\n');
    if (top.exitCode !== 0 || posix.normalize(toplevel ?? '') !== posix.normalize(args.target)) {
      const empty = await host.exec(['find', args.target, '-maxdepth', '0', '-empty'], { readOnly: true });
      facts.target = empty.stdout.trim() ? 'missing' : 'other';
      return facts;
    }
    facts.shallow = shallow === 'true';
  } else {
    facts.target = 'other';
    return facts;
  }
  facts.target = 'repo';
  const [head, branch, url, status] = await Promise.all([
    git(host, args.target, ['rev-parse', '--verify', '-q', 'HEAD^{commit}'], ro),
    git(host, args.target, ['symbolic-ref', '-q', '--short', 'HEAD'], ro),
    git(host, args.target, ['remote', 'get-url', remoteName], ro),
    git(host, args.target, ['status', '--porcelain', '--untracked-files=no'], ro),
  ]);
  facts.head = head.exitCode === 0 ? head.stdout.trim() : null;
  facts.branch = branch.exitCode === 0 ? branch.stdout.trim() : null;
  facts.remoteUrl = url.exitCode === 0 ? url.stdout.trim() : null;
  if (status.exitCode !== 0) throw new CommandError(status, `git status in ${args.target}`);
  facts.localChanges = status.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => l.slice(3));
  if (!facts.rev || facts.remoteError) return facts;

  // The wanted commit's objects, so ancestry is known before anything changes: fetched without
  // writing a ref or FETCH_HEAD (a commit rev: the remote's branches, to find it among them).
  const have = async (c: string) =>
    (await git(host, args.target, ['cat-file', '-e', `${c}^{commit}`], ro)).exitCode === 0;
  if (!facts.wanted || !(await have(facts.wanted))) {
    if (!facts.shallow) {
      const refspec = facts.rev.ref
        ? [facts.rev.ref]
        : Object.keys(remote.refs).filter((r) => r.startsWith('refs/heads/'));
      if (refspec.length) {
        await git(
          host,
          args.target,
          ['fetch', ...uploadPack(args), '--quiet', '--no-write-fetch-head', '--no-tags', args.name, ...refspec],
          { ...ro, timeoutMs: 600_000 },
        );
      }
    }
  }
  if (facts.rev.kind === 'commit') {
    const full = await git(host, args.target, ['rev-parse', '--verify', '-q', `${facts.rev.commit}^{commit}`], ro);
    facts.wanted = full.exitCode === 0 ? full.stdout.trim() : facts.wanted;
  }
  if (facts.head && facts.wanted && (await have(facts.wanted))) {
    const anc = await git(host, args.target, ['merge-base', '--is-ancestor', facts.head, facts.wanted], ro);
    facts.fastForward = anc.exitCode === 0 ? true : anc.exitCode === 1 ? false : null;
  }
  return facts;
}

/** git's words for a remote host it cannot reach (DNS, routing, nothing listening, timeouts). */
const UNREACHABLE = new RegExp(
  [
    'Could not resolve host',
    'Could not resolve hostname',
    'Network is unreachable',
    'No route to host',
    'Connection refused',
    'Connection timed out',
    'Failed to connect',
  ].join('|'),
  'i',
);

/** The changes, Salt's way: clone, remote URL, revision {old, new}, branch, forced update. */
export function planLatest(args: GitLatestArgs, f: GitLatestFacts): LatestChange[] {
  const rev = args.rev ?? 'HEAD';
  // No checkout yet and the remote's host cannot be reached now (no network on a reviewer's
  // machine): the clone is still the plan, and says so; the real run's clone then fails with git's
  // reason. A remote that answers and refuses (auth, no such repository) fails here already.
  if (f.remoteError && f.target === 'missing' && UNREACHABLE.test(f.remoteError)) {
    return [
      {
        op: 'create',
        kind: 'clone',
        target: args.target,
        after: `clone of ${args.name} (the remote cannot be read now: ${f.remoteError})`,
      },
    ];
  }
  if (f.remoteError) throw new StateError(args.target, `cannot read the remote ${args.name}: ${f.remoteError}`);
  if (!f.rev) throw new StateError(args.target, `rev ${rev} was not found in ${args.name}`);
  const want = f.wanted ?? f.rev.commit;
  const branch = wantedBranch(args, f.rev);
  if (f.target === 'other' && !args.force_clone) {
    throw new StateError(
      args.target,
      `${args.target} exists and is not a checkout of ${args.name}; set force_clone: True to replace it`,
    );
  }
  if (f.target !== 'repo') {
    const changes: LatestChange[] = [
      {
        op: f.target === 'other' ? 'update' : 'create',
        kind: 'clone',
        target: args.target,
        after: `clone of ${args.name}`,
      },
    ];
    changes.push({ op: 'update', kind: 'revision', target: 'revision', before: null, after: want });
    return changes;
  }
  if (f.rev.kind === 'commit' && f.wanted === null) {
    throw new StateError(args.target, `commit ${rev} was not found on any branch of ${args.name}`);
  }
  const changes: LatestChange[] = [];
  const remoteName = args.remote ?? 'origin';
  if (f.remoteUrl !== args.name)
    changes.push({
      op: f.remoteUrl === null ? 'create' : 'update',
      kind: 'remote',
      target: `remote ${remoteName}`,
      before: f.remoteUrl,
      after: args.name,
    });
  const moves = f.head !== want;
  const dirty = f.localChanges.length > 0;
  if (moves || (branch !== null && f.branch !== branch) || (branch === null && f.branch !== null)) {
    if (dirty && !args.force_reset) {
      throw new StateError(
        args.target,
        `${args.target} has uncommitted changes ` +
          `(${f.localChanges.slice(0, 5).join(', ')}${f.localChanges.length > 5 ? ', ...' : ''}); ` +
          `it would be updated ` +
          `from ${short(f.head)?.slice(0, 12) ?? 'nothing'} to ${want.slice(0, 12)}: set force_reset: True to ` +
          `discard them`,
      );
    }
  }
  if (moves) {
    // a shallow checkout has no history to compare: it follows the remote like a fast-forward
    const forced = f.head !== null && f.fastForward !== true && !f.shallow;
    if (forced && !args.force_reset) {
      throw new StateError(
        args.target,
        `updating ${args.target} from ${f.head!.slice(0, 12)} to ${want.slice(0, 12)} is not a fast-forward; set ` +
          `force_reset: True to reset it`,
      );
    }
    changes.push({ op: 'update', kind: 'revision', target: 'revision', before: f.head, after: want });
    if (forced || dirty)
      changes.push({
        op: 'update',
        kind: 'forced-update',
        target: 'forced update',
        before: dirty ? f.localChanges : undefined,
        after: 'hard reset',
      });
  } else if (dirty && args.force_reset === true) {
    // Salt: up to date, with uncommitted changes that force_reset discards
    changes.push({
      op: 'update',
      kind: 'forced-update',
      target: 'forced update',
      before: f.localChanges,
      after: 'hard reset',
    });
  }
  if (branch !== null && f.branch !== branch)
    changes.push({ op: 'update', kind: 'branch', target: 'branch', before: f.branch, after: branch });
  if (branch === null && f.branch !== null)
    changes.push({
      op: 'update',
      kind: 'branch',
      target: 'branch',
      before: f.branch,
      after: `detached at ${want.slice(0, 12)}`,
    });
  return changes;
}

async function clone(host: Host, args: GitLatestArgs, f: GitLatestFacts): Promise<void> {
  const o = runOpts(args);
  if (f.target === 'other' || f.target === 'missing') await host.remove(args.target, { recursive: true });
  await host.mkdir(posix.dirname(args.target), { recursive: true });
  const argv = ['clone', '--quiet', ...uploadPack(args), '--origin', args.remote ?? 'origin'];
  // a path remote through upload-pack too (not hard links), so it may belong to another user
  if (localRemotePath(args.name)) argv.push('--no-local');
  if (args.depth) argv.push('--depth', String(args.depth));
  if (args.fetch_tags === false) argv.push('--no-tags');
  if (f.rev!.kind === 'branch' || f.rev!.kind === 'tag')
    argv.push('--branch', f.rev!.ref!.replace(/^refs\/(heads|tags)\//, ''));
  await mustGit(
    host,
    null,
    [...argv, args.name, args.target],
    o,
    `git clone of ${args.name} into ${args.target} failed`,
  );
}

async function applyLatest(
  host: Host,
  changes: LatestChange[],
  ctx: { args: GitLatestArgs; facts: GitLatestFacts },
): Promise<void> {
  const { args, facts: f } = ctx;
  const o = runOpts(args);
  const remoteName = args.remote ?? 'origin';
  const rev = f.rev!;
  const branch = wantedBranch(args, rev);
  if (f.target !== 'repo') {
    await clone(host, args, f);
  } else {
    if (f.remoteUrl === null)
      await mustGit(host, args.target, ['remote', 'add', remoteName, args.name], o, 'git remote add');
    else if (f.remoteUrl !== args.name)
      await mustGit(host, args.target, ['remote', 'set-url', remoteName, args.name], o, 'git remote set-url');
    const fetch = ['fetch', '--quiet', ...uploadPack(args), remoteName];
    if (args.depth) fetch.push('--depth', String(args.depth));
    fetch.push(args.fetch_tags === false ? '--no-tags' : '--tags');
    // the rev's own ref too (a tag when tags are off, a branch outside the default refspec)
    if (rev.ref && rev.ref !== 'HEAD')
      fetch.push(`+${rev.ref}:${rev.kind === 'tag' ? rev.ref : `refs/remotes/${remoteName}/${rev.branch}`}`);
    fetch.push(`+refs/heads/*:refs/remotes/${remoteName}/*`);
    await mustGit(host, args.target, fetch, o, `git fetch of ${args.name} in ${args.target} failed`);
  }
  // the wanted commit, now local (a commit rev may be abbreviated)
  const resolved = await mustGit(
    host,
    args.target,
    ['rev-parse', '--verify', `${rev.commit}^{commit}`],
    o,
    `${args.rev ?? 'HEAD'} is not in ${args.target} after fetching`,
  );
  const want = resolved.stdout.trim();
  const head = await git(host, args.target, ['rev-parse', '--verify', '-q', 'HEAD^{commit}'], o);
  const cur = await git(host, args.target, ['symbolic-ref', '-q', '--short', 'HEAD'], o);
  const onBranch = cur.exitCode === 0 ? cur.stdout.trim() : null;
  // only what the plan allowed: a reset when it planned one
  const force = changes.some((c) => c.kind === 'forced-update');
  if (branch !== null) {
    if (onBranch !== branch || head.stdout.trim() !== want) {
      // -B moves the branch to the wanted commit; plan allowed it (fast-forward, or force_reset)
      await mustGit(
        host,
        args.target,
        ['checkout', '--quiet', ...(force ? ['--force'] : []), '-B', branch, want],
        o,
        `git checkout of ${branch} in ${args.target} failed`,
      );
    }
    if (rev.branch) {
      await git(host, args.target, ['branch', '--quiet', `--set-upstream-to=${remoteName}/${rev.branch}`, branch], o);
    }
  } else if (onBranch !== null || head.stdout.trim() !== want) {
    await mustGit(
      host,
      args.target,
      ['checkout', '--quiet', ...(force ? ['--force'] : []), '--detach', want],
      o,
      `git checkout of ${want.slice(0, 12)} in ${args.target} failed`,
    );
  }
  if (force)
    await mustGit(host, args.target, ['reset', '--quiet', '--hard', want], o, `git reset in ${args.target} failed`);
}

export const latest: StateFunction<GitLatestArgs, GitLatestFacts, LatestChange> = {
  schema: {
    type: 'object',
    required: ['name', 'target'],
    properties: {
      name: { type: 'string', minLength: 1 },
      target: { type: 'string', pattern: '^/' },
      rev: { type: 'string', minLength: 1 },
      branch: { type: 'string', minLength: 1 },
      force_reset: { anyOf: [{ type: 'boolean' }, { const: 'remote-changes' }] },
      force_clone: { type: 'boolean' },
      depth: { type: 'integer', minimum: 1 },
      user: { type: 'string', minLength: 1 },
      identity: {
        anyOf: [
          { type: 'string', minLength: 1 },
          { type: 'array', items: { type: 'string', minLength: 1 } },
        ],
      },
      remote: { type: 'string', pattern: '^[A-Za-z0-9][-_.A-Za-z0-9]*$' },
      fetch_tags: { type: 'boolean' },
    },
    additionalProperties: false,
  },
  gather: (host, args) => gatherLatest(host, args),
  plan: (args, facts) => planLatest(args, facts),
  apply: (host, changes, ctx) => applyLatest(host, changes, ctx),
};
