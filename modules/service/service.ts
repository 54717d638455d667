// service.running / dead / enabled / disabled / masked / unmasked on systemd. A unit file that
// changed on disk (NeedDaemonReload) is planned as a daemon-reload before anything else, and a
// running service whose unit changed is restarted so its new definition takes effect.
import { StateError } from '../../engine/errors.js';
import { MissingFactError } from '../../engine/run/missing-fact.js';
import type { Host } from '../../engine/host/host.js';
import { shell } from '../../engine/host/exec.js';
import type { JSONSchema, StateFunction } from '../../engine/contract.js';
import type { ServiceChange } from './changes.js';
import { readUnits, type UnitFacts, unitName } from './units.js';

export interface ServiceArgs {
  name: string;
  enable?: boolean;
  reload?: boolean;
  unmask?: boolean;
  [k: string]: unknown;
}

const OFFLINE = 'unknown (systemd is not running)';
/** Unit-file states in which "enable: True" has nothing to do. */
const ENABLED_OK = new Set(['enabled', 'enabled-runtime', 'static', 'alias', 'indirect', 'generated', 'transient']);
const ENABLED = new Set(['enabled', 'enabled-runtime', 'linked', 'linked-runtime']);
const RUNNING = new Set(['active', 'reloading', 'refreshing']);

const name: JSONSchema = { type: 'string', pattern: '^[A-Za-z0-9:_.@\\\\-]+$' };
const schemaWith = (props: Record<string, JSONSchema>): JSONSchema => ({
  type: 'object',
  required: ['name'],
  properties: { name, ...props },
  additionalProperties: false,
});

function notFound(f: UnitFacts): StateError {
  return new MissingFactError(
    'unit',
    f.unit,
    f.unit,
    `unit ${f.unit} not found${f.systemd ? '' : ' (systemd is not running; no unit file either)'}`,
  );
}

function isMasked(f: UnitFacts): boolean {
  return f.load === 'masked' || f.fileState.startsWith('masked');
}

function enableChanges(args: ServiceArgs, f: UnitFacts): ServiceChange[] {
  if (args.enable === true && !ENABLED_OK.has(f.fileState))
    return [{ op: 'update', kind: 'enabled', target: 'enabled', before: f.fileState || 'none', after: 'enabled' }];
  if (args.enable === false && ENABLED.has(f.fileState))
    return [{ op: 'update', kind: 'enabled', target: 'enabled', before: f.fileState, after: 'disabled' }];
  return [];
}

const reloadChange = (f: UnitFacts): ServiceChange[] =>
  f.needReload
    ? [{ op: 'run', kind: 'daemon-reload', target: 'daemon-reload', after: `${f.unit} changed on disk` }]
    : [];

export function planRunning(args: ServiceArgs, f: UnitFacts): ServiceChange[] {
  const changes: ServiceChange[] = [];
  if (isMasked(f)) {
    if (!args.unmask)
      throw new StateError(f.unit, `unit ${f.unit} is masked (set unmask: True or use service.unmasked)`);
    changes.push({ op: 'update', kind: 'masked', target: 'masked', before: true, after: false });
  } else if (f.load === 'not-found' && !f.needReload) {
    throw notFound(f);
  }
  changes.push(...reloadChange(f));
  if (!f.systemd) changes.push({ op: 'update', kind: 'running', target: 'running', before: OFFLINE, after: 'active' });
  else if (!RUNNING.has(f.active))
    changes.push({ op: 'update', kind: 'running', target: 'running', before: f.active, after: 'active' });
  else if (f.needReload)
    changes.push({ op: 'run', kind: 'restart', target: 'restart', after: 'restart: its unit file changed' });
  changes.push(...enableChanges(args, isMasked(f) ? { ...f, fileState: 'disabled' } : f));
  return changes;
}

export function planDead(args: ServiceArgs, f: UnitFacts): ServiceChange[] {
  if (f.load === 'not-found' && !f.fileState) return []; // no unit: nothing runs
  const changes: ServiceChange[] = [];
  if (f.systemd && f.active !== 'inactive' && f.active !== 'failed') {
    changes.push(...reloadChange(f), {
      op: 'update',
      kind: 'running',
      target: 'running',
      before: f.active,
      after: 'inactive',
    });
  }
  if (!isMasked(f)) changes.push(...enableChanges(args, f));
  return changes;
}

export function planEnabled(f: UnitFacts, want: boolean): ServiceChange[] {
  if (want) {
    if (isMasked(f)) throw new StateError(f.unit, `unit ${f.unit} is masked (use service.unmasked first)`);
    if (f.load === 'not-found' && !f.fileState) throw notFound(f);
  }
  return enableChanges({ name: f.unit, enable: want }, f);
}

