// The execution functions module.run/module.wait can call: Salt's names and parameters, carried
// out through the Host (so --root and SSH work as for every state). Results follow Salt's
// module.run: a function returning False, or a dict whose retcode is not 0, fails the state.
import type { Host } from '../../engine/host/host.js';
import { shell } from '../../engine/host/exec.js';

export interface FnResult {
  result: boolean;
  /** What the function returned (Salt's `ret`), for the report. */
  ret: unknown;
}

export interface ExecFunction {
  /** Salt's parameter names in order (positional arguments bind to them). */
  params: string[];
  /** Parameters without a default. */
  required: string[];
  /** Takes extra positional arguments (Salt's *args), e.g. file.write's lines. */
  varargs?: boolean;
  run(host: Host, a: Record<string, unknown>, rest: unknown[]): Promise<FnResult>;
}

const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v));
const mode = (v: unknown): number => parseInt(String(v), 8);

async function command(host: Host, a: Record<string, unknown>) {
  const env =
    a.env && typeof a.env === 'object'
      ? Object.fromEntries(Object.entries(a.env as Record<string, unknown>).map(([k, v]) => [k, str(v)]))
      : undefined;
  return host.exec([a.shell ? str(a.shell) : 'sh', '-c', str(a.cmd)], {
    ...(a.cwd ? { cwd: str(a.cwd) } : {}),
    ...(a.runas ? { user: str(a.runas) } : {}),
    ...(env ? { env } : {}),
    ...(a.stdin !== undefined ? { stdin: str(a.stdin) } : {}),
  });
}

const CMD_PARAMS = ['cmd', 'cwd', 'stdin', 'runas', 'shell', 'env'];
const strip = (s: string) => s.replace(/\n$/, '');

function systemctl(verb: string, ok: (code: number) => boolean = (c) => c === 0): ExecFunction {
  return {
    params: ['name'],
    required: ['name'],
    async run(host, a) {
      const r = await host.exec(['systemctl', verb, str(a.name)], { env: { LC_ALL: 'C' } });
      return { result: ok(r.exitCode), ret: ok(r.exitCode) ? true : strip(r.stderr) || false };
    },
  };
}

/** mkdir -p through the Host, then owner/mode when given. */
async function mkdirs(host: Host, path: string, a: Record<string, unknown>): Promise<void> {
  await host.mkdir(path, {
    recursive: true,
    ...(a.mode !== undefined && a.mode !== null ? { mode: mode(a.mode) } : {}),
  });
  if (a.user || a.group) await chown(host, path, a.user, a.group);
}

async function chown(host: Host, path: string, user: unknown, group: unknown): Promise<boolean> {
  const spec = `${str(user)}${group ? `:${str(group)}` : ''}`;
  const r = await shell(host, 'exec chown "$1" "${BRINE_ROOT-}$2"', [spec, path]);
  return r.exitCode === 0;
}

async function writeLines(host: Host, path: string, lines: unknown[], append: boolean): Promise<FnResult> {
  const st = await host.stat(path);
  const old = append ? ((await host.readFile(path))?.toString('utf8') ?? '') : '';
  const sep = old && !old.endsWith('\n') ? '\n' : '';
  const text = old + sep + lines.map((l) => `${str(l)}\n`).join('');
  await host.writeFileAtomic(path, text, st ? { mode: st.mode, owner: st.user, group: st.group } : {});
  return { result: true, ret: `Wrote ${lines.length} lines to "${path}"` };
}

/**
 * Salt's aptpkg.refresh_db: `apt-get -q update` (skipped while the lists are newer than
 * cache_valid_time seconds), returning each index line as Salt does: Get -> true, Hit -> null,
 * Ign/Err -> false. apt's failure fails the call; a repository's Err only with failhard.
 */
export async function refreshDb(host: Host, validFor: number, failhard: boolean): Promise<FnResult> {
  if (validFor > 0) {
    const age = await host.exec(['sh', '-c', 'echo $(( $(date +%s) - $(stat -c %Y /var/lib/apt/lists) ))'], {
      readOnly: true,
    });
    if (age.exitCode === 0 && Number(age.stdout.trim()) < validFor) return { result: true, ret: {} };
  }
  const r = await host.exec(['apt-get', '-q', '-o', 'DPkg::Lock::Timeout=60', 'update'], {
    env: { DEBIAN_FRONTEND: 'noninteractive', LC_ALL: 'C' },
  });
  if (r.exitCode !== 0) return { result: false, ret: strip(r.stderr) || `apt-get update exited ${r.exitCode}` };
  const ret: Record<string, boolean | null> = {};
  const errors: string[] = [];
  for (const line of r.stdout.split('\n')) {
    const cols = line.trim().split(/\s+/);
    if (!cols[0]) continue;
    let ident = cols.slice(1).join(' ');
    if (cols[0].includes('Get')) ret[(ident = ident.replace(/ \[.+B\]$/, ''))] = true;
    else if (cols[0].includes('Ign')) ret[ident] = false;
    else if (cols[0].includes('Hit')) ret[ident] = null;
    else if (cols[0].includes('Err')) {
      ret[ident] = false;
      errors.push(ident);
    }
  }
  if (failhard && errors.length) return { result: false, ret: `Error getting repos: ${errors.join(', ')}` };
  return { result: true, ret };
}

