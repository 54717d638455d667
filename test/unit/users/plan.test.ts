// user / group / ssh_auth plan as data: getent output -> facts -> changes; passwords never shown.
import { describe, expect, it } from 'vitest';
import { parseGroups, parsePasswd, parseShadow } from '../../../modules/users/accounts.js';
import { planGroupPresent } from '../../../modules/users/group.js';
import { editKeys, parseKeyLine, wantedKey } from '../../../modules/users/ssh-auth.js';
import { gecosOf, planUserPresent, present as userPresent, type UserFacts } from '../../../modules/users/user.js';

const GROUPS = parseGroups('root:x:0:\nsudo:x:27:alice\ndocker:x:998:alice,bob\napp:x:1001:\nalice:x:1000:\n');
const alice = parsePasswd('alice:x:1000:1000:Alice A,,,:/home/alice:/bin/bash\n').get('alice')!;
const f = (user: UserFacts['user'], hash: string | null = '$6$old'): UserFacts => ({
  user,
  hash,
  accounts: { groups: GROUPS },
});

describe('account databases', () => {
  it('parses passwd, group and shadow', () => {
    expect(alice).toEqual({
      name: 'alice',
      uid: 1000,
      gid: 1000,
      gecos: 'Alice A,,,',
      home: '/home/alice',
      shell: '/bin/bash',
    });
    expect(GROUPS[2]).toEqual({ name: 'docker', gid: 998, members: ['alice', 'bob'] });
    expect(parseShadow('alice:$6$abc:19000:0:99999:7:::\n').get('alice')).toBe('$6$abc');
  });
});

describe('user.present', () => {
  it('creates with the given settings, the password hidden', () => {
    expect(
      planUserPresent(
        { name: 'app', gid: 'app', home: '/app', shell: '/bin/bash', password: '$6$x', groups: ['docker'] },
        f(null, null),
      ),
    ).toEqual([
      {
        op: 'create',
        kind: 'account',
        target: 'app',
        after: {
          gid: 'app',
          home: '/app',
          shell: '/bin/bash',
          groups: ['docker'],
          createhome: true,
          password: '(hidden)',
        },
      },
    ]);
    expect(userPresent.secretArgs).toEqual(['password']);
  });

  it('changes only what differs', () => {
    expect(
      planUserPresent({ name: 'alice', shell: '/bin/bash', home: '/home/alice', fullname: 'Alice A' }, f(alice)),
    ).toEqual([]);
    expect(
      planUserPresent({ name: 'alice', shell: '/bin/sh', fullname: 'Alice B', password: '$6$new' }, f(alice)),
    ).toEqual([
      { op: 'update', kind: 'shell', target: 'shell', before: '/bin/bash', after: '/bin/sh' },
      { op: 'update', kind: 'gecos', target: 'gecos', before: 'Alice A,,,', after: 'Alice B,,,' },
      { op: 'update', kind: 'password', target: 'password', before: '(hidden)', after: '(hidden)' },
    ]);
    expect(planUserPresent({ name: 'alice', password: '$6$old' }, f(alice))).toEqual([]);
  });

  it('sets supplementary groups exactly, or only adds with remove_groups: False', () => {
    expect(planUserPresent({ name: 'alice', groups: ['docker', 'sudo'] }, f(alice))).toEqual([]);
    expect(planUserPresent({ name: 'alice', groups: ['app'] }, f(alice))).toEqual([
      { op: 'update', kind: 'groups', target: 'groups', before: ['docker', 'sudo'], after: ['app'] },
    ]);
    expect(planUserPresent({ name: 'alice', groups: ['app'], remove_groups: false }, f(alice))).toEqual([
      { op: 'update', kind: 'groups', target: 'groups', before: ['docker', 'sudo'], after: ['app', 'docker', 'sudo'] },
    ]);
    expect(
      planUserPresent({ name: 'alice', groups: ['docker', 'sudo'], optional_groups: ['nosuch'] }, f(alice)),
    ).toEqual([]);
    // a group another state creates in the same run: planned, checked again at apply
    expect(planUserPresent({ name: 'alice', groups: ['docker', 'sudo', 'later'] }, f(alice))).toEqual([
      {
        op: 'update',
        kind: 'groups',
        target: 'groups',
        before: ['docker', 'sudo'],
        after: ['docker', 'later', 'sudo'],
      },
    ]);
  });

  it('GECOS fields: each part set, the others kept', () => {
    expect(gecosOf('Alice A,,,', { name: 'a', roomnumber: '12', other: 'x' })).toBe('Alice A,12,,,x');
    expect(gecosOf('', { name: 'a', fullname: 'A' })).toBe('A');
    expect(gecosOf('A', { name: 'a', homephone: '555' })).toBe('A,,,555');
    expect(planUserPresent({ name: 'alice', workphone: '+43 1' }, f(alice))).toEqual([
      { op: 'update', kind: 'gecos', target: 'gecos', before: 'Alice A,,,', after: 'Alice A,,+43 1,' },
    ]);
  });

  it('groups holding the own name: that group is the primary one (useradd creates it), not a supplementary one', () => {
    expect(planUserPresent({ name: 'carol', groups: ['carol', 'docker'] }, f(null, null))).toEqual([
      { op: 'create', kind: 'account', target: 'carol', after: { gid: 'carol', groups: ['docker'], createhome: true } },
    ]);
    expect(planUserPresent({ name: 'alice', groups: ['alice', 'docker', 'sudo'] }, f(alice))).toEqual([]);
  });

  it(
    'enforce_password: False sets the password only on creation; hash_password compares the plain text hashed ' +
      '(facts)',
    () => {
      expect(planUserPresent({ name: 'alice', password: '$6$new', enforce_password: false }, f(alice))).toEqual([]);
      expect(planUserPresent({ name: 'alice', password: 'plain', hash_password: true }, f(alice, 'plain'))).toEqual([]);
      expect(
        planUserPresent({ name: 'alice', password: 'plain', hash_password: true }, f(alice, '$6$salt$other')),
      ).toEqual([{ op: 'update', kind: 'password', target: 'password', before: '(hidden)', after: '(hidden)' }]);
    },
  );

  it('unique: False changes nothing for an existing user (expire: see test/unit/compile/inert.test.ts)', () => {
    expect(planUserPresent({ name: 'alice', unique: false }, f(alice))).toEqual([]);
  });

  it('refuses uid/gid changes unless allowed', () => {
    expect(() => planUserPresent({ name: 'alice', uid: 2000 }, f(alice))).toThrow(/allow_uid_change/);
    expect(planUserPresent({ name: 'alice', uid: 2000, allow_uid_change: true }, f(alice))).toEqual([
      { op: 'update', kind: 'uid', target: 'uid', before: 1000, after: 2000 },
    ]);
    expect(planUserPresent({ name: 'alice', gid: 'alice' }, f(alice))).toEqual([]);
    expect(() => planUserPresent({ name: 'alice', gid: 'app' }, f(alice))).toThrow(/allow_gid_change/);
  });
});

