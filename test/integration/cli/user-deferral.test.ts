// A dry run on this machine (no --root: the accounts are the host's) of a user that does not exist
// yet, followed, in declaration order and without requisites (as the users formula writes them), by
// states that act as or for that user: ssh_known_hosts.present, git.config_set and
// git.config_unset with global: True. Each is "would change after" the user.present (exit 2) and
// nothing changes; a user that no state creates fails those states (exit 1).
import { execFileSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { brine, cleanScratch, scratch } from './tree.js';

const USER = `brine-dfr${process.pid % 100000}`;
const KEY = 'AAAAC3NzaC1lZDI1NTE5AAAAIBrineTestKeyOneAAAAAAAAAAAAAAAAAAAAAAAAAA';
const sls = (who: string, withUser: boolean) => `${
  withUser ? `${USER}-account:\n  user.present:\n    - name: ${USER}\n    - home: /nonexistent/${USER}\n\n` : ''
}kh:
  ssh_known_hosts.present:
    - name: git.example.org
    - user: ${who}
    - enc: ssh-ed25519
    - key: ${KEY}

gitcfg:
  git.config_set:
    - name: push.default
    - value: simple
    - user: ${who}
    - global: True

gitunset:
  git.config_unset:
    - name: 'color\\..+'
    - user: ${who}
    - global: True
    - all: True
`;

afterAll(cleanScratch);

const userExists = (name: string) => {
  try {
    execFileSync('getent', ['passwd', name]);
    return true;
  } catch {
    return false;
  }
};

describe('dry run of states acting as a user a pending user.present creates', () => {
  it('defers them to the user.present (exit 2), nothing changes', async () => {
    expect(userExists(USER)).toBe(false);
    const s = scratch({ 'top.sls': "base:\n  '*':\n    - u\n", 'u.sls': sls(USER, true) }, { 'top.sls': 'base: {}\n' });
    const r = await brine(
      s,
      ['highstate', '--test', '--id', 'deferral', '--out', 'json'],
      [...['--states', s.states, '--pillar', s.pillar, '--env', s.env]],
    );
    expect(r.code, r.stderr + r.stdout).toBe(2);
    const res = JSON.parse(r.stdout).results as Array<{ id: string; result: boolean | null; comment: string }>;
    expect(res.map((x) => [x.id, x.result, x.comment])).toEqual([
      [`${USER}-account`, null, expect.stringMatching(/^would change/)],
      ...['kh', 'gitcfg', 'gitunset'].map((id) => [id, null, `would change after user: ${USER}-account`]),
    ]);
    expect(userExists(USER)).toBe(false);
  });

  it('a user no state creates fails each of them, naming the user (exit 1)', async () => {
    const s = scratch(
      { 'top.sls': "base:\n  '*':\n    - u\n", 'u.sls': sls('brine-no-such-user', false) },
      { 'top.sls': 'base: {}\n' },
    );
    const r = await brine(
      s,
      ['highstate', '--test', '--id', 'deferral', '--out', 'json'],
      [...['--states', s.states, '--pillar', s.pillar, '--env', s.env]],
    );
    expect(r.code, r.stderr + r.stdout).toBe(1);
    const res = JSON.parse(r.stdout).results as Array<{ result: boolean | null; comment: string }>;
    expect(res.map((x) => x.result)).toEqual([false, false, false]);
    for (const x of res) expect(x.comment).toContain("user 'brine-no-such-user' does not exist");
  });
});
