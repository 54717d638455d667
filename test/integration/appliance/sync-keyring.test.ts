// states/appliance/files/sync-keyring.sh, the one script that keeps the backup keyring and the
// storage vault's keyring equal to the keys staged from the env: run for real (bash, gpg) on this
// machine, as root, with keys made here. The backup way (one key, root's home) and the vault way
// (two key files, a home owned by the containers' user): first import, --check, a changed key
// replacing the old one, the home's mode and owner repaired, a staged file that holds no key.
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const SCRIPT = join(import.meta.dirname, '../../../states/appliance/files/sync-keyring.sh');
let dir: string;

/** A new armoured PGP private key (ed25519, no passphrase) and its primary fingerprint. */
async function makeKey(name: string): Promise<{ armoured: string; fpr: string }> {
  const home = mkdtempSync(join(dir, 'gen-'));
  const gpg = (args: string[]) => execa('gpg', ['--homedir', home, '--batch', ...args]);
  await gpg([
    '--pinentry-mode',
    'loopback',
    '--passphrase',
    '',
    '--quick-gen-key',
    `${name} <${name}@test.invalid>`,
    'ed25519',
    'sign',
    'never',
  ]);
  const armoured = (await gpg(['--armor', '--export-secret-keys'])).stdout;
  const fpr = /^fpr:+([0-9A-F]{40}):/m.exec((await gpg(['--with-colons', '--list-keys'])).stdout)![1]!;
  await execa('gpgconf', ['--homedir', home, '--kill', 'gpg-agent'], { reject: false });
  rmSync(home, { recursive: true, force: true });
  return { armoured, fpr };
}

/** Primary fingerprints of the secret keys in a gpg home. */
async function secretKeys(home: string): Promise<string[]> {
  const r = await execa('gpg', ['--homedir', home, '--batch', '--with-colons', '--list-secret-keys'], {
    reject: false,
  });
  return [...r.stdout.matchAll(/^sec:(?:.*\n)fpr:+([0-9A-F]{40}):/gm)].map((m) => m[1]!).sort();
}

const sync = (args: string[]) => execa('bash', [SCRIPT, ...args], { reject: false });

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'brine-keyring-'));
});

afterAll(async () => {
  if (!dir) return;
  for (const h of ['backup-home', 'vault-home'])
    await execa('gpgconf', ['--homedir', join(dir, h), '--kill', 'gpg-agent'], { reject: false });
  rmSync(dir, { recursive: true, force: true });
});

describe('sync-keyring.sh', () => {
  it('the backup way: imports the key, --check holds, a changed key replaces the old one', async () => {
    const [a, b] = [await makeKey('backup-a'), await makeKey('backup-b')];
    const home = join(dir, 'backup-home');
    const key = join(dir, 'backup-key.asc');
    const args = ['--home', home, `${key}=appliance:backup:encrypt`];
    writeFileSync(key, a.armoured, { mode: 0o600 });

    expect((await sync(['--check', ...args])).exitCode).toBe(1); // no keyring yet
    const first = await sync(args);
    expect(first.exitCode, first.stderr).toBe(0);
    expect(first.stdout).toContain(`sync-keyring: 1 keys in ${home}`);
    expect(await secretKeys(home)).toEqual([a.fpr]);
    expect(statSync(home).mode & 0o777).toBe(0o700);
    expect((await sync(['--check', ...args])).exitCode).toBe(0);

    writeFileSync(key, b.armoured);
    expect((await sync(['--check', ...args])).exitCode).toBe(1);
    expect((await sync(args)).exitCode).toBe(0);
    expect(await secretKeys(home)).toEqual([b.fpr]);
    expect((await sync(['--check', ...args])).exitCode).toBe(0);
  }, 120_000);

  it('the vault way: two key files, the home 0700 and owned by 1000:1000, repaired when changed', async () => {
    const [enc, sign, sign2] = [await makeKey('vault-enc'), await makeKey('vault-sign'), await makeKey('vault-sign2')];
    const home = join(dir, 'vault-home');
    mkdirSync(home, { mode: 0o755 });
    const encFile = join(dir, 'vault_encrypt.asc');
    const signFile = join(dir, 'vault_sign.asc');
    writeFileSync(encFile, enc.armoured, { mode: 0o600 });
    writeFileSync(signFile, sign.armoured, { mode: 0o600 });
    const args = ['--home', home, '--owner', '1000:1000', `${encFile}=ecs:vault_encrypt`, `${signFile}=ecs:vault_sign`];

    const first = await sync(args);
    expect(first.exitCode, first.stderr).toBe(0);
    expect(await secretKeys(home)).toEqual([enc.fpr, sign.fpr].sort());
    const st = statSync(home);
    expect([st.mode & 0o777, st.uid, st.gid]).toEqual([0o700, 1000, 1000]);
    expect((await sync(['--check', ...args])).exitCode).toBe(0);

    // a home whose mode or owner drifted is not in sync
    chmodSync(home, 0o755);
    expect((await sync(['--check', ...args])).exitCode).toBe(1);
    chmodSync(home, 0o700);
    chownSync(home, 0, 0);
    expect((await sync(['--check', ...args])).exitCode).toBe(1);

    // one key changed: the old one leaves, the other stays
    writeFileSync(signFile, sign2.armoured);
    expect((await sync(args)).exitCode).toBe(0);
    expect(await secretKeys(home)).toEqual([enc.fpr, sign2.fpr].sort());
    expect([statSync(home).mode & 0o777, statSync(home).uid]).toEqual([0o700, 1000]);
    expect((await sync(['--check', ...args])).exitCode).toBe(0);
  }, 120_000);

  it('a staged file without a key fails naming the env key and leaves the keyring; bad usage is exit 2', async () => {
    const home = join(dir, 'backup-home');
    const before = await secretKeys(home);
    expect(before).toHaveLength(1);
    const empty = join(dir, 'empty.asc');
    writeFileSync(empty, '\n');
    const r = await sync(['--home', home, `${empty}=appliance:backup:encrypt`]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toBe(
      `sync-keyring: ${empty} holds no PGP private key (appliance:backup:encrypt: set it in the env)`,
    );
    expect(await secretKeys(home)).toEqual(before);
    expect((await sync(['--home', home])).exitCode).toBe(2);
    expect((await sync(['--home', home, empty])).stderr).toContain('expected KEYFILE=ENVKEY');
    expect((await sync(['--homedir', home, `${empty}=x`])).exitCode).toBe(2);
  }, 60_000);
});
