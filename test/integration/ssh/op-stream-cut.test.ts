// A wave's op stream (engine/host/ssh-ops.ts) cut short, as when the controller dies or the
// connection drops mid-push: the script on the target gets EOF somewhere in its stdin. Whatever it
// had not received whole it must not do: a file whose data was cut is not renamed over its target
// (the old file stays whole), a path or a command cut short is neither removed nor run. Driven with
// the real script on a booted target, the stream cut at chosen bytes; also the sudo login's own
// write (ssh-sudo-files.ts), whose data is cut the same way when the push dies.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostOp } from '../../../engine/host/host.js';
import { connectSsh, type SshHost } from '../../../engine/host/ssh.js';
import { encodeOps, OPS_ARGV } from '../../../engine/host/ssh-ops.js';
import { SudoFiles } from '../../../engine/host/ssh-sudo-files.js';
import { sshTarget, type Target } from '../../harness/nspawn.js';
import { startPushTarget } from './sudo-user.js';

const D = '/srv/cut';

describe('an op stream cut short', () => {
  let t: Target;
  let h: SshHost;
  beforeAll(async () => {
    t = await startPushTarget('/dev/null');
    const { target, options } = sshTarget(t);
    h = await connectSsh(target, options);
  });
  afterAll(async () => {
    await h?.close();
    await t?.stop();
  });

  const on = async (cmd: string) => (await t.ssh(cmd)).stdout.trim();
  /** Runs the ops script with the stream of `groups` cut right before the first byte of `at`. */
  const cutAt = async (groups: HostOp[][], at: string, skip = 0) => {
    const s = encodeOps(groups);
    const i = s.indexOf(at) + skip;
    expect(i).toBeGreaterThan(skip - 1);
    return h.exec(OPS_ARGV, { stdin: s.subarray(0, i) });
  };
  const reset = (more = '') =>
    t.ssh(
      `rm -rf ${D}; mkdir -p ${D}; echo old > ${D}/big; echo keep > ${D}/keep; echo kl > ${D}/keep-longer; ${more}`,
    );

  it('leaves a file whose data was cut as it was (one write, no tar)', async () => {
    await reset();
    const data = Buffer.alloc(2_000_000, 'n');
    await cutAt([[{ op: 'write', path: `${D}/big`, data }]], 'nnnn', 1_000_000);
    expect(await on(`head -c 9 ${D}/big; ls -A ${D} | grep -c brine`)).toBe('old\n0');
  });

  it('leaves files whose tar was cut as they were (a B record)', async () => {
    await reset();
    const w = (n: string, c: string): HostOp[] => [{ op: 'write', path: `${D}/${n}`, data: Buffer.alloc(300_000, c) }];
    await cutAt([w('keep', 'a'), w('big', 'b'), w('new', 'c')], 'bbbb', 1000);
    // keep's data came whole: it is replaced; big's was cut, new's never came
    expect(await on(`cat ${D}/big; wc -c < ${D}/keep; ls -A ${D} | grep -c -e brine -e new`)).toBe('old\n300000\n0');
  });

  it('removes nothing when a path to remove was cut', async () => {
    await reset();
    await cutAt([[{ op: 'remove', path: `${D}/keep-longer` }]], '-longer');
    expect(await on(`ls ${D}`)).toBe('big\nkeep\nkeep-longer');
  });

  it('renames nothing when a rename was cut', async () => {
    await reset();
    await cutAt([[{ op: 'rename', from: `${D}/keep`, to: `${D}/big.new` }]], '.new');
    expect(await on(`ls ${D}`)).toBe('big\nkeep\nkeep-longer');
  });

  it('runs no command cut short (with output, with options, argv)', async () => {
    await reset();
    const cmd = `touch ${D}/ran; rm -f ${D}/keep`;
    await cutAt([[{ op: 'exec', argv: ['sh', '-c', cmd], output: true }]], '; rm');
    await cutAt([[{ op: 'exec', argv: ['sh', '-c', cmd], cwd: '/' }]], '; rm');
    await cutAt([[{ op: 'exec', argv: ['rm', '-f', `${D}/keep-longer`] }]], '-longer');
    expect(await on(`ls ${D}`)).toBe('big\nkeep\nkeep-longer');
  });

  it('as a sudo login, a write whose data is cut leaves the old file', async () => {
    await reset();
    const { target, options } = sshTarget(t, 'deploy');
    const d = await connectSsh(target, options);
    try {
      // the write's stdin is its data: cut in half, as when the push dies while sending it
      const cut = new SudoFiles({
        name: d.name,
        loginUser: d.loginUser,
        execRaw: (cmd, stdin, ms, argv, inv) =>
          d.execRaw(cmd, Buffer.isBuffer(stdin) ? stdin.subarray(0, stdin.length / 2) : stdin, ms, argv, inv),
      });
      await expect(cut.writeFileAtomic(`${D}/big`, Buffer.alloc(100_000, 'n'), {})).rejects.toThrow(
        /did not arrive whole \(50000 of 100000 bytes\)/,
      );
      expect(await on(`head -c 9 ${D}/big; ls -A ${D} | grep -c brine`)).toBe('old\n0');
    } finally {
      await d.close();
    }
  });
});
