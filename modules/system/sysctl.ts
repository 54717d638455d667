// sysctl.present: a kernel parameter set now (sysctl -w) and at every boot (a `name = value` line
// in /etc/sysctl.d/99-salt.conf, or `config`), as Salt does on Debian. Where /proc/sys is
// read-only (a container), the line is still written and the state says, as a warning, that the
// running value cannot be set here.
import { StateError } from '../../engine/errors.js';
import type { Host } from '../../engine/host/host.js';
import { shell } from '../../engine/host/exec.js';
import { createTwoFilesPatch } from 'diff';
import type { StateCtx, StateFunction } from '../../engine/contract.js';
import type { SysctlChange } from './changes.js';

export interface SysctlArgs {
  name: string;
  value: string | number;
  config?: string;
}

export interface SysctlFacts {
  /** /proc/sys/<name> exists. */
  exists: boolean;
  /** The running value (null when unreadable). */
  running: string | null;
  /** The running value can be written (false: read-only /proc/sys, e.g. in a container). */
  writable: boolean;
  /** The config file's text, null when missing. */
  config: string | null;
}

export const DEFAULT_CONFIG = '/etc/sysctl.d/99-salt.conf';

const schema = {
  type: 'object',
  properties: {
    name: { type: 'string', pattern: '^[A-Za-z0-9_.*/-]+$' },
    value: { anyOf: [{ type: 'string' }, { type: 'number' }] },
    config: { type: 'string', pattern: '^/' },
  },
  required: ['name', 'value'],
  additionalProperties: false,
};

/** Whitespace-insensitive, like sysctl's tab-separated multi-value parameters. */
export const norm = (v: string | number | null): string =>
  String(v ?? '')
    .trim()
    .split(/\s+/)
    .join(' ');
const configOf = (a: SysctlArgs) => a.config ?? DEFAULT_CONFIG;
export const procPath = (name: string) => `/proc/sys/${name.includes('/') ? name : name.replace(/\./g, '/')}`;

/** The config text with `name = value` set: the key's line replaced in place, or appended. */
export function withSetting(text: string | null, name: string, value: string | number): string {
  const line = `${name} = ${norm(value)}`;
  const lines = (text ?? '').split('\n');
  if (lines.at(-1) === '') lines.pop();
  let found = false;
  const out = lines.flatMap((l) => {
    const m = /^\s*([^#;=\s][^=]*?)\s*=/.exec(l);
    if (!m || m[1] !== name) return [l];
    if (found) return []; // a later duplicate would win at boot: drop it
    found = true;
    return [line];
  });
  if (!found) out.push(line);
  return `${out.join('\n')}\n`;
}

export function planSysctl(a: SysctlArgs, f: SysctlFacts, warn: (m: string) => void = () => {}): SysctlChange[] {
  if (!f.exists) throw new StateError(a.name, `no kernel parameter '${a.name}' (${procPath(a.name)} does not exist)`);
  const changes: SysctlChange[] = [];
  const config = configOf(a);
  const want = withSetting(f.config, a.name, a.value);
  if (want !== f.config) {
    changes.push({
      op: f.config === null ? 'create' : 'update',
      kind: 'config',
      target: config,
      diff: createTwoFilesPatch(config, config, f.config ?? '', want, undefined, undefined, { context: 3 }),
    });
  }
  if (norm(f.running) !== norm(a.value)) {
    if (f.writable)
      changes.push({
        op: 'update',
        kind: 'value',
        target: a.name,
        before: f.running === null ? null : norm(f.running),
        after: norm(a.value),
      });
    else
      warn(
        `${a.name} is ${norm(f.running)} and cannot be set ` +
          `to ${norm(a.value)} here: ${procPath(a.name)} is read-only (a container?); ${config} sets it at boot`,
      );
  }
  return changes;
}

// $1: the /proc/sys path. Prints "exists", "w"/"ro", then the value.
const PROBE = `p="$1"
if [ ! -e "$p" ]; then echo missing; exit 0; fi
echo exists
if [ -w "$p" ]; then echo w; else echo ro; fi
cat "$p" 2>/dev/null || true`;

async function gather(host: Host, a: SysctlArgs): Promise<SysctlFacts> {
  const [r, config] = await Promise.all([
    shell(host, PROBE, [procPath(a.name)], { readOnly: true }),
    host.readFile(configOf(a)),
  ]);
  if (r.exitCode !== 0) throw new StateError(a.name, `reading ${procPath(a.name)} failed: ${r.stderr.trim()}`);
  const [state, w, ...value] = r.stdout.split('\n');
  return {
    exists: state === 'exists',
    running: state === 'exists' ? value.join('\n').replace(/\n+$/, '') : null,
    writable: w === 'w',
    config: config === null ? null : config.toString('utf8'),
  };
}

// sysctl -w where procps is installed, else the same write to /proc/sys
const ASSIGN = `if command -v sysctl >/dev/null 2>&1; then exec sysctl -q -w "$1=$2"; fi
printf '%s\\n' "$2" > "$3"`;

export const present: StateFunction<SysctlArgs, SysctlFacts, SysctlChange> = {
  schema,
  gather,
  plan: (a, f, ctx?: StateCtx<SysctlArgs>) => planSysctl(a, f, (m) => ctx?.log.warn(m)),
  async apply(host, changes, ctx) {
    const a = ctx.args;
    const cfg = configOf(a);
    if (changes.some((c) => c.kind === 'config')) {
      const st = await host.stat(cfg);
      if (!st) await host.mkdir(cfg.slice(0, cfg.lastIndexOf('/')) || '/', { recursive: true, mode: 0o755 });
      await host.writeFileAtomic(
        cfg,
        withSetting(ctx.facts.config, a.name, a.value),
        st ? { mode: st.mode } : { mode: 0o644 },
      );
    }
    if (changes.some((c) => c.kind === 'value')) {
      const r = await shell(host, ASSIGN, [a.name, norm(a.value), procPath(a.name)]);
      if (r.exitCode !== 0)
        throw new StateError(
          a.name,
          `sysctl -w ${a.name}=${norm(a.value)} failed: ${r.stderr.trim() || `exit ${r.exitCode}`}`,
        );
    }
  },
};
