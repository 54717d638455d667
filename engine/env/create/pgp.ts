// PGP keys for a new appliance (backup encryption, the storage vault's encrypt and sign keys):
// RSA 2048, usable to encrypt and sign, no passphrase, made by gpg in a throw-away GNUPGHOME
// and exported ASCII-armoured. The keys are the ones duplicity/gpg use on the appliance.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { EnvError } from '../../errors.js';

async function gpg(home: string, args: string[], input?: string): Promise<string> {
  const r = await execa('gpg', ['--homedir', home, '--batch', '--yes', '--quiet', ...args], {
    input,
    reject: false,
    env: { LC_ALL: 'C' },
  });
  if (r.failed) {
    const why =
      r.code === 'ENOENT' ? 'gpg is not installed (apt-get install gnupg)' : String(r.stderr).trim().split('\n').pop();
    throw new EnvError('env create', `cannot make PGP keys: ${why}`);
  }
  return String(r.stdout);
}

/** One armoured secret key per owner name (user id `owner <owner@domain>`), in order. */
export async function generatePgpKeys(owners: string[], domain: string): Promise<string[]> {
  const home = mkdtempSync(join(tmpdir(), 'brine-gpg-'));
  try {
    const keys: string[] = [];
    for (const owner of owners) {
      const batch = [
        'Key-Type: RSA',
        'Key-Length: 2048',
        'Key-Usage: encrypt,sign',
        'Expire-Date: 0',
        `Name-Real: ${owner}`,
        `Name-Email: ${owner}@${domain}`,
        '%no-protection',
        '%commit',
        '',
      ].join('\n');
      await gpg(home, ['--gen-key'], batch);
      keys.push(await gpg(home, ['--armor', '--export-secret-keys', `=${owner} <${owner}@${domain}>`]));
    }
    return keys;
  } finally {
    await execa('gpgconf', ['--homedir', home, '--kill', 'all'], { reject: false });
    rmSync(home, { recursive: true, force: true });
  }
}
