// archive.extracted: a tar archive (salt:// from the state tree, http(s):// fetched on the
// controller, or a file on the target) unpacked into a directory, as Salt does: skipped when
// `if_missing` exists or every member is already there; `enforce_toplevel` (default on) demands one top-level
// directory; `source_hash` checked
// before anything is extracted; user/group applied to what was extracted.
import { StateError } from '../../engine/errors.js';
import type { Host } from '../../engine/host/host.js';
import { shell } from '../../engine/host/exec.js';
import type { Change, StateCtx, StateFunction } from '../../engine/contract.js';
import { pickHash } from '../../engine/source-hash.js';
import { fetchHttp, isHttpSource, shownUrl } from '../../engine/http-source.js';
import { compressionFlag, hashMismatch, members, topLevel } from './tarball.js';

export interface ExtractedArgs {
  name: string;
  source: string | string[];
  source_hash?: string;
  source_hash_name?: string;
  skip_verify?: boolean;
  archive_format?: string;
  options?: string;
  tar_options?: string;
  if_missing?: string;
  enforce_toplevel?: boolean;
  user?: string | number;
  group?: string | number;
  overwrite?: boolean;
  force?: boolean;
}

export interface ExtractedFacts {
  /** if_missing exists: nothing to do. */
  skip?: string;
  source?: string;
  data?: Buffer;
  members?: string[];
  /** Members not yet present under name. */
  missing?: string[];
}

const owner = { anyOf: [{ type: 'string' }, { type: 'integer' }] };
const schema = {
  type: 'object',
  properties: {
    name: { type: 'string', pattern: '^/' },
    source: {
      anyOf: [
        { type: 'string', minLength: 1 },
        { type: 'array', items: { type: 'string' }, minItems: 1 },
      ],
    },
    source_hash: { type: 'string' },
    source_hash_name: { type: 'string' },
    skip_verify: { type: 'boolean' },
    archive_format: { enum: ['tar'] },
    options: { type: 'string' },
    tar_options: { type: 'string' },
    if_missing: { type: 'string', pattern: '^/' },
    enforce_toplevel: { type: 'boolean' },
    force: { type: 'boolean' },
    user: owner,
    group: owner,
    overwrite: { type: 'boolean' },
  },
  required: ['name', 'source'],
  additionalProperties: false,
};

const tarOpts = (a: ExtractedArgs): string[] =>
  `${a.options ?? ''} ${a.tar_options ?? ''}`.trim().split(/\s+/).filter(Boolean);

async function readArchive(
  host: Host,
  a: ExtractedArgs,
  ctx: StateCtx<ExtractedArgs>,
): Promise<{ source: string; data: Buffer }> {
  const tried: string[] = [];
  for (const s of Array.isArray(a.source) ? a.source : [a.source]) {
    if (s.startsWith('salt://')) {
      try {
        return { source: s, data: await ctx.readSource(s) };
      } catch {
        tried.push(s);
        continue;
      }
    }
    if (isHttpSource(s)) {
      if (!a.source_hash && !a.skip_verify)
        throw new StateError(a.name, `${shownUrl(s)} cannot be verified: set source_hash (or skip_verify: True)`);
      const data = await fetchHttp(s, a.name);
      if (data) return { source: shownUrl(s), data };
      tried.push(shownUrl(s));
      continue;
    }
    if (!s.startsWith('/'))
      throw new StateError(a.name, `source '${s}': brine reads salt://, http(s):// and absolute paths on the target`);
    const data = await host.readFile(s);
    if (data) return { source: s, data };
    tried.push(s);
  }
  throw new StateError(a.name, `source not found: ${tried.join(', ')}`);
}

// paths NUL-separated on stdin, relative to $1 (under $BRINE_ROOT): prints the missing ones
const MISSING = `d="\${BRINE_ROOT-}$1"
tr '\\0' '\\n' | while IFS= read -r p; do [ -e "$d/$p" ] || [ -L "$d/$p" ] || printf '%s\\n' "$p"; done`;

// with force: lines `D:path` (a directory member) or `F:path`; a path that is missing or of the
// other kind (a directory where the archive has a file, or the reverse) is printed
const WRONG_KIND = `d="\${BRINE_ROOT-}$1"
tr '\\0' '\\n' | while IFS= read -r l; do p=\${l#?:}; f="$d/$p"
if [ "\${l%%:*}" = D ]; then [ -d "$f" ] || printf '%s\\n' "$p"
elif [ -L "$f" ] || { [ -e "$f" ] && [ ! -d "$f" ]; }; then :; else printf '%s\\n' "$p"; fi; done`;