describe('group.present', () => {
  const docker = GROUPS[2]!;
  it('creates, sets gid and members', () => {
    expect(planGroupPresent({ name: 'web', gid: 2000, members: ['alice'] }, { group: null, gidOwner: null })).toEqual([
      { op: 'create', kind: 'account', target: 'web', after: { gid: 2000, members: ['alice'] } },
    ]);
    expect(planGroupPresent({ name: 'docker', members: ['bob', 'alice'] }, { group: docker, gidOwner: null })).toEqual(
      [],
    );
    expect(
      planGroupPresent({ name: 'docker', delusers: ['bob'], addusers: ['carol'] }, { group: docker, gidOwner: null }),
    ).toEqual([
      { op: 'update', kind: 'members', target: 'members', before: ['alice', 'bob'], after: ['alice', 'carol'] },
    ]);
    expect(planGroupPresent({ name: 'docker', gid: 999 }, { group: docker, gidOwner: null })).toEqual([
      { op: 'update', kind: 'gid', target: 'gid', before: 998, after: 999 },
    ]);
  });
  it('fails on taken gids', () => {
    expect(() => planGroupPresent({ name: 'x', gid: 27 }, { group: null, gidOwner: 'sudo' })).toThrow(
      /gid 27 is already used by group 'sudo'/,
    );
  });
});

describe('ssh_auth key editing', () => {
  const K1 = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKey1 alice@laptop';
  const K2 = 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQKey2 bob';
  it('parses key lines with options', () => {
    expect(parseKeyLine('no-pty,command="echo hi there" ssh-ed25519 AAAAC3 c m')).toEqual({
      options: 'no-pty,command="echo hi there"',
      enc: 'ssh-ed25519',
      blob: 'AAAAC3',
      comment: 'c m',
    });
    expect(parseKeyLine('# comment')).toBeNull();
  });
  it('adds, keeps, rewrites and removes by key blob', () => {
    const k1 = wantedKey({ name: K1, user: 'alice' });
    expect(editKeys(null, k1, true)).toBe(`${K1}\n`);
    expect(editKeys(`# keys\n${K1}\n`, k1, true)).toBe(`# keys\n${K1}\n`);
    expect(editKeys(`${K2}\n`, k1, true)).toBe(`${K2}\n${K1}\n`);
    const withOpts = wantedKey({ name: K1, user: 'alice', options: ['no-pty'], comment: 'new' });
    expect(editKeys(`${K1}\n${K2}\n`, withOpts, true)).toBe(
      `no-pty ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKey1 new\n${K2}\n`,
    );
    expect(
      editKeys(
        `${K1}\n${K2}\n`,
        wantedKey({ name: 'AAAAC3NzaC1lZDI1NTE5AAAAIKey1', user: 'alice', enc: 'ssh-ed25519' }),
        false,
      ),
    ).toBe(`${K2}\n`);
  });
  it('rejects what is not a key', () => {
    expect(() => wantedKey({ name: 'hello world', user: 'alice' })).toThrow(/not a public key/);
  });
});
