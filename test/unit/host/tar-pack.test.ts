// tarPack's archives extracted by this machine's GNU tar as a target extracts them (ssh-ops-tar.ts):
// names past ustar's 100 bytes, special mode bits, owner fields 0, in the C locale and a UTF-8 one.
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execaSync } from 'execa';
import { describe, expect, it } from 'vitest';
import { type TarFile, tarPack } from '../../../engine/host/tar-pack.js';

const long = 'n'.repeat(150); // no `/` to split at: a Pax header carries it
const deep = `${'d'.repeat(90)}/${'e'.repeat(90)}/${'f'.repeat(90)}`; // over 255 bytes with the file's name
const split = `${'s'.repeat(80)}/${'t'.repeat(40)}`; // 121 bytes: fits ustar's prefix and name fields
const files: TarFile[] = [
  { name: './short', data: Buffer.from('short\n'), mode: 0o644 },
  { name: `./${long}`, data: Buffer.from('long\n'), mode: 0o4755 },
  { name: `./${deep}/g`, data: Buffer.alloc(1000, 7), mode: 0o2750 },
  { name: `./${split}`, data: Buffer.from(''), mode: 0o1711 },
  { name: './caf\u00e9-\u00fc', data: Buffer.from([0, 255, 10]), mode: 0o600 },
];

describe.each(['C', 'C.UTF-8'])('tarPack, extracted by tar -x -p -m --no-same-owner in LC_ALL=%s', (lc) => {
  it('lands every file whole with its exact mode, whatever its name length', () => {
    const d = mkdtempSync(join(tmpdir(), 'brine-tarpack-'));
    const tar = tarPack(files);
    expect(tar.length % 10240).toBe(0);
    writeFileSync(join(d, '.list'), files.map((f) => `${f.name}\n`).join(''));
    const env = { LC_ALL: lc };
    const listing = execaSync('tar', ['-t', '-v', '--numeric-owner', '-f', '-'], { input: tar, env });
    expect(listing.stderr).toBe('');
    const lines = listing.stdout.split('\n');
    expect(lines).toHaveLength(files.length);
    expect(lines.every((l) => / 0\/0 /.test(l))).toBe(true);
    const x = execaSync(
      'tar',
      ['-x', '-p', '-m', '--no-same-owner', '-C', d, '-f', '-', '--no-unquote', '-T', '.list'],
      {
        input: tar,
        env,
        cwd: d,
      },
    );
    expect(x.stderr).toBe('');
    for (const f of files) {
      const p = join(d, f.name);
      expect([f.name, statSync(p).mode & 0o7777]).toEqual([f.name, f.mode]);
      expect(readFileSync(p)).toEqual(f.data);
    }
  });
});
