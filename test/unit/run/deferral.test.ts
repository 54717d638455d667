// Dry-run deferral: only a fact a pending upstream state may create turns a failure into
// "would change after X".
import { describe, expect, it } from 'vitest';
import type { Chunk, Requisite } from '../../../engine/compile/types.js';
import { CommandError, StateError } from '../../../engine/errors.js';
import { deferTo, undeferred } from '../../../engine/run/deferral.js';
import { MissingFactError } from '../../../engine/run/missing-fact.js';
import type { StateResult } from '../../../engine/run/types.js';

let n = 0;
function chunk(module: string, fun: string, name: string, requires: Chunk[] = []): Chunk {
  const key = `${module}_|-${name}_|-${name}_|-${fun}`;
  const reqs: Requisite[] = requires.length
    ? [
        {
          kind: 'require',
          any: false,
          targets: requires.map((r) => r.key),
          loc: { file: 'x.sls', line: 1 },
          label: 'x',
        },
      ]
    : [];
  return {
    key,
    id: name,
    name,
    sls: 'x',
    module,
    fun,
    loc: { file: 'x.sls', line: 1 },
    args: { name },
    meta: { onlyif: [], unless: [], creates: [], failhard: false },
    requisites: reqs,
    index: n++,
    rank: 10000,
    fn: {} as Chunk['fn'],
  };
}
const pending = (...cs: Chunk[]) => new Map(cs.map((c) => [c.key, { result: null } as StateResult]));
const by = (...cs: Chunk[]) => new Map(cs.map((c) => [c.key, c]));
const noUser = (u: string) => new MissingFactError('user', u, '/srv/f', `user '${u}' does not exist`);

