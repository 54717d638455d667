// mount.mounted / mount.unmounted: a filesystem mounted now (mount(8)) and, with persist (the
// default, as in Salt), a line in /etc/fstab (or `config`). Mounted state is read from
// /proc/self/mounts on the target; the fstab line is matched by its mount point.
import { createTwoFilesPatch } from 'diff';
import { StateError } from '../../engine/errors.js';
import type { Host } from '../../engine/host/host.js';
import type { StateFunction } from '../../engine/contract.js';
import type { MountChange } from './changes.js';

export interface MountArgs {
  name: string;
  device: string;
  fstype: string;
  opts?: string | string[];
  mkmnt?: boolean;
  persist?: boolean;
  dump?: number;
  pass_num?: number;
  config?: string;
  mount?: boolean;
}

export interface MountEntry {
  device: string;
  name: string;
  fstype: string;
  opts: string[];
}

export interface MountFacts {
  mounted: MountEntry | null;
  fstab: string | null;
  dirExists: boolean;
}

const optsOf = (a: MountArgs): string[] =>
  (Array.isArray(a.opts) ? a.opts : (a.opts ?? 'defaults').split(',')).map((o) => o.trim()).filter(Boolean);
const configOf = (a: MountArgs) => a.config ?? '/etc/fstab';
const unescapeOctal = (s: string) => s.replace(/\\(\d{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)));

/** The last mount on `name` in /proc/self/mounts (the one that is visible). */
export function findMount(procMounts: string, name: string): MountEntry | null {
  let found: MountEntry | null = null;
  for (const l of procMounts.split('\n')) {
    const [device, mp, fstype, opts] = l.split(' ');
    if (mp && unescapeOctal(mp) === name)
      found = { device: unescapeOctal(device!), name, fstype: fstype!, opts: opts!.split(',') };
  }
  return found;
}

export function fstabLine(a: MountArgs): string {
  return [a.device, a.name, a.fstype, optsOf(a).join(','), String(a.dump ?? 0), String(a.pass_num ?? 0)].join('\t');
}

/** fstab with the entry for a.name replaced (or appended); whitespace-insensitive comparison. */
export function withFstab(text: string | null, a: MountArgs, remove = false): string {
  const lines = (text ?? '').split('\n');
  if (lines.at(-1) === '') lines.pop();
  const want = fstabLine(a);
  let done = false;
  const out = lines.flatMap((l) => {
    const f = l.trim().split(/\s+/);
    if (l.trim().startsWith('#') || f.length < 2 || f[1] !== a.name) return [l];
    if (remove || done) return [];
    done = true;
    return [l.trim().split(/\s+/).join(' ') === want.split('\t').join(' ') ? l : want];
  });
  if (!remove && !done) out.push(want);
  return out.length ? `${out.join('\n')}\n` : '';
}

// options the kernel shows differently or not at all: not compared
const IGNORED = new Set([
  'defaults',
  'auto',
  'noauto',
  'nofail',
  'user',
  'users',
  'owner',
  'group',
  '_netdev',
  'x-systemd.automount',
]);

/** An option as the kernel shows it: size in k, modes without leading zeros. */
export function normOpt(o: string): string {
  const [k, v] = o.split('=', 2) as [string, string | undefined];
  if (v === undefined) return o;
  if (k === 'size' || k === 'nr_blocks' || k === 'nr_inodes') {
    const m = /^(\d+)([kmgKMG]?)$/.exec(v);
    if (m && k === 'size') {
      const unit = { '': 1 / 1024, k: 1, m: 1024, g: 1024 * 1024 }[m[2]!.toLowerCase() as '' | 'k' | 'm' | 'g'];
      return `size=${Number(m[1]) * unit}k`;
    }
  }
  if (k === 'mode' && /^[0-7]+$/.test(v)) return `mode=${parseInt(v, 8).toString(8)}`;
  return o;
}

export function planMounted(a: MountArgs, f: MountFacts): MountChange[] {
  const changes: MountChange[] = [];
  const m = f.mounted;
  if (a.mount !== false) {
    if (!m) {
      if (!f.dirExists && !a.mkmnt)
        throw new StateError(a.name, `mount point ${a.name} does not exist (set mkmnt: True)`);
      changes.push({
        op: 'create',
        kind: 'mount',
        target: a.name,
        after: `${a.device} (${a.fstype}, ${optsOf(a).join(',')})`,
      });
    } else if (m.fstype !== a.fstype || (m.device !== a.device && a.fstype !== 'tmpfs')) {
      throw new StateError(
        a.name,
        `${m.device} (${m.fstype}) is mounted there, not ${a.device} (${a.fstype}); unmount it first`,
      );
    } else {
      const have = m.opts.map(normOpt);
      const missing = optsOf(a).filter((o) => !IGNORED.has(o) && !have.includes(normOpt(o)) && !o.startsWith('x-'));
      if (missing.length)
        changes.push({
          op: 'update',
          kind: 'remount',
          target: `${a.name} (options)`,
          before: m.opts.join(','),
          after: optsOf(a).join(','),
        });
    }
  }
  if (a.persist !== false) {
    const next = withFstab(f.fstab, a);
    const cfg = configOf(a);
    if (next !== (f.fstab ?? ''))
      changes.push({
        op: f.fstab === null ? 'create' : 'update',
        kind: 'config',
        target: cfg,
        diff: createTwoFilesPatch(cfg, cfg, f.fstab ?? '', next, undefined, undefined, { context: 3 }),
      });
  }
  return changes;
}

