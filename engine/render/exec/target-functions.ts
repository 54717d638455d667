// Salt execution functions that read the target: each runs through the Host (a command or a
// stat), like Salt renders templates on the minion. Return values follow Salt 3006 on Linux.
// `kind: 'cmd'` runs a command the template wrote (never run speculatively, see session.ts);
// `kind: 'read'` only reads. `placeholder` stands in while a render round collects calls.
import type { Host } from '../../host/host.js';
import { TemplateFault } from '../pyvalue.js';
import { pyRegex } from '../filters-text.js';
import { splitCommand } from '../../shell-words.js';

export type Args = unknown[];

export interface TargetFunction {
  /** Python parameter names (keyword arguments bind to them); '*' collects positional names. */
  params: readonly string[];
  /** Accepted and ignored (they change logging or Salt internals only). */
  ignored?: readonly string[];
  kind: 'cmd' | 'read';
  /** The first parameter may be left out. */
  optional?: boolean;
  placeholder: unknown;
  run(host: Host, a: Args): Promise<unknown>;
}

const CMD_PARAMS = [
  'cmd',
  'cwd',
  'stdin',
  'runas',
  'group',
  'shell',
  'python_shell',
  'env',
  'clean_env',
  'template',
  'rstrip',
  'umask',
  'output_encoding',
  'output_loglevel',
  'log_callback',
  'hide_output',
  'timeout',
  'reset_system_locale',
  'ignore_retcode',
  'saltenv',
  'use_vt',
] as const;
const CMD_IGNORED = [
  'group',
  'output_encoding',
  'output_loglevel',
  'log_callback',
  'hide_output',
  'reset_system_locale',
  'ignore_retcode',
  'saltenv',
  'use_vt',
  'clean_env',
  'umask',
  'template',
];

/** Python's shlex.split, enough for python_shell=False commands. */
function shlexSplit(s: string): string[] {
  try {
    return splitCommand(s);
  } catch {
    throw new TemplateFault(`cmd: unbalanced quote in ${JSON.stringify(s)}`);
  }
}

interface CmdResult {
  retcode: number;
  stdout: string;
  stderr: string;
}

/** Runs a cmd.* command: through `sh -c` (Salt's default in templates) unless python_shell=False. */
async function runCmd(host: Host, a: Args, merge: boolean): Promise<CmdResult> {
  const [cmd, cwd, stdin, runas, , shell, pythonShell, env, , , rstrip, , , , , , timeout] = a;
  if (typeof cmd !== 'string' && !Array.isArray(cmd))
    throw new TemplateFault('cmd: the command must be a string or a list');
  let argv: string[];
  if (Array.isArray(cmd)) argv = cmd.map(String);
  else if (pythonShell === false) argv = shlexSplit(cmd);
  else {
    const sh = typeof shell === 'string' && shell ? shell : '/bin/sh';
    // cmd.run returns stdout and stderr together, in the order written
    argv = [sh, '-c', merge ? `exec 2>&1\n${cmd}` : cmd];
  }
  const envVars: Record<string, string> = {};
  if (env && typeof env === 'object')
    for (const [k, v] of Object.entries(env as Record<string, unknown>)) envVars[k] = String(v);
  const r = await host.exec(argv, {
    ...(typeof cwd === 'string' && cwd ? { cwd } : {}),
    ...(stdin != null ? { stdin: String(stdin) } : {}),
    ...(typeof runas === 'string' && runas ? { user: runas } : {}),
    ...(Object.keys(envVars).length ? { env: envVars } : {}),
    ...(timeout != null ? { timeoutMs: Number(timeout) * 1000 } : {}),
    readOnly: true,
  });
  const strip = rstrip === false ? (s: string) => s : (s: string) => s.replace(/\s+$/, '');
  return { retcode: r.timedOut ? 1 : r.exitCode, stdout: strip(r.stdout), stderr: strip(r.stderr) };
}

