// docker_image.present / absent. No registry is assumed: an image is built from a context
// directory (`build`), loaded from a `docker save` archive (`load`) or imported from a rootfs tar
// or directory (`import`); with no source it is pulled. `force` remakes the image whenever its
// source changed since it was made (the fingerprint is kept in the image's `brine.source-hash`
// label; a loaded archive is compared by image ID). `watch` makes the image again (Salt's
// mod_watch). A failed build moves no tag: the state fails saying the previous image is kept.

import { isAbsolute, join } from 'node:path';
import { CommandError, StateError } from '../../engine/errors.js';
import { shell } from '../../engine/host/exec.js';
import type { Host } from '../../engine/host/host.js';
import type { Change, StateCtx, StateFunction } from '../../engine/contract.js';
import { docker, inspectOne, labelsOf, pairsSchema, toMap } from './cli.js';
import { hashPath, SOURCE_LABEL, sourceFingerprint } from './source-hash.js';

export interface ImagePresentArgs {
  name: string;
  build?: string;
  dockerfile?: string;
  buildargs?: unknown;
  load?: string;
  import?: string;
  /** Dockerfile instructions applied on import (`CMD ["httpd"]`, `ENV A=b`). */
  changes?: string[];
  force?: boolean;
  [k: string]: unknown;
}

export interface ImageFacts {
  /** The image's ID, or null when there is none by that name. */
  id: string | null;
  /** Its recorded source fingerprint. */
  label: string | null;
  /** The source's fingerprint now (build/import), or the archive's image ID (load); null when missing. */
  source: string | null;
  /** The source path, for messages. */
  sourcePath: string | null;
}

type SourceKind = 'build' | 'load' | 'import' | 'pull';

export function sourceKind(args: ImagePresentArgs): SourceKind {
  if (args.build) return 'build';
  if (args.load) return 'load';
  if (args.import) return 'import';
  return 'pull';
}

function dockerfilePath(args: ImagePresentArgs): string | undefined {
  if (!args.dockerfile || !args.build) return args.dockerfile;
  return isAbsolute(args.dockerfile) ? args.dockerfile : join(args.build, args.dockerfile);
}

/** The image ID a `docker save` archive holds for the first image in its manifest. */
async function archiveImageId(host: Host, file: string): Promise<string | null> {
  if (!(await host.stat(file))) return null;
  const r = await host.exec(['tar', '-xOf', file, 'manifest.json'], { timeoutMs: 300_000 });
  if (r.exitCode !== 0) throw new CommandError(r, `${file} is not a docker save archive`);
  const manifest = JSON.parse(r.stdout) as Array<{ Config: string }>;
  const config = manifest[0]?.Config ?? '';
  const hex = /([0-9a-f]{64})(\.json)?$/.exec(config)?.[1];
  return hex ? `sha256:${hex}` : null;
}

async function gatherPresent(host: Host, args: ImagePresentArgs): Promise<ImageFacts> {
  const img = await inspectOne<{ Id: string; Config?: { Labels?: Record<string, string> | null } }>(
    host,
    'image',
    args.name,
  );
  const kind = sourceKind(args);
  const facts: ImageFacts = {
    id: img?.Id ?? null,
    label: labelsOf(img?.Config)[SOURCE_LABEL] ?? null,
    source: null,
    sourcePath: null,
  };
  if (kind === 'pull') return facts;
  if (kind === 'load') {
    facts.sourcePath = args.load!;
    facts.source = await archiveImageId(host, args.load!);
    return facts;
  }
  const path = kind === 'build' ? args.build! : args.import!;
  facts.sourcePath = path;
  const hash = await hashPath(host, path);
  if (hash !== null) {
    const df = dockerfilePath(args);
    const dfHash = kind === 'build' && df && !df.startsWith(`${args.build}/`) ? await host.hash(df) : null;
    const options =
      kind === 'build'
        ? { dockerfile: args.dockerfile ?? null, dfHash, buildargs: toMap(args.buildargs) }
        : { changes: args.changes ?? [] };
    facts.source = sourceFingerprint(kind, hash, options);
  }
  return facts;
}

export function planPresent(args: ImagePresentArgs, facts: ImageFacts): Change[] {
  const kind = sourceKind(args);
  if (kind !== 'pull' && facts.source === null && (facts.id === null || args.force)) {
    throw new StateError(args.name, `${kind} source ${facts.sourcePath ?? ''} does not exist`);
  }
  const how = kind === 'pull' ? 'pull' : `${kind} ${facts.sourcePath}`;
  if (facts.id === null) return [{ op: 'create', target: args.name, after: how }];
  if (!args.force || kind === 'pull') return [];
  const current = kind === 'load' ? facts.id : facts.label;
  if (current === facts.source) return [];
  return [{ op: 'update', target: args.name, before: facts.id.slice(0, 19), after: `re-${how} (source changed)` }];
}

