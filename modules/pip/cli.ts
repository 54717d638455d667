// pip through a Host: which interpreter `bin_env` means, what that pip is (version, whether its
// Python is externally managed, PEP 668), and the argv of `pip install` for a pip.installed state.

import { CommandError, StateError } from '../../engine/errors.js';
import type { ExecOptions, Host } from '../../engine/host/host.js';
import type { PipInstalledArgs } from './installed.js';

/** Salt's bin_env: a virtualenv directory, a python, or a pip executable; default python3. */
export async function pythonOf(host: Host, binEnv: string | undefined, id: string): Promise<string> {
  if (!binEnv) return 'python3';
  const st = await host.stat(binEnv);
  if (st?.type === 'directory') return `${binEnv.replace(/\/+$/, '')}/bin/python`;
  if (/^python[0-9.]*$/.test(binEnv.split('/').pop()!)) return binEnv;
  // a pip executable: the interpreter of its #! line
  const head = (await host.readFile(binEnv))?.subarray(0, 512).toString('utf8') ?? '';
  const m = /^#!\s*(\S+)/.exec(head);
  if (!m) throw new StateError(id, `bin_env ${binEnv} is neither a virtualenv, a python nor a pip script`);
  return m[1]!;
}

export interface PipInfo {
  /** pip's version, or null when this Python has no pip. */
  pip: string | null;
  /** The Python is a system one marked EXTERNALLY-MANAGED (PEP 668) and not a virtualenv. */
  managed: boolean;
}

const PROBE = [
  'import json, os, sys, sysconfig',
  'try:\n import pip; v = pip.__version__\nexcept Exception:\n v = None',
  "base = getattr(sys, 'base_prefix', sys.prefix)",
  "m = sys.prefix == base and os.path.exists(os.path.join(sysconfig.get_path('stdlib'), 'EXTERNALLY-MANAGED'))",
  "print(json.dumps({'pip': v, 'managed': m}))",
].join('\n');

export async function pipInfo(host: Host, python: string, o: ExecOptions): Promise<PipInfo> {
  const r = await host.exec([python, '-c', PROBE], { ...o, readOnly: true });
  if (r.exitCode !== 0) throw new CommandError(r, `${python} (pip.installed's interpreter) cannot run`);
  return JSON.parse(r.stdout) as PipInfo;
}

/** pip >= 22.2 has `install --dry-run --report`, which the dry run needs to be exact. */
export function hasDryRun(version: string): boolean {
  const [a = 0, b = 0] = version.split('.').map((x) => Number.parseInt(x, 10));
  return a > 22 || (a === 22 && b >= 2);
}

/** Installed distributions: lower-case normalised name -> version. */
export async function installedVersions(host: Host, python: string, o: ExecOptions): Promise<Record<string, string>> {
  const r = await host.exec([python, '-m', 'pip', 'list', '--format=json', '--disable-pip-version-check'], {
    ...o,
    readOnly: true,
  });
  if (r.exitCode !== 0) throw new CommandError(r, 'pip list');
  const out: Record<string, string> = {};
  for (const d of JSON.parse(r.stdout) as Array<{ name: string; version: string }>) out[normName(d.name)] = d.version;
  return out;
}

/** PEP 503 name normalisation. */
export const normName = (n: string) => n.toLowerCase().replace(/[-_.]+/g, '-');

const list = (v: string | string[] | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** Salt's extra_args: strings, or one-key maps {'--flag': value} (null: the flag alone). */
function extraArgs(args: PipInstalledArgs): string[] {
  return (args.extra_args ?? []).flatMap((e) =>
    typeof e === 'string'
      ? [e]
      : Object.entries(e).flatMap(([k, v]) => (v === null || v === undefined ? [k] : [k, String(v)])),
  );
}

/** What to install: `name` (unless pkgs or requirements say it all), pkgs, -r requirements. */
export function requirementArgs(args: PipInstalledArgs): string[] {
  const pkgs = args.pkgs ?? (args.requirements ? [] : [args.name]);
  return [...pkgs, ...list(args.requirements).flatMap((r) => ['-r', r])];
}

/** `pip install` options of the state, without what to install. */
export function installOptions(args: PipInstalledArgs): string[] {
  const o = ['--disable-pip-version-check', '--no-input'];
  if (args.no_index) o.push('--no-index');
  if (args.index_url) o.push('--index-url', args.index_url);
  for (const u of list(args.extra_index_url)) o.push('--extra-index-url', u);
  for (const f of list(args.find_links)) o.push('--find-links', f);
  if (args.upgrade) o.push('--upgrade');
  if (args.pre_releases) o.push('--pre');
  if (args.no_deps) o.push('--no-deps');
  if (args.no_cache_dir) o.push('--no-cache-dir');
  if (args.proxy) o.push('--proxy', args.proxy);
  return [...o, ...extraArgs(args)];
}

export function pipEnv(args: PipInstalledArgs): ExecOptions {
  const o: ExecOptions = {};
  if (args.user) o.user = args.user;
  if (args.cwd) o.cwd = args.cwd;
  if (args.env_vars) o.env = Object.fromEntries(Object.entries(args.env_vars).map(([k, v]) => [k, String(v)]));
  return o;
}