async function gather(host: Host, a: ExtractedArgs, ctx: StateCtx<ExtractedArgs>): Promise<ExtractedFacts> {
  if (a.if_missing && (await host.lstat(a.if_missing))) return { skip: a.if_missing };
  const { source, data } = await readArchive(host, a, ctx);
  if (a.source_hash && !a.skip_verify) {
    let want = a.source_hash;
    if (want.startsWith('salt://')) want = (await ctx.readSource(want)).toString('utf8');
    else if (isHttpSource(want)) {
      const text = await fetchHttp(want, a.name);
      if (!text) throw new StateError(a.name, `source_hash ${shownUrl(want)} not found`);
      const file = source.split('?')[0]!.split('/').pop()!;
      want = pickHash(text.toString('utf8'), file, a.source_hash_name) ?? '';
      if (!want) throw new StateError(a.name, `source_hash ${shownUrl(a.source_hash)} has no hash for ${file}`);
    }
    const bad = hashMismatch(data, want);
    if (bad) throw new StateError(a.name, `${bad}; nothing extracted`);
  }
  const list = await host.exec(['tar', '-t', '-f', '-', ...[compressionFlag(data)].filter(Boolean), ...tarOpts(a)], {
    stdin: data,
    readOnly: true,
  });
  if (list.exitCode !== 0)
    throw new StateError(a.name, `${source} is not a tar archive brine can read: ${list.stderr.trim().split('\n')[0]}`);
  const ms = members(list.stdout);
  const dirs = new Set(
    members(
      list.stdout
        .split('\n')
        .filter((l) => l.endsWith('/'))
        .join('\n'),
    ),
  );
  const miss = a.force
    ? await shell(host, WRONG_KIND, [a.name], {
        stdin: `${ms.map((m) => `${dirs.has(m) ? 'D' : 'F'}:${m}`).join('\0')}\0`,
        readOnly: true,
      })
    : await shell(host, MISSING, [a.name], { stdin: `${ms.join('\0')}\0`, readOnly: true });
  return { source, data, members: ms, missing: miss.stdout.split('\n').filter(Boolean) };
}

const INERT: Record<string, string> = {
  clean: 'brine does not remove files the archive does not hold',
  keep_source: 'brine streams the archive to tar and keeps no copy of it',
  keep: 'brine streams the archive to tar and keeps no copy of it',
  trim_output: 'the result lists at most 10 missing members anyway',
  enforce_ownership_on: 'user/group apply to the extracted members',
  extract_perms: "tar keeps the archive's permissions (as root)",
  recurse: "Salt's archive.extracted has no such option and ignores it too (user/group apply to every member)",
};

function plan(a: ExtractedArgs, f: ExtractedFacts, ctx?: StateCtx<ExtractedArgs>): Change[] {
  if (f.skip) {
    ctx?.log.info(`${f.skip} exists (if_missing): not extracted`);
    return [];
  }
  const ms = f.members!;
  if (a.enforce_toplevel !== false) {
    const tops = topLevel(ms);
    const dirs = tops.filter((t) => ms.some((m) => m.startsWith(`${t}/`)));
    if (tops.length !== 1 || dirs.length !== 1) {
      throw new StateError(
        a.name,
        `${f.source} does not have a single top-level directory ` +
          `(has: ${tops.slice(0, 5).join(', ')}${tops.length > 5 ? ', ...' : ''}); to extract it anyway, set ` +
          `enforce_toplevel: False`,
      );
    }
  }
  if (!f.missing!.length && !a.overwrite) return [];
  const shown =
    [...f.missing!].sort().slice(0, 10).join(', ') +
    (f.missing!.length > 10 ? `, ... (${f.missing!.length} in all)` : '');
  return [
    {
      op: 'create',
      target: a.name,
      after: `${f.source}: ${a.overwrite && !f.missing!.length ? 'overwrite all members' : shown}`,
    },
  ];
}

export const extracted: StateFunction<ExtractedArgs, ExtractedFacts> = {
  schema,
  inert: INERT,
  ignoresKwargs: "Salt's archive.extracted takes **kwargs and ignores the ones it does not know",
  gather,
  plan,
  async apply(host, _changes, ctx) {
    const { args: a, facts: f } = ctx;
    await host.mkdir(a.name, { recursive: true, mode: 0o755 });
    const x = await shell(
      host,
      'd="${BRINE_ROOT-}$1"; shift; exec tar -x -f - -C "$d" "$@"',
      // force: a directory where the archive has a file (or the reverse) is removed first, as in Salt
      [
        a.name,
        ...[compressionFlag(f.data!)].filter(Boolean),
        ...(a.force ? ['--recursive-unlink'] : []),
        ...tarOpts(a),
      ],
      { stdin: f.data! },
    );
    if (x.exitCode !== 0) throw new StateError(a.name, `tar -x failed: ${x.stderr.trim().split('\n')[0]}`);
    if (a.user !== undefined || a.group !== undefined) {
      const spec = `${a.user ?? ''}${a.group !== undefined ? `:${a.group}` : ''}`;
      const tops = topLevel(f.members!);
      const r = await shell(host, 'd="${BRINE_ROOT-}$1"; s="$2"; shift 2; cd "$d" && exec chown -R -h "$s" -- "$@"', [
        a.name,
        spec,
        ...tops,
      ]);
      if (r.exitCode !== 0) throw new StateError(a.name, `chown ${spec} failed: ${r.stderr.trim()}`);
    }
  },
};
