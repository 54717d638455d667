// timezone.system: /etc/localtime -> /usr/share/zoneinfo/ZONE and /etc/timezone (Debian), through
// timedatectl when systemd runs (timedated then knows), else an atomic symlink swap; `utc` sets
// whether the hardware clock keeps UTC (/etc/adjtime).
import { StateError } from '../../engine/errors.js';
import type { Host } from '../../engine/host/host.js';
import { shell } from '../../engine/host/exec.js';
import type { StateFunction } from '../../engine/contract.js';
import type { TimezoneChange } from './changes.js';

export interface TimezoneArgs {
  name: string;
  utc?: boolean;
  [k: string]: unknown;
}

export interface TimezoneFacts {
  systemd: boolean;
  zoneExists: boolean;
  /** Where /etc/localtime points, null when it is not a symlink. */
  localtime: string | null;
  /** /etc/timezone's text, null when missing. */
  timezoneFile: string | null;
  /** /etc/adjtime's text, null when missing (which means UTC). */
  adjtime: string | null;
}

const ZONEINFO = '/usr/share/zoneinfo/';

/** The zone a /etc/localtime link names (absolute or relative link). */
export function zoneOfLink(target: string | null): string | null {
  if (!target) return null;
  const i = target.indexOf('zoneinfo/');
  return i >= 0 ? target.slice(i + 'zoneinfo/'.length) : null;
}

export function adjtimeMode(text: string | null): 'UTC' | 'LOCAL' {
  return text?.split('\n')[2]?.trim() === 'LOCAL' ? 'LOCAL' : 'UTC';
}

export function planTimezone(args: TimezoneArgs, f: TimezoneFacts): TimezoneChange[] {
  if (!f.zoneExists)
    throw new StateError(
      args.name,
      `unknown time zone '${args.name}' (no ${ZONEINFO}${args.name}; is tzdata installed?)`,
    );
  const changes: TimezoneChange[] = [];
  const current = zoneOfLink(f.localtime);
  if (current !== args.name)
    changes.push({
      op: 'update',
      kind: 'localtime',
      target: '/etc/localtime',
      before: current ?? (f.localtime === null ? 'not a symlink' : f.localtime),
      after: args.name,
    });
  const tzText = f.timezoneFile?.trim() ?? null;
  if (tzText !== args.name)
    changes.push({
      op: tzText === null ? 'create' : 'update',
      kind: 'timezone-file',
      target: '/etc/timezone',
      ...(tzText !== null ? { before: tzText } : {}),
      after: args.name,
    });
  if (args.utc !== undefined) {
    const want = args.utc ? 'UTC' : 'LOCAL';
    if (adjtimeMode(f.adjtime) !== want)
      changes.push({
        op: 'update',
        kind: 'hardware-clock',
        target: 'hardware clock',
        before: adjtimeMode(f.adjtime),
        after: want,
      });
  }
  return changes;
}

async function gather(host: Host, args: TimezoneArgs): Promise<TimezoneFacts> {
  const name = args.name.replace(/^\/+/, '');
  const [sys, zone, link, tz, adj] = await Promise.all([
    host.stat('/run/systemd/system'),
    name.includes('..') ? null : host.stat(`${ZONEINFO}${name}`),
    host.readlink('/etc/localtime'),
    host.readFile('/etc/timezone'),
    host.readFile('/etc/adjtime'),
  ]);
  return {
    systemd: sys?.type === 'directory',
    zoneExists: zone?.type === 'file',
    localtime: link,
    timezoneFile: tz ? tz.toString('utf8') : null,
    adjtime: adj ? adj.toString('utf8') : null,
  };
}

export const system: StateFunction<TimezoneArgs, TimezoneFacts, TimezoneChange> = {
  schema: {
    type: 'object',
    required: ['name'],
    properties: { name: { type: 'string', pattern: '^[A-Za-z0-9_+-]+(/[A-Za-z0-9_+-]+)*$' }, utc: { type: 'boolean' } },
    additionalProperties: false,
  },
  gather,
  plan: planTimezone,
  async apply(host, changes, ctx) {
    const { name } = ctx.args;
    const has = (k: TimezoneChange['kind']) => changes.some((c) => c.kind === k);
    if (has('localtime')) {
      let done = false;
      if (ctx.facts.systemd) done = (await host.exec(['timedatectl', 'set-timezone', name])).exitCode === 0;
      if (!done) {
        const r = await shell(
          host,
          'ln -sfn "$1" /etc/.localtime.brine && mv -Tf /etc/.localtime.brine /etc/localtime',
          [`${ZONEINFO}${name}`],
        );
        if (r.exitCode !== 0) throw new StateError(name, `setting /etc/localtime failed: ${r.stderr.trim()}`);
      }
    }
    // timedatectl may or may not write Debian's /etc/timezone: check what is there now
    const tz = await host.readFile('/etc/timezone');
    if (tz?.toString('utf8').trim() !== name) await host.writeFileAtomic('/etc/timezone', `${name}\n`, { mode: 0o644 });
    if (has('hardware-clock')) {
      const want = ctx.args.utc ? 'UTC' : 'LOCAL';
      const lines = (ctx.facts.adjtime ?? '0.0 0 0.0\n0\nUTC\n').split('\n');
      while (lines.length < 3) lines.push(lines.length === 2 ? 'UTC' : '0');
      lines[2] = want;
      await host.writeFileAtomic('/etc/adjtime', `${lines.slice(0, 3).join('\n')}\n`, { mode: 0o644 });
    }
  },
};
