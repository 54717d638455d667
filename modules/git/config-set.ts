// git.config_set: one git config key of a repository (`repo`) or of a user's global config
// (`global: True`), as Salt's git.config_set. `value` sets the single value (replacing every
// value the key has); `multivar` sets exactly that list of values, in order. Changes are reported
// as Salt does: the key with {old, new}.

import { CommandError } from '../../engine/errors.js';
import type { Host } from '../../engine/host/host.js';
import type { StateFunction } from '../../engine/contract.js';
import type { ConfigChange } from './changes.js';
import { assertUser, git, type GitRunOptions, mustGit } from './cli.js';

export interface GitConfigSetArgs {
  /** The config key (section.key or section.sub.key). */
  name: string;
  value?: string | number | boolean;
  multivar?: Array<string | number | boolean>;
  /** The repository (its working tree or git dir); required unless global. */
  repo?: string;
  global?: boolean;
  /** Run git as this user (whose global config `global` means). */
  user?: string;
  [k: string]: unknown;
}

/** The key's values now, in order ([] when unset). */
export type GitConfigFacts = string[];

const scalar = { type: ['string', 'number', 'boolean'] };

export const configSchema = {
  type: 'object',
  properties: {
    name: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9-]*\\..+$' },
    value: scalar,
    multivar: { type: 'array', items: scalar, minItems: 1 },
    repo: { type: 'string', pattern: '^/' },
    global: { type: 'boolean' },
    user: { type: 'string', minLength: 1 },
  },
  required: ['name'],
  oneOf: [{ required: ['value'] }, { required: ['multivar'] }],
  anyOf: [{ required: ['repo'] }, { properties: { global: { const: true } }, required: ['global'] }],
  additionalProperties: false,
};

/** Salt passes booleans to git as `true`/`false` (Python's str() would not: it lowercases them). */
const str = (v: string | number | boolean) => (typeof v === 'boolean' ? (v ? 'true' : 'false') : String(v));

export function wantedValues(args: GitConfigSetArgs): string[] {
  return args.multivar ? args.multivar.map(str) : [str(args.value!)];
}

/** Where a config state reads and writes: the user's global config, or the repository's own. */
export function configScope(args: { global?: boolean; repo?: string; user?: string }): {
  dir: string | null;
  flag: string[];
  o: GitRunOptions;
} {
  return args.global
    ? { dir: null, flag: ['--global'], o: { user: args.user } }
    : { dir: args.repo!, flag: ['--local'], o: { user: args.user, trust: [args.repo!] } };
}

export function planConfig(args: GitConfigSetArgs, facts: GitConfigFacts): ConfigChange[] {
  const want = wantedValues(args);
  if (want.length === facts.length && want.every((v, i) => v === facts[i])) return [];
  return [
    {
      op: facts.length ? 'update' : 'create',
      target: args.name,
      kind: 'config',
      before: facts,
      after: want,
    },
  ];
}

export const configSet: StateFunction<GitConfigSetArgs, GitConfigFacts, ConfigChange> = {
  schema: configSchema,
  inert: { password: 'it is for Windows hosts only (brine targets Debian)' },
  async gather(host: Host, args) {
    if (args.user) await assertUser(host, args.user, args.name);
    const { dir, flag, o } = configScope(args);
    const r = await git(host, dir, ['config', ...flag, '--null', '--get-all', args.name], { ...o, readOnly: true });
    // exit 1: the key is not set; anything else (not a repository, a bad key) is an error
    if (r.exitCode === 1 && !r.stderr.trim()) return [];
    if (r.exitCode !== 0) throw new CommandError(r, `git config ${args.name}`);
    return r.stdout.split('\0').slice(0, -1);
  },
  plan: (args, facts) => planConfig(args, facts),
  async apply(host, changes, ctx) {
    const args = ctx.args;
    const { dir, flag, o } = configScope(args);
    const what = `git config ${args.name}`;
    for (const c of changes) {
      const after = c.after!;
      if (args.multivar) {
        if (c.before!.length) await mustGit(host, dir, ['config', ...flag, '--unset-all', args.name], o, what);
        for (const v of after) await mustGit(host, dir, ['config', ...flag, '--add', args.name, v], o, what);
      } else {
        await mustGit(host, dir, ['config', ...flag, '--replace-all', args.name, after[0]!], o, what);
      }
    }
  },
};