function cmdFn(kind: 'run' | 'stdout' | 'stderr' | 'retcode' | 'all', placeholder: unknown): TargetFunction {
  return {
    params: CMD_PARAMS,
    ignored: CMD_IGNORED,
    kind: 'cmd',
    placeholder,
    async run(host, a) {
      const r = await runCmd(host, a, kind === 'run');
      switch (kind) {
        case 'run':
          return r.stdout;
        case 'stdout':
          return r.stdout;
        case 'stderr':
          return r.stderr;
        case 'retcode':
          return r.retcode;
        default:
          return { pid: 0, retcode: r.retcode, stdout: r.stdout, stderr: r.stderr };
      }
    },
  };
}

async function sh(host: Host, script: string, ...args: string[]) {
  return host.exec(['sh', '-c', script, 'sh', ...args], { readOnly: true });
}

function read(
  params: readonly string[],
  placeholder: unknown,
  run: (host: Host, a: Args) => Promise<unknown>,
  optional = false,
): TargetFunction {
  return { params, kind: 'read', placeholder, run, optional };
}

function str(v: unknown, what: string): string {
  if (typeof v !== 'string' || !v) throw new TemplateFault(`${what}: a non-empty string is required`);
  return v;
}

async function statOf(host: Host, path: unknown, follow: unknown = true) {
  const p = str(path, 'path');
  return follow === false ? host.lstat(p) : host.stat(p);
}

/** Salt's user.info on Linux: {} when the user does not exist. */
async function userInfo(host: Host, name: string): Promise<Record<string, unknown>> {
  const r = await sh(host, 'getent passwd "$1" && id -Gn "$1"', name);
  if (r.exitCode !== 0) return {};
  const [pw = '', groups = ''] = r.stdout.split('\n');
  const f = pw.split(':');
  const gecos = (f[4] ?? '').split(',');
  return {
    name: f[0],
    passwd: f[1],
    uid: Number(f[2]),
    gid: Number(f[3]),
    fullname: gecos[0] ?? '',
    roomnumber: gecos[1] ?? '',
    workphone: gecos[2] ?? '',
    homephone: gecos[3] ?? '',
    other: gecos.slice(4).join(','),
    home: f[5],
    shell: f[6],
    groups: groups.split(/\s+/).filter(Boolean).sort(),
  };
}

/** Installed Debian packages: name -> {version, arch, description}. */
async function dpkgInstalled(host: Host, names: string[]): Promise<Map<string, Record<string, string>>> {
  const r = await host.exec(
    [
      'dpkg-query',
      '-W',
      '-f=${Package}\\t${db:Status-Status}\\t${Version}\\t${Architecture}\\t${binary:Summary}\\n',
      ...names,
    ],
    { readOnly: true },
  );
  const out = new Map<string, Record<string, string>>();
  for (const line of r.stdout.split('\n')) {
    const [name, status, version, arch, summary] = line.split('\t');
    if (name && status === 'installed')
      out.set(name, { version: version ?? '', arch: arch ?? '', description: summary ?? '' });
  }
  return out;
}

function pkgNames(a: Args): string[] {
  const names = a.filter((x) => x !== undefined && x !== null).map(String);
  if (!names.length) throw new TemplateFault('pkg: at least one package name is required');
  return names;
}

interface Route {
  addr_family: string;
  destination: string;
  gateway: string;
  netmask: string;
  flags: string;
  interface: string;
}

function prefixMask(bits: number): string {
  const m = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return [24, 16, 8, 0].map((s) => (m >>> s) & 255).join('.');
}

/** Salt's network.routes on Linux, from `ip route` (both families). */
async function routes(host: Host, family: unknown): Promise<Route[]> {
  const r = await sh(host, 'ip -4 route show table main 2>/dev/null; echo --; ip -6 route show table main 2>/dev/null');
  const [v4 = '', v6 = ''] = r.stdout.split('--\n');
  const out: Route[] = [];
  const parse = (text: string, fam: 'inet' | 'inet6') => {
    for (const line of text.split('\n')) {
      const w = line.trim().split(/\s+/);
      if (!w[0]) continue;
      const via = w.indexOf('via');
      const dev = w.indexOf('dev');
      const gw = via >= 0 ? w[via + 1]! : fam === 'inet' ? '0.0.0.0' : '::';
      let dest = w[0];
      let mask = '';
      if (fam === 'inet') {
        if (dest === 'default') [dest, mask] = ['0.0.0.0', '0.0.0.0'];
        else {
          const [ip, bits] = dest.split('/');
          [dest, mask] = [ip!, prefixMask(bits === undefined ? 32 : Number(bits))];
        }
      } else if (dest === 'default') dest = '::/0';
      out.push({
        addr_family: fam,
        destination: dest,
        gateway: gw,
        netmask: mask,
        flags: via >= 0 ? 'UG' : 'U',
        interface: dev >= 0 ? w[dev + 1]! : '',
      });
    }
  };
  if (family !== 'inet6') parse(v4, 'inet');
  if (family !== 'inet') parse(v6, 'inet6');
  return out;
}

