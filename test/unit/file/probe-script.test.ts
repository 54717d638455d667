// The batched fact read over a shell (what SSH runs on a target), run with this machine's sh and
// coreutils: types, modes, hashes and link targets of awkward names; and xargs taking over when
// stat or sha256sum could not take the paths as arguments (exit 126, as for E2BIG).
import { chmodSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import type { ExecOptions, Host } from '../../../engine/host/host.js';
import { sha256 } from '../../../modules/file/content.js';
import { probePaths } from '../../../modules/file/probe.js';

/** A host whose commands run here through execa, with PATH given (not in-process: the shell probe). */
function shellHost(path: string, runs: string[][]): Host {
  return {
    name: 'shell',
    inProcess: false,
    async exec(argv: string[], o: ExecOptions = {}) {
      runs.push(argv);
      const r = await execa(argv[0]!, argv.slice(1), {
        reject: false,
        stripFinalNewline: false,
        env: { PATH: path, ...(o.env ?? {}) },
        extendEnv: false,
      });
      return { argv, exitCode: r.exitCode ?? 1, stdout: String(r.stdout), stderr: String(r.stderr) };
    },
  } as unknown as Host;
}

describe('file probe over a shell', () => {
  const dir = mkdtempSync(join(tmpdir(), 'brine-probe-'));
  const odd = join(dir, 'tab\there, new\nline');
  writeFileSync(odd, 'odd\n');
  writeFileSync(join(dir, 'plain'), 'plain\n');
  chmodSync(join(dir, 'plain'), 0o640);
  mkdirSync(join(dir, 'sub'));
  symlinkSync('plain', join(dir, 'link'));
  const paths = [odd, join(dir, 'plain'), join(dir, 'sub'), join(dir, 'link'), join(dir, 'missing')];
  const expected = (facts: Map<string, unknown>) => {
    const f = [...facts.values()] as { type: string; hash?: string; mode?: number; target?: string }[];
    expect(f.map((x) => x.type)).toEqual(['file', 'file', 'directory', 'symlink', 'missing']);
    expect(f[0]!.hash).toBe(sha256('odd\n'));
    expect(f[1]!).toMatchObject({ hash: sha256('plain\n'), mode: 0o640 });
    expect(f[3]!.target).toBe('plain');
    expect(f[3]!.hash).toBeUndefined();
  };

  it('reads every path in one command', async () => {
    const runs: string[][] = [];
    expected(await probePaths(shellHost('/usr/bin:/bin', runs), paths));
    expect(runs.length).toBe(1);
  });

  it('falls back to xargs when stat and sha256sum refuse the argument list', async () => {
    // stat and sha256sum that fail like an exec over ARG_MAX when given the paths directly
    const shim = mkdtempSync(join(tmpdir(), 'brine-probe-shim-'));
    for (const tool of ['stat', 'sha256sum']) {
      const real = (await execa('sh', ['-c', `command -v ${tool}`])).stdout.trim();
      writeFileSync(
        join(shim, tool),
        `#!/bin/sh\nif [ "$BRINE_VIA_XARGS" != 1 ]; then ` +
          `echo "${tool}: Argument list too long" >&2; exit 126; fi\nexec ${real} "$@"\n`,
        { mode: 0o755 },
      );
    }
    writeFileSync(join(shim, 'xargs'), '#!/bin/sh\nBRINE_VIA_XARGS=1 exec /usr/bin/xargs "$@"\n', { mode: 0o755 });
    expected(await probePaths(shellHost(`${shim}:/usr/bin:/bin`, []), paths));
  });
});
