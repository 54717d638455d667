// What a remote holds: `git ls-remote --symref` output parsed, and a `rev` (HEAD, a branch, a tag
// or a commit) resolved against it. Pure, so the resolution rules are unit-tested as data.

export interface RemoteRefs {
  /** refname -> commit (tags peeled: an annotated tag maps to the commit it points at). */
  refs: Record<string, string>;
  /** The branch the remote's HEAD points at (`main`), or null when it does not say. */
  headBranch: string | null;
  /** The commit of the remote's HEAD, or null (an empty repository). */
  head: string | null;
}

export type RevKind = 'head' | 'branch' | 'tag' | 'commit';

export interface ResolvedRev {
  kind: RevKind;
  /** The commit the rev names on the remote; for a commit rev, the rev as given (maybe abbreviated). */
  commit: string;
  /** The remote ref to fetch (`refs/heads/main`, `refs/tags/v1`); null for a commit. */
  ref: string | null;
  /** The branch the rev names (HEAD: the remote's default branch); null for tags and commits. */
  branch: string | null;
}

/** Parses `git ls-remote --symref URL` output. */
export function parseLsRemote(out: string): RemoteRefs {
  const refs: Record<string, string> = {};
  const peeled: Record<string, string> = {};
  let headBranch: string | null = null;
  for (const line of out.split('\n')) {
    const sym = /^ref:\s+refs\/heads\/(\S+)\s+HEAD$/.exec(line.trim());
    if (sym) {
      headBranch = sym[1]!;
      continue;
    }
    const m = /^([0-9a-f]{40,64})\s+(\S+)$/.exec(line.trim());
    if (!m) continue;
    const [, sha, ref] = m;
    if (ref!.endsWith('^{}')) peeled[ref!.slice(0, -3)] = sha!;
    else refs[ref!] = sha!;
  }
  for (const [ref, sha] of Object.entries(peeled)) refs[ref] = sha;
  const head = refs.HEAD ?? null;
  delete refs.HEAD;
  return { refs, headBranch, head };
}

export const COMMIT_RE = /^[0-9a-f]{4,64}$/;

/** Resolves rev against the remote's refs; null when the remote has no such branch or tag. */
export function resolveRev(remote: RemoteRefs, rev: string): ResolvedRev | null {
  if (rev === 'HEAD') {
    if (!remote.head) return null;
    return {
      kind: 'head',
      commit: remote.head,
      ref: remote.headBranch ? `refs/heads/${remote.headBranch}` : 'HEAD',
      branch: remote.headBranch,
    };
  }
  const short = rev.replace(/^refs\/(heads|tags)\//, '');
  const asBranch = rev.startsWith('refs/tags/') ? undefined : remote.refs[`refs/heads/${short}`];
  if (asBranch) return { kind: 'branch', commit: asBranch, ref: `refs/heads/${short}`, branch: short };
  const asTag = rev.startsWith('refs/heads/') ? undefined : remote.refs[`refs/tags/${short}`];
  if (asTag) return { kind: 'tag', commit: asTag, ref: `refs/tags/${short}`, branch: null };
  if (COMMIT_RE.test(rev)) return { kind: 'commit', commit: rev, ref: null, branch: null };
  return null;
}