export function planMasked(f: UnitFacts, want: boolean): ServiceChange[] {
  return isMasked(f) === want ? [] : [{ op: 'update', kind: 'masked', target: 'masked', before: !want, after: want }];
}

async function systemctl(host: Host, unit: string, verb: string[], online: boolean): Promise<void> {
  if (!online) throw new StateError(unit, `cannot ${verb[0]} ${unit}: systemd is not running on this host`);
  const r = await host.exec(['systemctl', ...verb, ...(verb[0] === 'daemon-reload' ? [] : [unit])], {
    env: { LC_ALL: 'C' },
  });
  if (r.exitCode === 0) return;
  let why = r.stderr.trim().split('\n')[0] ?? `exit ${r.exitCode}`;
  if (['start', 'restart', 'reload-or-restart'].includes(verb[0]!)) {
    // the unit's own output first (its error), else what systemd logged about it
    const log = await shell(
      host,
      'out=$(journalctl "_SYSTEMD_UNIT=$1" -n 3 --no-pager -o cat 2>/dev/null); [ -n "$out" ] && echo "$out" || ' +
        'journalctl -u "$1" -n 3 --no-pager -o cat',
      [unit],
      { env: { LC_ALL: 'C' } },
    );
    const tail = log.stdout.trim().split('\n').filter(Boolean).join(' | ');
    if (tail) why = `${why} -- last log: ${tail}`;
  }
  throw new StateError(unit, `systemctl ${verb.join(' ')} ${unit} failed: ${why}`);
}

/** Runs planned changes in a safe order: daemon-reload, unmask, enable/disable, start/stop, mask. */
async function applyChanges(host: Host, changes: ServiceChange[], f: UnitFacts): Promise<void> {
  const has = <K extends ServiceChange['kind']>(k: K) =>
    changes.find((c): c is Extract<ServiceChange, { kind: K }> => c.kind === k);
  const unit = f.unit;
  if (has('daemon-reload')) await systemctl(host, unit, ['daemon-reload'], f.systemd);
  const mask = has('masked');
  if (mask && mask.after === false) await systemctl(host, unit, ['unmask'], true);
  const en = has('enabled');
  if (en) await systemctl(host, unit, [en.after === 'enabled' ? 'enable' : 'disable'], true);
  const run = has('running');
  if (run) await systemctl(host, unit, [run.after === 'active' ? 'start' : 'stop'], f.systemd);
  if (has('restart')) await systemctl(host, unit, ['restart'], f.systemd);
  if (mask && mask.after === true) await systemctl(host, unit, ['mask'], true);
}

function make(
  schema: JSONSchema,
  plan: (args: ServiceArgs, f: UnitFacts) => ServiceChange[],
  extra: Partial<StateFunction<ServiceArgs, UnitFacts, ServiceChange>> = {},
): StateFunction<ServiceArgs, UnitFacts, ServiceChange> {
  return {
    schema,
    gather: async (host, args) => (await readUnits(host, [args.name]))[0]!,
    gatherMany: (host, items) =>
      readUnits(
        host,
        items.map((i) => i.args.name),
      ),
    plan,
    apply: (host, changes, ctx) => applyChanges(host, changes, ctx.facts),
    ...extra,
  };
}

export const running = make(
  schemaWith({ enable: { type: 'boolean' }, reload: { type: 'boolean' }, unmask: { type: 'boolean' } }),
  planRunning,
  {
    refreshVerb: (args) => (args.reload ? 'reload' : 'restart'),
    // a start or a restart in the plan is the refresh; enabling or unmasking alone is not
    refreshCoveredBy: (plan) => plan.some((c) => c.kind === 'running' || c.kind === 'restart'),
    async refresh(host, args) {
      const [f] = await readUnits(host, [args.name]);
      if (f!.needReload) await systemctl(host, f!.unit, ['daemon-reload'], f!.systemd);
      await systemctl(host, unitName(args.name), [args.reload ? 'reload-or-restart' : 'restart'], f!.systemd);
      return { comment: `${args.reload ? 'reloaded' : 'restarted'} ${unitName(args.name)}` };
    },
  },
);
export const dead = make(schemaWith({ enable: { type: 'boolean' } }), planDead);
export const enabled = make(schemaWith({}), (_a, f) => planEnabled(f, true));
export const disabled = make(schemaWith({}), (_a, f) => planEnabled(f, false));
export const masked = make(schemaWith({}), (_a, f) => planMasked(f, true));
export const unmasked = make(schemaWith({}), (_a, f) => planMasked(f, false));