describe('deferTo', () => {
  it('a missing user: deferred to a pending user.present of that name, declared earlier or required', () => {
    const u = chunk('user', 'present', 'app');
    const f = chunk('file', 'managed', '/srv/f');
    expect(deferTo(f, noUser('app'), by(u, f), pending(u))).toBe('user: app');
    expect(deferTo(f, noUser('other'), by(u, f), pending(u))).toBeNull();
    // user.present already in place (not pending): the user would exist, the error is real
    expect(deferTo(f, noUser('app'), by(u, f), new Map())).toBeNull();
  });

  it('a missing user: a pending package counts only when the state requires it', () => {
    const p = chunk('pkg', 'installed', 'opendkim');
    const linked = chunk('file', 'managed', '/etc/opendkim.conf', [p]);
    const unlinked = chunk('file', 'managed', '/srv/g');
    expect(deferTo(linked, noUser('opendkim'), by(p, linked, unlinked), pending(p))).toBe('pkg: opendkim');
    expect(deferTo(unlinked, noUser('nosuchuser'), by(p, linked, unlinked), pending(p))).toBeNull();
  });

  it('a group: group.present or the user.present of the same name', () => {
    const u = chunk('user', 'present', 'app');
    const f = chunk('file', 'managed', '/srv/f', [u]);
    expect(deferTo(f, new MissingFactError('group', 'app', 'f', 'no group'), by(u, f), pending(u))).toBe('user: app');
  });

  it('other missing facts: any pending upstream state; plain errors never', () => {
    const up = chunk('file', 'managed', '/etc/systemd/system/x.service');
    const svc = chunk('service', 'running', 'x', [up]);
    expect(deferTo(svc, new MissingFactError('unit', 'x', 'x', 'unit x not found'), by(up, svc), pending(up))).toBe(
      'file: /etc/systemd/system/x.service',
    );
    expect(deferTo(svc, new StateError('x', 'template broke'), by(up, svc), pending(up))).toBeNull();
    expect(deferTo(svc, new TypeError('x'), by(up, svc), pending(up))).toBeNull();
  });

  it('the host refused as it is now (StateError): only after a pending cmd state it requires', () => {
    const cmd = chunk('cmd', 'run', '/usr/local/share/appliance/prepare-storage.sh');
    const link = chunk('file', 'symlink', '/app/etc', [cmd]);
    const err = new StateError('/app/etc', 'exists as a directory; set force: True to replace it with a symlink');
    expect(deferTo(link, err, by(cmd, link), pending(cmd))).toBe('cmd: /usr/local/share/appliance/prepare-storage.sh');
    // the command would not run: the directory is what the real run meets
    expect(deferTo(link, err, by(cmd, link), new Map())).toBeNull();
    // a command declared earlier but not required does not count
    const alone = chunk('file', 'symlink', '/app/other');
    expect(deferTo(alone, err, by(cmd, alone), pending(cmd))).toBeNull();
  });

  it('a failed command of a gather: only after a pending package the state is linked to (transitively)', () => {
    const p = chunk('pkg', 'installed', 'postgresql');
    const s = chunk('service', 'running', 'postgresql', [p]);
    const role = chunk('postgres_user', 'present', 'app', [s]);
    const err = new CommandError({ argv: ['psql'], exitCode: 127, stdout: '', stderr: 'psql: not found' });
    expect(deferTo(role, err, by(p, s, role), pending(p, s))).toBe('pkg: postgresql');
    const alone = chunk('postgres_user', 'present', 'b');
    expect(deferTo(alone, err, by(p, s, alone), pending(p, s))).toBeNull();
  });

  it('a package apt does not know: only after a pending state that may add an apt source', () => {
    const noPkg = new MissingFactError('apt-package', 'nosuchpkg', 'nosuchpkg', "package 'nosuchpkg' not found");
    const grub = chunk('cmd', 'run', 'update-grub');
    const p = chunk('pkg', 'installed', 'nosuchpkg');
    expect(deferTo(p, noPkg, by(grub, p), pending(grub))).toBeNull();
    const sources: Chunk[] = [
      chunk('pkgrepo', 'managed', 'deb http://example.org/debian bookworm main'),
      chunk('file', 'managed', '/etc/apt/sources.list.d/x.list'),
      chunk('file', 'managed', '/etc/apt/keyrings/x.asc'),
      chunk('cmd', 'run', 'curl -fsSL x | gpg --dearmor -o /usr/share/keyrings/x.gpg && apt-get -q update'),
      chunk('cmd', 'run', 'add-apt-repository -y ppa:x/y'),
      chunk('module', 'run', 'pkg.refresh_db'),
    ];
    for (const s of sources) {
      const q = chunk('pkg', 'installed', 'nosuchpkg');
      expect(deferTo(q, noPkg, by(grub, s, q), pending(grub, s))).toBe(`${s.module}: ${s.id}`);
    }
    // pkg.* refreshes the lists only with refresh: True
    const plain = chunk('pkg', 'installed', 'curl');
    const q1 = chunk('pkg', 'installed', 'nosuchpkg');
    expect(deferTo(q1, noPkg, by(plain, q1), pending(plain))).toBeNull();
    const refreshing = { ...chunk('pkg', 'installed', 'curl'), args: { name: 'curl', refresh: true } };
    const q2 = chunk('pkg', 'installed', 'nosuchpkg');
    expect(deferTo(q2, noPkg, by(refreshing, q2), pending(refreshing))).toBe('pkg: curl');
    // a command the package state requires (its script may add the source) counts; not-pending never
    const script = chunk('cmd', 'run', '/opt/setup-repo.sh');
    const linked = chunk('pkg', 'installed', 'nosuchpkg', [script]);
    expect(deferTo(linked, noPkg, by(script, linked), pending(script))).toBe('cmd: /opt/setup-repo.sh');
    const repo = chunk('pkgrepo', 'managed', 'deb http://example.org/debian bookworm main');
    const q3 = chunk('pkg', 'installed', 'nosuchpkg');
    expect(deferTo(q3, noPkg, by(repo, q3), new Map())).toBeNull();
  });

  it('an undeferred missing package says that no earlier state adds an apt source', () => {
    const e = new MissingFactError('apt-package', 'x', 'x', "package 'x' not found in apt's lists");
    expect(String((undeferred(e) as Error).message)).toBe(
      "x: package 'x' not found in apt's lists; no earlier state adds an apt source, so a real run fails too",
    );
    const other = new StateError('x', 'template broke');
    expect(undeferred(other)).toBe(other);
  });
});
