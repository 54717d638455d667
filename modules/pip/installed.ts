// pip.installed: Python distributions installed with pip, as Salt's pip.installed: `name` (a
// requirement such as `foo` or `foo==1.2`), `pkgs`, or `requirements` files on the target, into the
// Python `bin_env` names (a virtualenv, a python or a pip script; default the target's python3).
//
// gather asks pip itself what an install would do (`pip install --dry-run --report`, pip >= 22.2),
// so the dry run lists exactly the distributions (dependencies too) the real run installs or
// upgrades, with their versions. A system Python marked EXTERNALLY-MANAGED (Debian 12, PEP 668)
// refuses pip installs: the plan fails naming the state unless extra_args carry
// --break-system-packages (Salt's onedir installs into its own Python; brine has none).

import { CommandError, StateError } from '../../engine/errors.js';
import type { Change, StateFunction } from '../../engine/contract.js';
import {
  hasDryRun,
  installedVersions,
  installOptions,
  normName,
  type PipInfo,
  pipEnv,
  pipInfo,
  pythonOf,
  requirementArgs,
} from './cli.js';

export interface PipInstalledArgs {
  name: string;
  pkgs?: string[];
  requirements?: string | string[];
  bin_env?: string;
  user?: string;
  cwd?: string;
  env_vars?: Record<string, unknown>;
  find_links?: string | string[];
  no_index?: boolean;
  index_url?: string;
  extra_index_url?: string | string[];
  upgrade?: boolean;
  pre_releases?: boolean;
  no_deps?: boolean;
  no_cache_dir?: boolean;
  proxy?: string;
  extra_args?: Array<string | Record<string, unknown>>;
  [k: string]: unknown;
}

export interface PipInstalledFacts {
  python: string;
  info: PipInfo;
  /** What `pip install` would install: normalised name -> [version now or null, version after]. */
  wouldInstall: Array<{ name: string; before: string | null; after: string }>;
}

type PipChange = Change<'dist', string | null, string>;

const strOrList = {
  anyOf: [
    { type: 'string', minLength: 1 },
    { type: 'array', items: { type: 'string' } },
  ],
};

export const installedSchema = {
  type: 'object',
  properties: {
    name: { type: 'string', minLength: 1 },
    pkgs: { type: 'array', items: { type: 'string', minLength: 1 } },
    requirements: {
      anyOf: [
        { type: 'string', pattern: '^/' },
        { type: 'array', items: { type: 'string', pattern: '^/' }, minItems: 1 },
      ],
    },
    bin_env: { type: 'string', pattern: '^/' },
    user: { type: 'string', minLength: 1 },
    cwd: { type: 'string', pattern: '^/' },
    env_vars: { type: 'object' },
    find_links: strOrList,
    no_index: { type: 'boolean' },
    index_url: { type: 'string' },
    extra_index_url: strOrList,
    upgrade: { type: 'boolean' },
    pre_releases: { type: 'boolean' },
    no_deps: { type: 'boolean' },
    no_cache_dir: { type: 'boolean' },
    proxy: { type: 'string' },
    extra_args: { type: 'array', items: { anyOf: [{ type: 'string' }, { type: 'object' }] } },
  },
  required: ['name'],
  additionalProperties: false,
};

const breaksSystem = (args: PipInstalledArgs) =>
  installOptions(args).includes('--break-system-packages') ||
  ['1', 'true', 'yes'].includes(String(args.env_vars?.PIP_BREAK_SYSTEM_PACKAGES ?? '').toLowerCase());

interface Report {
  install?: Array<{ metadata: { name: string; version: string } }>;
}

export const installed: StateFunction<PipInstalledArgs, PipInstalledFacts, PipChange> = {
  schema: installedSchema,
  lock: 'pip',
  inert: {
    log: 'brine keeps pip output in the state result',
    timeout: 'pip runs until it ends (the run has its own timeouts)',
    use_vt: 'brine runs pip without a terminal',
  },
  async gather(host, args, ctx) {
    const python = await pythonOf(host, args.bin_env, ctx.id);
    const o = pipEnv(args);
    const info = await pipInfo(host, python, o);
    if (!info.pip || !hasDryRun(info.pip)) return { python, info, wouldInstall: [] };
    const before = await installedVersions(host, python, o);
    const argv = [python, '-m', 'pip', 'install', '--dry-run', '--quiet', '--report', '-', ...installOptions(args)];
    const r = await host.exec([...argv, ...requirementArgs(args)], { ...o, readOnly: true });
    if (r.exitCode !== 0) throw new CommandError(r, `pip install --dry-run (${requirementArgs(args).join(' ')})`);
    const report = JSON.parse(r.stdout) as Report;
    const wouldInstall = (report.install ?? []).map(({ metadata: m }) => ({
      name: normName(m.name),
      before: before[normName(m.name)] ?? null,
      after: m.version,
    }));
    wouldInstall.sort((a, b) => a.name.localeCompare(b.name));
    return { python, info, wouldInstall };
  },
  plan(args, facts, ctx) {
    const { info, python } = facts;
    if (!info.pip) throw new StateError(ctx.id, `${python} has no pip (install python3-pip, or set bin_env)`);
    if (!hasDryRun(info.pip))
      throw new StateError(ctx.id, `pip ${info.pip} of ${python} has no install --dry-run (pip >= 22.2 is needed)`);
    if (facts.wouldInstall.length && info.managed && !breaksSystem(args))
      throw new StateError(
        ctx.id,
        `${python} is externally managed (PEP 668): set bin_env to a virtualenv, or extra_args: ` +
          `[--break-system-packages]`,
      );
    return facts.wouldInstall.map((d) => ({
      op: d.before === null ? 'create' : 'update',
      target: d.name,
      kind: 'dist',
      before: d.before,
      after: d.after,
    }));
  },
  async apply(host, changes, ctx) {
    const args = ctx.args;
    const argv = [
      ctx.facts.python,
      '-m',
      'pip',
      'install',
      '--quiet',
      ...installOptions(args),
      ...requirementArgs(args),
    ];
    const r = await host.exec(argv, { ...pipEnv(args), timeoutMs: 1_800_000 });
    if (r.exitCode !== 0) throw new CommandError(r, `pip install ${requirementArgs(args).join(' ')}`);
    return { comment: `Installed ${changes.map((c) => `${c.target}==${c.after}`).join(', ')}` };
  },
};