function ipv4InCidr(ip: string, cidr: string): boolean {
  const [net, bitsS] = cidr.split('/');
  const bits = bitsS === undefined ? 32 : Number(bitsS);
  const n = (s: string) => s.split('.').reduce((acc, o) => (acc << 8) + Number(o), 0) >>> 0;
  if (!/^\d+\.\d+\.\d+\.\d+$/.test(ip) || !net) return false;
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return (n(ip) & mask) === (n(net) & mask);
}

const PRIVATE4 = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '169.254.0.0/16'];

async function ipAddrs(host: Host, a: Args, fam: '4' | '6'): Promise<string[]> {
  const [iface, includeLoopback, cidr, type] = a;
  const args = ['-o', `-${fam}`, 'addr', 'show', ...(typeof iface === 'string' && iface ? ['dev', iface] : [])];
  const r = await host.exec(['ip', ...args], { readOnly: true });
  const ips = new Set<string>();
  for (const line of r.stdout.split('\n')) {
    const m = /^\d+:\s+(\S+)\s+inet6?\s+([^/\s]+)/.exec(line);
    if (!m) continue;
    const ip = m[2]!;
    const loop = fam === '4' ? ip.startsWith('127.') : ip === '::1';
    if (loop && !includeLoopback) continue;
    if (typeof cidr === 'string' && fam === '4' && !ipv4InCidr(ip, cidr)) continue;
    if (fam === '4' && (type === 'public' || type === 'private')) {
      const priv = PRIVATE4.some((c) => ipv4InCidr(ip, c));
      if ((type === 'private') !== priv) continue;
    }
    ips.add(ip);
  }
  return [...ips].sort();
}

