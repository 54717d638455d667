// git.config_unset: no value of the keys a regex names in a repository's (`repo`) or a user's global
// config (`global: True`), as Salt's git.config_unset. `name` must match the whole key (Salt anchors
// it: `color\..+` is every key of the color section); `value_regex` unsets only the values it
// matches. A key with several matching values needs `all: True` (else the state fails, as in Salt).
// Matching is git's own (`git config --get-regexp`), as Salt does it.

import { CommandError, StateError } from '../../engine/errors.js';
import type { Host } from '../../engine/host/host.js';
import type { Change, StateFunction } from '../../engine/contract.js';
import { assertUser, mustGit, git } from './cli.js';
import { configScope } from './config-set.js';

export interface GitConfigUnsetArgs {
  /** A regex that must match the whole key (section.key or section.sub.key). */
  name: string;
  value_regex?: string;
  repo?: string;
  global?: boolean;
  all?: boolean;
  user?: string;
  [k: string]: unknown;
}

/** Each matching key with its matching values, in git's order. */
export type GitConfigUnsetFacts = Array<{ key: string; values: string[] }>;

type UnsetChange = Change<'config', string[]>;

export const unsetSchema = {
  type: 'object',
  properties: {
    name: { type: 'string', minLength: 1 },
    value_regex: { type: 'string', minLength: 1 },
    repo: { type: 'string', pattern: '^/' },
    global: { type: 'boolean' },
    all: { type: 'boolean' },
    user: { type: 'string', minLength: 1 },
  },
  required: ['name'],
  anyOf: [{ required: ['repo'] }, { properties: { global: { const: true } }, required: ['global'] }],
  additionalProperties: false,
};

/** Salt's key expression: the name anchored at both ends. */
export const keyRegex = (name: string): string => `^${name.replace(/^\^/, '').replace(/\$$/, '')}$`;

/** `git config --null --get-regexp` output: `key\nvalue\0` per entry (a key without value: `key\0`). */
export function parseGetRegexp(out: string): GitConfigUnsetFacts {
  const keys = new Map<string, string[]>();
  for (const entry of out.split('\0').slice(0, -1)) {
    const nl = entry.indexOf('\n');
    const key = nl < 0 ? entry : entry.slice(0, nl);
    const value = nl < 0 ? '' : entry.slice(nl + 1);
    keys.set(key, [...(keys.get(key) ?? []), value]);
  }
  return [...keys].map(([key, values]) => ({ key, values }));
}

export function planUnset(args: GitConfigUnsetArgs, facts: GitConfigUnsetFacts): UnsetChange[] {
  if (!args.all) {
    const greedy = facts.filter((f) => f.values.length > 1).map((f) => `${f.key} (${f.values.join(', ')})`);
    if (greedy.length) {
      const what = args.value_regex === undefined ? 'the key expression' : 'value_regex';
      throw new StateError(
        args.name,
        `several values are matched by ${what} (set 'all' to True to unset them all): ${greedy.join('; ')}`,
      );
    }
  }
  return facts.map((f) => ({ op: 'delete', target: f.key, kind: 'config', before: f.values }));
}

export const configUnset: StateFunction<GitConfigUnsetArgs, GitConfigUnsetFacts, UnsetChange> = {
  schema: unsetSchema,
  inert: {
    password: 'it is for Windows hosts only (brine targets Debian)',
    output_encoding: "it is for Windows hosts only (git's output is read as UTF-8)",
  },
  async gather(host: Host, args) {
    if (args.user) await assertUser(host, args.user, args.name);
    const { dir, flag, o } = configScope(args);
    const re = [keyRegex(args.name), ...(args.value_regex === undefined ? [] : [args.value_regex])];
    const r = await git(host, dir, ['config', ...flag, '--null', '--get-regexp', ...re], { ...o, readOnly: true });
    // exit 1: nothing matches (or no config file yet); anything else (a bad regex, not a repository) fails
    if (r.exitCode === 1 && !r.stderr.trim()) return [];
    if (r.exitCode !== 0) throw new CommandError(r, `git config --get-regexp ${re.join(' ')}`);
    return parseGetRegexp(r.stdout);
  },
  plan: (args, facts) => planUnset(args, facts),
  async apply(host, changes, ctx) {
    const args = ctx.args;
    const { dir, flag, o } = configScope(args);
    const unset = args.all ? '--unset-all' : '--unset';
    for (const c of changes) {
      const argv = ['config', ...flag, unset, c.target, ...(args.value_regex === undefined ? [] : [args.value_regex])];
      await mustGit(host, dir, argv, o, `git config ${unset} ${c.target}`);
    }
  },
};
