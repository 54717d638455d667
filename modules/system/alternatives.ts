// alternatives.install / alternatives.set / alternatives.remove: Debian's update-alternatives, as
// Salt's alternatives states drive it (install registers a path with a priority, set selects it).
import { StateError } from '../../engine/errors.js';
import { MissingFactError } from '../../engine/run/missing-fact.js';
import type { Host } from '../../engine/host/host.js';
import type { Change, StateFunction } from '../../engine/contract.js';

export interface AltArgs {
  name: string;
  link?: string;
  path: string;
  priority?: number;
}

export interface AltQuery {
  link: string | null;
  /** 'auto' | 'manual' */
  status: string | null;
  value: string | null;
  alternatives: Array<{ path: string; priority: number }>;
}

/** `update-alternatives --query NAME` output (empty: not registered). */
export function parseQuery(text: string): AltQuery {
  const q: AltQuery = { link: null, status: null, value: null, alternatives: [] };
  for (const block of text.split(/\n\s*\n/)) {
    const f = Object.fromEntries(
      block
        .split('\n')
        .map((l) => /^([A-Za-z-]+):\s?(.*)$/.exec(l))
        .filter((m): m is RegExpExecArray => !!m)
        .map((m) => [m[1]!, m[2]!]),
    );
    if (f.Name !== undefined) {
      q.link = f.Link ?? null;
      q.status = f.Status ?? null;
      q.value = f.Value && f.Value !== 'none' ? f.Value : null;
    } else if (f.Alternative !== undefined)
      q.alternatives.push({ path: f.Alternative, priority: Number(f.Priority ?? 0) });
  }
  return q;
}

async function query(host: Host, a: AltArgs): Promise<AltQuery & { pathExists: boolean }> {
  const [r, st] = await Promise.all([
    host.exec(['update-alternatives', '--query', a.name], { env: { LC_ALL: 'C' }, readOnly: true }),
    host.stat(a.path),
  ]);
  if (r.exitCode === 127) throw new StateError(a.name, 'update-alternatives is not installed');
  return { ...parseQuery(r.exitCode === 0 ? r.stdout : ''), pathExists: !!st };
}

type Facts = Awaited<ReturnType<typeof query>>;

export function planInstall(a: AltArgs, f: Facts): Change[] {
  const have = f.alternatives.find((x) => x.path === a.path);
  const changes: Change[] = [];
  if (!f.pathExists) throw new MissingFactError('path', a.path, a.name, `alternative ${a.path} does not exist`);
  if (!have)
    changes.push({ op: 'create', target: `${a.name}: ${a.path}`, after: { link: a.link, priority: a.priority } });
  else if (have.priority !== a.priority)
    changes.push({
      op: 'update',
      target: `${a.name}: ${a.path}`,
      before: { priority: have.priority },
      after: { priority: a.priority },
    });
  if (have && f.link && f.link !== a.link)
    changes.push({ op: 'update', target: `${a.name} (link)`, before: f.link, after: a.link });
  return changes;
}

export function planSet(a: AltArgs, f: Facts): Change[] {
  if (!f.alternatives.some((x) => x.path === a.path))
    throw new StateError(a.name, `${a.path} is not an alternative of ${a.name} (install it first)`);
  return f.value === a.path && f.status === 'manual'
    ? []
    : [{ op: 'update', target: a.name, before: f.value, after: a.path }];
}

async function ua(host: Host, a: AltArgs, argv: string[]): Promise<void> {
  const r = await host.exec(['update-alternatives', ...argv], { env: { LC_ALL: 'C' } });
  if (r.exitCode !== 0)
    throw new StateError(a.name, `update-alternatives ${argv[0]} failed: ${r.stderr.trim().split('\n').pop()}`);
}

export const install: StateFunction<AltArgs, Facts> = {
  schema: {
    type: 'object',
    required: ['name', 'link', 'path', 'priority'],
    properties: {
      name: { type: 'string', pattern: '^[^/\\s]+$' },
      link: { type: 'string', pattern: '^/' },
      path: { type: 'string', pattern: '^/' },
      priority: { type: 'integer' },
    },
    additionalProperties: false,
  },
  lock: 'alternatives',
  gather: query,
  plan: planInstall,
  apply: (host, _c, ctx) =>
    ua(host, ctx.args, ['--install', ctx.args.link!, ctx.args.name, ctx.args.path, String(ctx.args.priority)]),
};

export const set: StateFunction<AltArgs, Facts> = {
  schema: {
    type: 'object',
    required: ['name', 'path'],
    properties: { name: { type: 'string', pattern: '^[^/\\s]+$' }, path: { type: 'string', pattern: '^/' } },
    additionalProperties: false,
  },
  lock: 'alternatives',
  gather: query,
  plan: planSet,
  apply: (host, _c, ctx) => ua(host, ctx.args, ['--set', ctx.args.name, ctx.args.path]),
};

export const remove: StateFunction<AltArgs, Facts> = {
  schema: set.schema,
  lock: 'alternatives',
  gather: query,
  plan: (a, f) =>
    f.alternatives.some((x) => x.path === a.path) ? [{ op: 'delete', target: `${a.name}: ${a.path}` }] : [],
  apply: (host, _c, ctx) => ua(host, ctx.args, ['--remove', ctx.args.name, ctx.args.path]),
};