export const TARGET_FUNCTIONS: Record<string, TargetFunction> = {
  'cmd.run': cmdFn('run', ''),
  'cmd.shell': cmdFn('run', ''),
  'cmd.run_stdout': cmdFn('stdout', ''),
  'cmd.run_stderr': cmdFn('stderr', ''),
  'cmd.retcode': cmdFn('retcode', 0),
  'cmd.run_all': cmdFn('all', { pid: 0, retcode: 0, stdout: '', stderr: '' }),
  'cmd.has_exec': read(
    ['cmd'],
    false,
    async (h, [c]) => (await sh(h, 'command -v "$1" >/dev/null 2>&1', str(c, 'cmd.has_exec'))).exitCode === 0,
  ),
  'cmd.which': read(['cmd'], null, async (h, [c]) => {
    const r = await sh(h, 'command -v "$1"', str(c, 'cmd.which'));
    return r.exitCode === 0 && r.stdout.trim().startsWith('/') ? r.stdout.trim() : null;
  }),
  'file.file_exists': read(['path'], false, async (h, [p]) => (await statOf(h, p))?.type === 'file'),
  'file.directory_exists': read(['path'], false, async (h, [p]) => (await statOf(h, p))?.type === 'directory'),
  'file.exists': read(['path'], false, async (h, [p]) => (await statOf(h, p, false)) !== null),
  'file.is_link': read(['path'], false, async (h, [p]) => (await statOf(h, p, false))?.type === 'symlink'),
  'file.get_user': read(['path', 'follow_symlinks'], '', async (h, [p, f]) => (await statOf(h, p, f))?.user ?? false),
  'file.get_group': read(['path', 'follow_symlinks'], '', async (h, [p, f]) => (await statOf(h, p, f))?.group ?? false),
  'file.get_mode': read(['path', 'follow_symlinks'], '', async (h, [p, f]) => {
    const s = await statOf(h, p, f);
    return s ? `0${s.mode.toString(8).padStart(3, '0')}` : '';
  }),
  'file.read': read(['path', 'binary'], '', async (h, [p]) => {
    const b = await h.readFile(str(p, 'file.read'));
    if (b === null) throw new TemplateFault(`file.read: ${String(p)} does not exist on the target`);
    return b.toString('utf8');
  }),
  // Salt's: does a line (after lstrip of lchar's characters) match the Python regex? false when missing
  'file.contains_regex': read(['path', 'regex', 'lchar'], false, async (h, [p, re, lchar]) => {
    const rx = pyRegex(str(re, 'file.contains_regex: regex'), '');
    const b = await h.readFile(str(p, 'file.contains_regex'));
    if (b === null) return false;
    const strip = typeof lchar === 'string' && lchar ? new Set(lchar) : null;
    return b
      .toString('utf8')
      .split('\n')
      .some((line) => {
        let i = 0;
        while (strip && i < line.length && strip.has(line[i]!)) i++;
        return rx.test(line.slice(i));
      });
  }),
  'file.readlink': read(['path', 'canonicalize'], '', async (h, [p]) => {
    const t = await h.readlink(str(p, 'file.readlink'));
    if (t === null) throw new TemplateFault(`file.readlink: ${String(p)} is not a symbolic link`);
    return t;
  }),
  'user.info': read(['name'], {}, async (h, [n]) => userInfo(h, str(n, 'user.info'))),
  'group.info': read(['name'], {}, async (h, [n]) => {
    const r = await sh(h, 'getent group "$1"', str(n, 'group.info'));
    if (r.exitCode !== 0) return {};
    const f = r.stdout.trim().split(':');
    return { name: f[0], passwd: f[1], gid: Number(f[2]), members: (f[3] ?? '').split(',').filter(Boolean) };
  }),
  'pkg.version': read(['*'], '', async (h, a) => {
    const names = pkgNames(a);
    const got = await dpkgInstalled(h, names);
    if (names.length === 1) return got.get(names[0]!)?.version ?? '';
    return Object.fromEntries(names.map((n) => [n, got.get(n)?.version ?? '']));
  }),
  'pkg.info_installed': read(['*'], {}, async (h, a) => Object.fromEntries(await dpkgInstalled(h, pkgNames(a)))),
  'pkg.list_pkgs': read([], {}, async (h) => {
    const r = await h.exec(['dpkg-query', '-W', '-f=${Package}\\t${db:Status-Status}\\t${Version}\\n'], {
      readOnly: true,
    });
    const out: Record<string, string> = {};
    for (const line of r.stdout.split('\n')) {
      const [n, s, v] = line.split('\t');
      if (n && s === 'installed') out[n] = v ?? '';
    }
    return out;
  }),
  'network.routes': read(['family'], [], async (h, [f]) => routes(h, f), true),
  'network.default_route': read(
    ['family'],
    [],
    async (h, [f]) => (await routes(h, f)).filter((r) => r.destination === '0.0.0.0' || r.destination === '::/0'),
    true,
  ),
  'network.get_route': read(['ip'], {}, async (h, [ip]) => {
    const r = await h.exec(['ip', 'route', 'get', str(ip, 'network.get_route')], { readOnly: true });
    if (r.exitCode !== 0)
      throw new TemplateFault(`network.get_route: ${r.stderr.trim() || `no route to ${String(ip)}`}`);
    const w = r.stdout.split('\n')[0]!.trim().split(/\s+/);
    const at = (k: string) => (w.includes(k) ? w[w.indexOf(k) + 1]! : '');
    return { destination: ip, gateway: at('via') || null, interface: at('dev'), source: at('src') };
  }),
  'network.ip_addrs': read(
    ['interface', 'include_loopback', 'cidr', 'type'],
    [],
    async (h, a) => ipAddrs(h, a, '4'),
    true,
  ),
  'network.ip_addrs6': read(['interface', 'include_loopback', 'cidr'], [], async (h, a) => ipAddrs(h, a, '6'), true),
  'status.time': read(
    ['format'],
    '',
    async (h, [f]) => {
      const r = await h.exec(['date', `+${f == null ? '%A' : String(f)}`], { readOnly: true });
      return r.stdout.replace(/\n$/, '');
    },
    true,
  ),
};