async function gather(host: Host, a: MountArgs): Promise<MountFacts> {
  const [r, fstab, st] = await Promise.all([
    host.exec(['cat', '/proc/self/mounts'], { readOnly: true }),
    host.readFile(configOf(a)),
    host.stat(a.name),
  ]);
  if (r.exitCode !== 0) throw new StateError(a.name, `reading /proc/self/mounts failed: ${r.stderr.trim()}`);
  return {
    mounted: findMount(r.stdout, a.name),
    fstab: fstab ? fstab.toString('utf8') : null,
    dirExists: st?.type === 'directory',
  };
}

async function mountCmd(host: Host, a: MountArgs, argv: string[]): Promise<void> {
  const r = await host.exec(argv, { env: { LC_ALL: 'C' } });
  if (r.exitCode !== 0)
    throw new StateError(
      a.name,
      `${argv.join(' ')} failed: ${r.stderr.trim().split('\n').pop() || `exit ${r.exitCode}`}`,
    );
}

export const mounted: StateFunction<MountArgs, MountFacts, MountChange> = {
  schema: {
    type: 'object',
    required: ['name', 'device', 'fstype'],
    properties: {
      name: { type: 'string', pattern: '^/' },
      device: { type: 'string', minLength: 1 },
      fstype: { type: 'string', minLength: 1 },
      opts: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
      mkmnt: { type: 'boolean' },
      persist: { type: 'boolean' },
      dump: { type: 'integer' },
      pass_num: { type: 'integer' },
      config: { type: 'string', pattern: '^/' },
      mount: { type: 'boolean' },
    },
    additionalProperties: false,
  },
  lock: 'mount',
  gather,
  plan: planMounted,
  async apply(host, changes, ctx) {
    const a = ctx.args;
    const cfg = configOf(a);
    if (changes.some((c) => c.kind === 'config')) {
      const st = await host.stat(cfg);
      await host.writeFileAtomic(cfg, withFstab(ctx.facts.fstab, a), st ? { mode: st.mode } : { mode: 0o644 });
    }
    if (changes.some((c) => c.kind === 'mount')) {
      if (!ctx.facts.dirExists) await host.mkdir(a.name, { recursive: true, mode: 0o755 });
      await mountCmd(host, a, ['mount', '-t', a.fstype, '-o', optsOf(a).join(','), a.device, a.name]);
    } else if (changes.some((c) => c.kind === 'remount')) {
      await mountCmd(host, a, [
        'mount',
        '-o',
        `remount,${optsOf(a)
          .filter((o) => o !== 'defaults')
          .join(',')}`,
        a.name,
      ]);
    }
  },
};

export const unmounted: StateFunction<
  Pick<MountArgs, 'name' | 'device' | 'fstype' | 'persist' | 'config'>,
  MountFacts,
  MountChange
> = {
  schema: {
    type: 'object',
    required: ['name'],
    properties: {
      name: { type: 'string', pattern: '^/' },
      device: { type: 'string' },
      persist: { type: 'boolean' },
      config: { type: 'string', pattern: '^/' },
    },
    additionalProperties: false,
  },
  lock: 'mount',
  gather: (host, a) => gather(host, a as MountArgs),
  plan(a, f) {
    const changes: MountChange[] = [];
    if (f.mounted)
      changes.push({
        op: 'delete',
        kind: 'mount',
        target: a.name,
        before: `${f.mounted.device} (${f.mounted.fstype})`,
      });
    if (a.persist) {
      const next = withFstab(f.fstab, a as MountArgs, true);
      if (next !== (f.fstab ?? ''))
        changes.push({
          op: 'update',
          kind: 'config',
          target: configOf(a as MountArgs),
          diff: createTwoFilesPatch('fstab', 'fstab', f.fstab ?? '', next),
        });
    }
    return changes;
  },
  async apply(host, changes, ctx) {
    const a = ctx.args as MountArgs;
    if (changes.some((c) => c.kind === 'mount')) await mountCmd(host, a, ['umount', a.name]);
    const cfg = configOf(a);
    if (changes.some((c) => c.kind === 'config')) await host.writeFileAtomic(cfg, withFstab(ctx.facts.fstab, a, true));
  },
};
