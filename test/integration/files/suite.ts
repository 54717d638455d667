// The file/cmd integration suite, run against any Host: LocalHost here (local.test.ts) and the
// booted Debian target over SSH (H4). Real states are applied through the module contract; the
// results are checked on disk through the host; a second apply must plan nothing; a dry run must
// leave the tree's fingerprint unchanged.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Host } from '../../../engine/host/host.js';
import { modules as cmdModules } from '../../../modules/cmd/index.js';
import { modules as fileModules } from '../../../modules/file/index.js';
import { converge, countingHost, ctxFor, planOf, treeHash } from './drive.js';

const F = fileModules.file!;
const C = cmdModules.cmd!;

export function defineFileSuite(name: string, makeHost: () => Promise<Host>): void {
  describe(`file and cmd states on ${name}`, () => {
    let host: Host;
    let states: string;
    const base = `/tmp/brine-suite-${process.pid}-${Date.now()}`;
    const p = (rel: string) => `${base}/${rel}`;
    const text = async (path: string) => (await host.readFile(path))?.toString('utf8');

    beforeAll(async () => {
      host = await makeHost();
      await host.mkdir(base, { recursive: true, mode: 0o755 });
      states = mkdtempSync(join(tmpdir(), 'brine-states-'));
      mkdirSync(join(states, 'files/conf.d/sub'), { recursive: true });
      writeFileSync(join(states, 'files/plain.txt'), 'plain source\n');
      writeFileSync(join(states, 'files/greeting.j2'), 'hello {{ who }} from {{ pillar.who }}\n');
      writeFileSync(join(states, 'files/conf.d/a.conf'), 'a = {{ value }}\n');
      writeFileSync(join(states, 'files/conf.d/sub/b.conf'), 'b\n');
      writeFileSync(join(states, 'files/script.sh'), 'echo "script {{ who }} $1 $(id -un)"\nexit 4\n');
      writeFileSync(join(states, 'files/blob.bin'), Buffer.from([0, 1, 2, 255, 0, 10]));
    });

    afterAll(async () => {
      await host?.remove(base, { recursive: true });
      await host?.close();
      if (states) rmSync(states, { recursive: true, force: true });
    });

    it(
      'file.managed creates a file with contents, mode, owner and missing parents; a second apply plans ' + 'nothing',
      async () => {
        const args = {
          name: p('m/deep/a.conf'),
          contents: 'line1\nline2',
          mode: '0640',
          user: 'nobody',
          group: 'nogroup',
          makedirs: true,
        };
        const r = await converge(host, F.managed!, args, states);
        expect(r.planned).toHaveLength(1);
        expect(r.planned[0]!.op).toBe('create');
        expect(r.planned[0]!.diff).toContain('+line2');
        expect(r.replanned).toEqual([]);
        expect(await text(args.name)).toBe('line1\nline2\n');
        const st = await host.stat(args.name);
        expect(st).toMatchObject({ type: 'file', mode: 0o640, user: 'nobody', group: 'nogroup' });
        expect(await planOf(host, F.managed!, args, states)).toEqual([]);
      },
    );

    it('file.managed updates contents with a unified diff, keeps a backup, and fixes mode drift', async () => {
      const name = p('m/b.conf');
      await converge(host, F.managed!, { name, contents: 'old\nsame\n', mode: 644 }, states);
      const args = { name, contents: 'new\nsame\n', mode: 600, backup: 'minion' };
      const r = await converge(host, F.managed!, args, states);
      const content = r.planned.find((c) => c.target === name)!;
      expect(content.diff).toMatch(/-old\n\+new/);
      expect(r.planned.find((c) => c.target === 'mode')).toMatchObject({ before: '0644', after: '0600' });
      expect(r.replanned).toEqual([]);
      expect(await text(name)).toBe('new\nsame\n');
      expect((await host.stat(name))!.mode).toBe(0o600);
      const ls = await host.exec(['sh', '-c', 'ls "${BRINE_ROOT-}$1"', 'sh', p('m')]);
      expect(ls.stdout).toMatch(/b\.conf\.brine-bak\.\d{8}T\d{6}/);
      // mode drift alone
      await host.exec(['sh', '-c', 'chmod 666 "${BRINE_ROOT-}$1"', 'sh', name]);
      const d = await converge(host, F.managed!, args, states);
      expect(d.planned).toEqual([{ op: 'update', kind: 'mode', target: 'mode', before: '0666', after: '0600' }]);
      expect((await host.stat(name))!.mode).toBe(0o600);
    });

    it(
      'file.managed from salt:// (first existing of a list), jinja templates with context/defaults, binary by ' +
        'hash',
      async () => {
        const plain = {
          name: p('s/plain'),
          source: ['salt://files/missing.txt', 'salt://files/plain.txt'],
          makedirs: true,
        };
        expect((await converge(host, F.managed!, plain, states)).replanned).toEqual([]);
        expect(await text(plain.name)).toBe('plain source\n');
        const tpl = {
          name: p('s/greeting'),
          source: 'salt://files/greeting.j2',
          template: 'jinja',
          defaults: { who: 'default' },
          context: { who: 'context' },
        };
        expect((await converge(host, F.managed!, tpl, states)).replanned).toEqual([]);
        expect(await text(tpl.name)).toBe('hello context from pillar-value\n');
        const bin = { name: p('s/blob'), source: 'salt://files/blob.bin' };
        const r = await converge(host, F.managed!, bin, states);
        expect(r.planned[0]!.diff).toMatch(/^binary file; sha256 \(none\) -> [0-9a-f]{64} \(no file -> \d+ B\)$/);
        expect(await host.hash(bin.name)).toBe(r.planned[0]!.after);
        await expect(planOf(host, F.managed!, { name: p('s/x'), source: 'salt://files/nope' }, states)).rejects.toThrow(
          /source not found/,
        );
      },
    );

    it(
      'file.managed honours replace: False, show_changes: False, create: False and refuses a missing ' + 'parent',
      async () => {
        const name = p('r/keep');
        await converge(host, F.managed!, { name, contents: 'mine', makedirs: true }, states);
        expect(await planOf(host, F.managed!, { name, contents: 'theirs', replace: false }, states)).toEqual([]);
        const hidden = await planOf(host, F.managed!, { name, contents: 'secret-ish', show_changes: false }, states);
        expect(hidden[0]!.diff).toMatch(
          /^content not shown \(show_changes: False\); sha256 [0-9a-f]{64} -> [0-9a-f]{64}/,
        );
        expect(hidden[0]!.diff).not.toContain('secret-ish');
        expect(await planOf(host, F.managed!, { name: p('r/none'), contents: 'x', create: false }, states)).toEqual([]);
        await expect(planOf(host, F.managed!, { name: p('nodir/x'), contents: 'x' }, states)).rejects.toThrow(
          /parent directory .* does not exist/,
        );
        await expect(planOf(host, F.managed!, { name: p('r'), contents: 'x' }, states)).rejects.toThrow(
          /is a directory/,
        );
      },
    );

    it('file.managed check_cmd: accepted contents are written, refused ones leave the file as it was', async () => {
      const name = p('m/checked.conf');
      await converge(host, F.managed!, { name, contents: 'port = 80\n', makedirs: true }, states);
      const ok = { name, contents: 'port = 8080\n', check_cmd: 'grep -q "^port = [0-9]*$"', tmp_ext: '.conf' };
      expect((await converge(host, F.managed!, ok, states)).replanned).toEqual([]);
      expect(await text(name)).toBe('port = 8080\n');
      const bad = { name, contents: 'port = eighty\n', check_cmd: 'grep -q "^port = [0-9]*$"' };
      await expect(converge(host, F.managed!, bad, states)).rejects.toThrow(
        /check_cmd 'grep -q .*' refused the new contents \(exit 1\).*the file was not changed/,
      );
      expect(await text(name)).toBe('port = 8080\n');
      // the checker sees the new contents in a temporary file with the given suffix, removed after
      const seen = {
        name,
        contents: 'port = 9\n',
        check_cmd: `sh -c 'case "$0" in *.conf) cp "$0" "\${BRINE_ROOT-}${p('m/seen.txt')}";; *) exit 3;; esac'`,
        tmp_ext: '.conf',
      };
      await converge(host, F.managed!, seen, states);
      expect(await text(p('m/seen.txt'))).toBe('port = 9\n');
    });

    it('file.managed follows a symlink to the file it points to (follow_symlinks)', async () => {
      await converge(host, F.managed!, { name: p('fl/real.conf'), contents: 'old', makedirs: true }, states);
      await converge(host, F.symlink!, { name: p('fl/link.conf'), target: 'real.conf' }, states);
      const r = await converge(host, F.managed!, { name: p('fl/link.conf'), contents: 'new', mode: '0600' }, states);
      expect(r.planned.map((c) => c.target)).toEqual([p('fl/real.conf'), 'mode']);
      expect(r.replanned).toEqual([]);
      expect(await host.readlink(p('fl/link.conf'))).toBe('real.conf');
      expect(await text(p('fl/real.conf'))).toBe('new\n');
      expect((await host.stat(p('fl/real.conf')))!.mode).toBe(0o600);
    });

    it('file.directory creates with mode/owner and recurses user/group/mode over a tree', async () => {
      const top = p('d/top');
      const r = await converge(host, F.directory!, { name: top, mode: '0750', user: 'nobody', makedirs: true }, states);
      expect(r.replanned).toEqual([]);
      expect(await host.stat(top)).toMatchObject({ type: 'directory', mode: 0o750, user: 'nobody' });
      await host.mkdir(`${top}/x/y`, { recursive: true, mode: 0o700 });
      await host.writeFileAtomic(`${top}/x/f`, 'f', { mode: 0o600 });
      const args = {
        name: top,
        user: 'nobody',
        group: 'nogroup',
        dir_mode: '0755',
        file_mode: '0644',
        recurse: ['user', 'group', 'mode'],
      };
      const rr = await converge(host, F.directory!, args, states);
      expect(rr.planned.some((c) => c.target === `${top}/**`)).toBe(true);
      expect(rr.replanned).toEqual([]);
      expect(await host.stat(`${top}/x/y`)).toMatchObject({ mode: 0o755, user: 'nobody', group: 'nogroup' });
      expect(await host.stat(`${top}/x/f`)).toMatchObject({ mode: 0o644, user: 'nobody', group: 'nogroup' });
      await expect(planOf(host, F.directory!, { name: p('m/b.conf') }, states)).rejects.toThrow(/not a directory/);
    });

    it('file.symlink creates, retargets, and replaces a file only with force', async () => {
      const name = p('l/link');
      const r = await converge(host, F.symlink!, { name, target: '/etc/hostname', makedirs: true }, states);
      expect(r.replanned).toEqual([]);
      expect(await host.readlink(name)).toBe('/etc/hostname');
      const rr = await converge(host, F.symlink!, { name, target: '../other' }, states);
      expect(rr.planned[0]).toMatchObject({ op: 'update', before: '/etc/hostname', after: '../other' });
      expect(await host.readlink(name)).toBe('../other');
      const f = p('l/file');
      await host.writeFileAtomic(f, 'x');
      await expect(planOf(host, F.symlink!, { name: f, target: '/x' }, states)).rejects.toThrow(/force/);
      expect((await converge(host, F.symlink!, { name: f, target: '/x', force: true }, states)).replanned).toEqual([]);
      expect(await host.readlink(f)).toBe('/x');
    });

    it('file.absent removes files, links and trees; absent is a no-op', async () => {
      await host.mkdir(p('a/tree/sub'), { recursive: true });
      await host.writeFileAtomic(p('a/tree/sub/f'), 'x');
      const r = await converge(host, F.absent!, { name: p('a/tree') }, states);
      expect(r.planned).toEqual([{ op: 'delete', kind: 'file', target: p('a/tree'), before: 'directory' }]);
      expect(await host.lstat(p('a/tree'))).toBeNull();
      expect(await planOf(host, F.absent!, { name: p('a/tree') }, states)).toEqual([]);
    });

    it('file.replace (Python regex syntax), append_if_not_found, file.append, file.touch', async () => {
      const name = p('t/conf');
      await converge(host, F.managed!, { name, contents: 'port = 80\n#listen = all\n', makedirs: true }, states);
      const rep = { name, pattern: '^port = (?P<n>\\d+)$', repl: 'port = 8\\g<n>' };
      const r = await converge(host, F.replace!, rep, states);
      expect(r.planned[0]!.diff).toMatch(/-port = 80\n\+port = 880/);
      expect(await text(name)).toBe('port = 880\n#listen = all\n');
      const rep2 = { name, pattern: '^#?listen = .*$', repl: 'listen = 127.0.0.1' };
      expect((await converge(host, F.replace!, rep2, states)).replanned).toEqual([]);
      expect(await planOf(host, F.replace!, rep2, states)).toEqual([]);
      const add = { name, pattern: '^timeout = .*$', repl: 'timeout = 5', append_if_not_found: true };
      expect((await converge(host, F.replace!, add, states)).replanned).toEqual([]);
      expect(await text(name)).toBe('port = 880\nlisten = 127.0.0.1\ntimeout = 5\n');
      const app = { name, text: ['listen = 127.0.0.1', 'extra = yes'] };
      expect((await converge(host, F.append!, app, states)).replanned).toEqual([]);
      expect(await text(name)).toBe('port = 880\nlisten = 127.0.0.1\ntimeout = 5\nextra = yes\n');
      const t = await converge(host, F.touch!, { name: p('t/new/touched'), makedirs: true }, states);
      expect(t.planned).toHaveLength(1);
      expect(await host.stat(p('t/new/touched'))).toMatchObject({ type: 'file', size: 0 });
      expect(await planOf(host, F.touch!, { name: p('t/new/touched') }, states)).toEqual([]);
    });

    it(
      'file.line ensures/replaces/inserts/deletes lines; create with file_mode/user/group; dry run predicts; ' +
        'second run plans nothing',
      async () => {
        const name = p('ln/nsswitch.conf');
        await converge(
          host,
          F.managed!,
          {
            name,
            contents: 'passwd: files\nhosts:\n    files dns\n#PermitRootLogin yes\n',
            makedirs: true,
            mode: '0640',
          },
          states,
        );
        const steps: Array<[Record<string, unknown>, string]> = [
          [
            { mode: 'ensure', content: 'files mdns', before: '^\\s+files dns' },
            'passwd: files\nhosts:\n    files mdns\n    files dns\n#PermitRootLogin yes\n',
          ],
          [
            { mode: 'replace', match: '^#?PermitRootLogin', content: 'PermitRootLogin no' },
            'passwd: files\nhosts:\n    files mdns\n    files dns\nPermitRootLogin no\n',
          ],
          [
            { mode: 'insert', location: 'start', content: '# managed by brine' },
            '# managed by brine\npasswd: files\nhosts:\n    files mdns\n    files dns\nPermitRootLogin no\n',
          ],
          [
            { mode: 'delete', match: 'files dns' },
            '# managed by brine\npasswd: files\nhosts:\n    files mdns\nPermitRootLogin no\n',
          ],
        ];
        for (const [a, want] of steps) {
          const args = { name, ...a };
          const predicted = await planOf(host, F.line!, args, states);
          expect(predicted, JSON.stringify(a)).toHaveLength(1);
          const r = await converge(host, F.line!, args, states);
          expect(r.planned).toEqual(predicted);
          expect(r.replanned).toEqual([]);
          expect(await text(name)).toBe(want);
          expect(predicted[0]!.payload).toBe(want); // the new text goes to apply; the output gets its hash
          expect(await planOf(host, F.line!, args, states)).toEqual([]);
        }
        expect((await host.stat(name))!.mode).toBe(0o640);
        const fresh = {
          name: p('ln/new.conf'),
          mode: 'insert',
          location: 'end',
          content: 'only',
          create: true,
          file_mode: '0600',
          user: 'nobody',
          group: 'nogroup',
        };
        await expect(planOf(host, F.line!, { ...fresh, create: false }, states)).rejects.toThrow(/file not found/);
        const c = await converge(host, F.line!, fresh, states);
        expect(c.planned.map((x) => x.op)).toEqual(['create']);
        expect(c.replanned).toEqual([]);
        expect(await text(fresh.name)).toBe('only\n');
        expect(await host.stat(fresh.name)).toMatchObject({ mode: 0o600, user: 'nobody', group: 'nogroup' });
        await expect(
          planOf(host, F.line!, { name, mode: 'ensure', content: 'x', after: 'files' }, states),
        ).rejects.toThrow(/more than one line matching "after: files"/);
      },
    );

    it(
      'file.blockreplace replaces between markers (kept), appends when missing; file.keyvalue sets, uncomments and ' +
        'appends keys',
      async () => {
        const name = p('blk/hosts');
        await converge(
          host,
          F.managed!,
          { name, contents: '127.0.0.1 localhost', makedirs: true, mode: '0644', user: 'nobody' },
          states,
        );
        const add = {
          name,
          marker_start: '# BEGIN brine',
          marker_end: '# END brine',
          content: '10.0.0.1 db\n10.0.0.2 cache',
          append_if_not_found: true,
        };
        const predicted = await planOf(host, F.blockreplace!, add, states);
        expect(predicted[0]!.diff).toMatch(/\+# BEGIN brine\n\+10\.0\.0\.1 db\n\+10\.0\.0\.2 cache\n\+# END brine/);
        const r = await converge(host, F.blockreplace!, add, states);
        expect(r.planned).toEqual(predicted);
        expect(r.replanned).toEqual([]);
        expect(await text(name)).toBe('127.0.0.1 localhost\n# BEGIN brine\n10.0.0.1 db\n10.0.0.2 cache\n# END brine\n');
        await host.writeFileAtomic(name, '127.0.0.1 localhost\n## BEGIN brine ##\nstale\n## END brine ##\ntail\n');
        expect((await converge(host, F.blockreplace!, { ...add, content: '10.0.0.9 new' }, states)).replanned).toEqual(
          [],
        );
        expect(await text(name)).toBe('127.0.0.1 localhost\n## BEGIN brine ##\n10.0.0.9 new\n## END brine ##\ntail\n');
        expect(await host.stat(name)).toMatchObject({ mode: 0o644, user: 'nobody' });
        expect(await planOf(host, F.blockreplace!, { ...add, content: '10.0.0.9 new' }, states)).toEqual([]);
        await expect(
          planOf(host, F.blockreplace!, { name, marker_start: 'NOPE', content: 'x' }, states),
        ).rejects.toThrow(/markers not found/);

        const sshd = p('blk/sshd_config');
        await converge(
          host,
          F.managed!,
          { name: sshd, contents: 'Port 22\n#PermitRootLogin yes\nPermitRootLogin prohibit-password\n', mode: '0600' },
          states,
        );
        const kv = {
          name: sshd,
          key_values: { PermitRootLogin: 'no', PasswordAuthentication: 'no', Port: 22 },
          separator: ' ',
          uncomment: '#',
          append_if_not_found: true,
        };
        const kp = await planOf(host, F.keyvalue!, kv, states);
        const k = await converge(host, F.keyvalue!, kv, states);
        expect(k.planned).toEqual(kp);
        expect(k.replanned).toEqual([]);
        expect(await text(sshd)).toBe(
          'Port 22\nPermitRootLogin no\nPermitRootLogin prohibit-password\nPasswordAuthentication no\n',
        );
        expect((await host.stat(sshd))!.mode).toBe(0o600);
        expect(await planOf(host, F.keyvalue!, kv, states)).toEqual([]);
        expect(
          await planOf(host, F.keyvalue!, { name: p('blk/none'), key: 'a', value: 1, ignore_if_missing: true }, states),
        ).toEqual([]);
      },
    );

    it(
      'file.directory clean removes what is neither excluded nor linked (dry run lists every path), then plans ' +
        'nothing',
      async () => {
        const d = p('clean');
        for (const f of ['keep.local', 'stale.conf', 'old/deep/x', 'app/managed.conf', 'app/junk']) {
          await host.mkdir(`${d}/${f}`.replace(/\/[^/]+$/, ''), { recursive: true });
          await host.writeFileAtomic(`${d}/${f}`, f);
        }
        const args = { name: d, clean: true, exclude_pat: '*.local' };
        const linked = {
          linkedStates: () => [
            { module: 'file', fun: 'managed', name: `${d}/app/managed.conf` },
            { module: 'pkg', fun: 'installed', name: 'nginx' },
          ],
        };
        const before = await treeHash(host, d);
        const predicted = await planOf(host, F.directory!, args, states, linked);
        expect(await treeHash(host, d)).toBe(before);
        expect(predicted.map((c) => `${c.op} ${c.target}`)).toEqual([
          `delete ${d}/app/junk`,
          `delete ${d}/old`,
          `delete ${d}/old/deep`,
          `delete ${d}/old/deep/x`,
          `delete ${d}/stale.conf`,
        ]);
        const r = await converge(host, F.directory!, args, states, linked);
        expect(r.planned).toEqual(predicted);
        expect(r.replanned).toEqual([]);
        const ls = await host.exec(['sh', '-c', 'cd "${BRINE_ROOT-}$1" && find . | LC_ALL=C sort', 'sh', d]);
        expect(ls.stdout.trim().split('\n')).toEqual(['.', './app', './app/managed.conf', './keep.local']);
        expect(await text(`${d}/app/managed.conf`)).toBe('app/managed.conf');
        // without the link, the managed file goes too
        expect((await planOf(host, F.directory!, args, states)).map((c) => c.target)).toEqual([
          `${d}/app`,
          `${d}/app/managed.conf`,
        ]);
      },
    );

    it('file.copy (force, mode) and file.rename', async () => {
      const src = p('c/src');
      await converge(host, F.managed!, { name: src, contents: 'v1', makedirs: true }, states);
      const cp = { name: p('c/dst'), source: src, mode: '0600' };
      expect((await converge(host, F.copy!, cp, states)).replanned).toEqual([]);
      expect(await text(cp.name)).toBe('v1\n');
      expect((await host.stat(cp.name))!.mode).toBe(0o600);
      await converge(host, F.managed!, { name: src, contents: 'v2' }, states);
      expect(await planOf(host, F.copy!, cp, states)).toEqual([]);
      expect((await converge(host, F.copy!, { ...cp, force: true }, states)).replanned).toEqual([]);
      expect(await text(cp.name)).toBe('v2\n');
      const mv = { name: p('c/moved/here'), source: cp.name, makedirs: true };
      expect((await converge(host, F.rename!, mv, states)).replanned).toEqual([]);
      expect(await host.lstat(cp.name)).toBeNull();
      expect(await text(mv.name)).toBe('v2\n');
    });

    it('file.recurse mirrors a salt:// directory with templates, modes and clean', async () => {
      const dst = p('rec');
      await host.mkdir(dst, { recursive: true });
      await host.writeFileAtomic(`${dst}/stale`, 'old');
      const args = {
        name: dst,
        source: 'salt://files/conf.d',
        template: 'jinja',
        context: { value: 42 },
        file_mode: '0640',
        dir_mode: '0750',
        clean: true,
      };
      const r = await converge(host, F.recurse!, args, states);
      expect(r.planned.map((c) => `${c.op} ${c.target}`).sort()).toEqual([
        `create ${dst}/a.conf`,
        `create ${dst}/sub`,
        `create ${dst}/sub/b.conf`,
        `delete ${dst}/stale`,
      ]);
      expect(r.replanned).toEqual([]);
      expect(await text(`${dst}/a.conf`)).toBe('a = 42\n');
      expect(await host.stat(`${dst}/sub`)).toMatchObject({ mode: 0o750 });
      expect(await host.stat(`${dst}/sub/b.conf`)).toMatchObject({ mode: 0o640 });
      expect(await host.lstat(`${dst}/stale`)).toBeNull();
    });

    it(
      'cmd.run reports output and exit code; cwd, env, stdin, runas, timeout; cmd.wait runs only on ' + 'refresh',
      async () => {
        const ok = await converge(
          host,
          C.run!,
          {
            name: 'echo out; echo err >&2; pwd | sed "s|^${BRINE_ROOT-}||"; echo "$A$B"; cat; id -un',
            cwd: base,
            env: [{ A: 'x' }, { B: 1 }],
            stdin: 'in\n',
          },
          states,
        );
        expect(ok.output).toMatchObject({
          result: true,
          data: { retcode: 0, stdout: `out\n${base}\nx1\nin\nroot`, stderr: 'err' },
        });
        const bad = await converge(host, C.run!, { name: 'exit 3' }, states);
        expect(bad.output).toMatchObject({ result: false, data: { retcode: 3 } });
        const as = await converge(host, C.run!, { name: 'id -un', runas: 'nobody' }, states);
        expect(as.output).toMatchObject({ result: true, data: { stdout: 'nobody' } });
        const slow = await converge(host, C.run!, { name: 'sleep 5', timeout: 0.3 }, states);
        expect(slow.output).toMatchObject({ result: false, comment: expect.stringMatching(/timed out/) });
        const marker = p('waited');
        const wait = { name: `touch "\${BRINE_ROOT-}${marker}"` };
        expect(await planOf(host, C.wait!, wait, states)).toEqual([]);
        expect(await host.lstat(marker)).toBeNull();
        const out = await C.wait!.refresh!(host, wait, ctxFor(wait, states));
        expect(out).toMatchObject({ result: true });
        expect(await host.lstat(marker)).not.toBeNull();
      },
    );

    it('cmd.script copies a (templated) script from the tree, runs it with args, and removes it', async () => {
      const args = {
        name: 'script',
        source: 'salt://files/script.sh',
        template: 'jinja',
        context: { who: 'W' },
        args: 'A1',
        runas: 'nobody',
      };
      const r = await converge(host, C.script!, args, states);
      expect(r.output).toMatchObject({ result: false, data: { retcode: 4, stdout: 'script W A1 nobody' } });
      const left = await host.exec(['sh', '-c', 'ls /tmp | grep -c brine-script || true']);
      expect(left.stdout.trim()).toBe('0');
    });

    it('gatherMany reads many files in one round trip and agrees with gather', async () => {
      const items = Array.from({ length: 25 }, (_, i) => ({
        name: p(`many/f${i}`),
        contents: `n${i}`,
        makedirs: true,
        mode: '0644',
      }));
      for (const a of items.slice(0, 10)) await converge(host, F.managed!, a, states);
      const { host: counted, execs } = countingHost(host);
      const facts = await F.managed!.gatherMany!(
        counted,
        items.map((args) => ({ args, ctx: ctxFor(args, states) })),
      );
      expect(execs()).toBe(1);
      for (const [i, a] of items.entries()) {
        const ctx = ctxFor(a, states);
        expect(F.managed!.plan(a, facts[i], ctx)).toEqual(
          F.managed!.plan(a, await F.managed!.gather(host, a, ctx), ctx),
        );
      }
      expect(
        facts.slice(0, 10).every((f, i) => F.managed!.plan(items[i]!, f, ctxFor(items[i]!, states)).length === 0),
      ).toBe(true);
      expect(
        facts
          .slice(10)
          .every((f, i) => F.managed!.plan(items[i + 10]!, f, ctxFor(items[i + 10]!, states)).length === 1),
      ).toBe(true);
    });

    it(
      'line/blockreplace/keyvalue gatherMany reads many files in two round trips (stat probe, read) and agrees ' +
        'with gather',
      async () => {
        const items = Array.from({ length: 12 }, (_, i) => ({
          name: p(`kvmany/f${i}`),
          key: 'n',
          value: i,
          append_if_not_found: true,
          create_if_missing: true,
        }));
        await host.mkdir(p('kvmany'), { recursive: true });
        for (const a of items.slice(0, 6)) await converge(host, F.keyvalue!, a, states);
        const { host: counted, execs } = countingHost(host);
        const facts = await F.keyvalue!.gatherMany!(
          counted,
          items.map((args) => ({ args, ctx: ctxFor(args, states) })),
        );
        expect(execs()).toBe(2);
        for (const [i, a] of items.entries()) {
          const ctx = ctxFor(a, states);
          const plan = F.keyvalue!.plan(a, facts[i], ctx);
          expect(plan).toEqual(F.keyvalue!.plan(a, await F.keyvalue!.gather(host, a, ctx), ctx));
          expect(plan.map((c) => c.op)).toEqual(i < 6 ? [] : ['create']);
        }
      },
    );

    it('a dry run (gather + plan of every state) changes nothing on the host', async () => {
      const before = await treeHash(host, base);
      const pending: Array<[keyof typeof F, Record<string, unknown>]> = [
        ['managed', { name: p('m/b.conf'), contents: 'changed', mode: '0777', user: 'root' }],
        ['managed', { name: p('dry/new'), contents: 'x', makedirs: true }],
        ['directory', { name: p('d/top'), user: 'root', recurse: ['user'] }],
        ['symlink', { name: p('l/link'), target: '/elsewhere' }],
        ['absent', { name: p('s') }],
        ['replace', { name: p('t/conf'), pattern: 'port', repl: 'PORT' }],
        ['append', { name: p('t/conf'), text: 'more' }],
        ['line', { name: p('t/conf'), mode: 'insert', location: 'start', content: '# head' }],
        ['line', { name: p('dry3'), mode: 'insert', location: 'end', content: 'x', create: true }],
        ['blockreplace', { name: p('t/conf'), content: 'block', append_if_not_found: true }],
        ['keyvalue', { name: p('t/conf'), key: 'port', value: 1, separator: ' = ' }],
        ['directory', { name: p('clean'), clean: true }],
        ['copy', { name: p('c/moved/here'), source: p('s/plain'), force: true }],
        ['recurse', { name: p('rec'), source: 'salt://files/conf.d', clean: true }],
        ['touch', { name: p('dry2') }],
      ];
      for (const [fun, args] of pending)
        expect((await planOf(host, F[fun]!, args, states)).length, `${fun} ${args.name}`).toBeGreaterThan(0);
      expect(await treeHash(host, base)).toBe(before);
    });
  });
}