async function applyPresent(
  host: Host,
  _changes: Change[],
  ctx: StateCtx<ImagePresentArgs> & { facts: ImageFacts },
): Promise<void> {
  const { args, facts } = ctx;
  const kind = sourceKind(args);
  const label = `LABEL ${SOURCE_LABEL}=${facts.source}`;
  if (kind === 'pull') {
    await docker(host, ['pull', args.name]);
  } else if (kind === 'build') {
    const argv = ['build', '-t', args.name, '--label', `${SOURCE_LABEL}=${facts.source}`];
    const df = dockerfilePath(args);
    if (df) argv.push('-f', df);
    for (const [k, v] of Object.entries(toMap(args.buildargs))) argv.push('--build-arg', `${k}=${v}`);
    argv.push(args.build!);
    const r = await host.exec(['docker', ...argv], { timeoutMs: 1_800_000 });
    if (r.exitCode !== 0) {
      // `docker build -t` moves the tag only on success: the previous image (and every container
      // running it) stays as it was
      const kept = facts.id ? `the previous image ${facts.id.slice(7, 19)} is kept` : 'there is no previous image';
      const why = r.stderr.trim().split('\n').slice(-3).join(' | ');
      throw new StateError(args.name, `docker build of ${args.build} failed, ${kept}${why ? `: ${why}` : ''}`);
    }
  } else if (kind === 'import') {
    const changes = [label, ...(args.changes ?? [])].flatMap((c) => ['-c', c]);
    const st = await host.stat(args.import!);
    if (st?.type === 'directory') {
      const r = await shell(
        host,
        'dir="$1"; name="$2"; shift 2; tar -C "$dir" -c . | docker import "$@" - "$name"',
        [args.import!, args.name, ...changes],
        { timeoutMs: 600_000 },
      );
      if (r.exitCode !== 0) throw new CommandError(r, `docker import of ${args.import} failed`);
    } else {
      await docker(host, ['import', ...changes, args.import!, args.name], {}, `docker import of ${args.import} failed`);
    }
  } else {
    await docker(host, ['load', '-q', '-i', args.load!], {}, `docker load of ${args.load} failed`);
    if (facts.source) await docker(host, ['tag', facts.source, args.name]);
  }
}

export const present: StateFunction<ImagePresentArgs, ImageFacts> = {
  schema: {
    type: 'object',
    required: ['name'],
    properties: {
      name: { type: 'string', minLength: 1 },
      build: { type: 'string', minLength: 1 },
      dockerfile: { type: 'string', minLength: 1 },
      buildargs: pairsSchema,
      load: { type: 'string', minLength: 1 },
      import: { type: 'string', minLength: 1 },
      changes: { type: 'array', items: { type: 'string' } },
      force: { type: 'boolean' },
    },
    additionalProperties: false,
    not: {
      anyOf: [{ required: ['build', 'load'] }, { required: ['build', 'import'] }, { required: ['load', 'import'] }],
    },
  },
  gather: (host, args) => gatherPresent(host, args),
  plan: (args, facts) => planPresent(args, facts),
  apply: applyPresent,
  // watch (Salt's mod_watch): make the image again from its source (pull, build, import, load)
  async refresh(host, args, ctx) {
    const facts = await gatherPresent(host, args);
    if (sourceKind(args) !== 'pull' && facts.source === null)
      throw new StateError(args.name, `${sourceKind(args)} source ${facts.sourcePath ?? ''} does not exist`);
    await applyPresent(host, [], { ...ctx, facts });
  },
  refreshVerb: (args) => (sourceKind(args) === 'build' ? 'rebuild' : sourceKind(args)),
};

export interface ImageAbsentArgs {
  name: string;
  force?: boolean;
  [k: string]: unknown;
}

export const absent: StateFunction<ImageAbsentArgs, { id: string | null }> = {
  schema: {
    type: 'object',
    required: ['name'],
    properties: { name: { type: 'string', minLength: 1 }, force: { type: 'boolean' } },
    additionalProperties: false,
  },
  async gather(host, args) {
    const img = await inspectOne<{ Id: string }>(host, 'image', args.name);
    return { id: img?.Id ?? null };
  },
  plan: (args, facts) => (facts.id ? [{ op: 'delete', target: args.name, before: facts.id.slice(0, 19) }] : []),
  async apply(host, _changes, ctx) {
    await docker(host, ['image', 'rm', ...(ctx.args.force ? ['-f'] : []), ctx.args.name]);
  },
};