export const FUNCTIONS: Record<string, ExecFunction> = {
  'cmd.run': {
    params: CMD_PARAMS,
    required: ['cmd'],
    async run(host, a) {
      const r = await command(host, a);
      return { result: true, ret: strip(r.stdout + (r.stderr ? `\n${r.stderr}` : '')) };
    },
  },
  'cmd.shell': {
    params: CMD_PARAMS,
    required: ['cmd'],
    async run(host, a) {
      const r = await command(host, a);
      return { result: true, ret: strip(r.stdout + (r.stderr ? `\n${r.stderr}` : '')) };
    },
  },
  'cmd.run_stdout': {
    params: CMD_PARAMS,
    required: ['cmd'],
    async run(host, a) {
      return { result: true, ret: strip((await command(host, a)).stdout) };
    },
  },
  'cmd.retcode': {
    params: CMD_PARAMS,
    required: ['cmd'],
    async run(host, a) {
      return { result: true, ret: (await command(host, a)).exitCode };
    },
  },
  'cmd.run_all': {
    params: CMD_PARAMS,
    required: ['cmd'],
    async run(host, a) {
      const r = await command(host, a);
      return {
        result: r.exitCode === 0,
        ret: { retcode: r.exitCode, stdout: strip(r.stdout), stderr: strip(r.stderr), pid: 0 },
      };
    },
  },
  'service.start': systemctl('start'),
  'service.stop': systemctl('stop'),
  'service.restart': systemctl('restart'),
  'service.reload': systemctl('reload'),
  'service.enable': systemctl('enable'),
  'service.disable': systemctl('disable'),
  'service.mask': systemctl('mask'),
  'service.unmask': systemctl('unmask'),
  'service.systemctl_reload': {
    params: [],
    required: [],
    async run(host) {
      const r = await host.exec(['systemctl', 'daemon-reload']);
      return { result: r.exitCode === 0, ret: r.exitCode === 0 };
    },
  },
  'file.touch': {
    params: ['name'],
    required: ['name'],
    async run(host, a) {
      const p = str(a.name);
      const r = await shell(host, 'exec touch "${BRINE_ROOT-}$1"', [p]);
      return { result: r.exitCode === 0, ret: r.exitCode === 0 || strip(r.stderr) };
    },
  },
  'file.remove': {
    params: ['path'],
    required: ['path'],
    async run(host, a) {
      await host.remove(str(a.path), { recursive: true });
      return { result: true, ret: true };
    },
  },
  'file.mkdir': {
    params: ['dir_path', 'user', 'group', 'mode'],
    required: ['dir_path'],
    async run(host, a) {
      await mkdirs(host, str(a.dir_path), a);
      return { result: true, ret: true };
    },
  },
  'file.makedirs': {
    params: ['path', 'user', 'group', 'mode'],
    required: ['path'],
    async run(host, a) {
      // Salt: the parent directories of path (a trailing slash makes path itself one)
      const p = str(a.path);
      const dir = p.endsWith('/') ? p : p.slice(0, p.lastIndexOf('/')) || '/';
      await mkdirs(host, dir, a);
      return { result: true, ret: `Directory '${dir}' created` };
    },
  },
  'file.copy': {
    params: ['src', 'dst', 'recurse'],
    required: ['src', 'dst'],
    async run(host, a) {
      const r = await shell(host, 'r="${BRINE_ROOT-}"; exec cp $3 -p "$r$1" "$r$2"', [
        str(a.src),
        str(a.dst),
        a.recurse ? '-r' : '',
      ]);
      return { result: r.exitCode === 0, ret: r.exitCode === 0 || strip(r.stderr) };
    },
  },
  'file.rename': {
    params: ['src', 'dst'],
    required: ['src', 'dst'],
    async run(host, a) {
      await host.rename(str(a.src), str(a.dst));
      return { result: true, ret: true };
    },
  },
  'file.symlink': {
    params: ['src', 'path', 'force'],
    required: ['src', 'path'],
    async run(host, a) {
      const r = await shell(host, 'exec ln -s $3 "$1" "${BRINE_ROOT-}$2"', [
        str(a.src),
        str(a.path),
        a.force ? '-f' : '',
      ]);
      return { result: r.exitCode === 0, ret: r.exitCode === 0 || strip(r.stderr) };
    },
  },
  'file.chown': {
    params: ['path', 'user', 'group'],
    required: ['path', 'user', 'group'],
    async run(host, a) {
      const ok = await chown(host, str(a.path), a.user, a.group);
      return { result: ok, ret: ok };
    },
  },
  'file.set_mode': {
    params: ['path', 'mode'],
    required: ['path', 'mode'],
    async run(host, a) {
      const r = await shell(host, 'exec chmod "$1" "${BRINE_ROOT-}$2"', [String(a.mode), str(a.path)]);
      return { result: r.exitCode === 0, ret: r.exitCode === 0 ? String(a.mode) : strip(r.stderr) };
    },
  },
  'file.write': {
    params: ['path'],
    required: ['path'],
    varargs: true,
    run: (host, a, rest) => writeLines(host, str(a.path), rest, false),
  },
  'file.append': {
    params: ['path'],
    required: ['path'],
    varargs: true,
    run: (host, a, rest) => writeLines(host, str(a.path), rest, true),
  },
  'pkg.refresh_db': {
    params: ['cache_valid_time', 'failhard'],
    required: [],
    async run(host, a) {
      return refreshDb(host, Number(a.cache_valid_time ?? 0), a.failhard === true);
    },
  },
  'test.true': { params: [], required: [], run: async () => ({ result: true, ret: true }) },
  'test.false': { params: [], required: [], run: async () => ({ result: false, ret: false }) },
  'test.ping': { params: [], required: [], run: async () => ({ result: true, ret: true }) },
};

export const FUNCTION_NAMES = Object.keys(FUNCTIONS).sort();
