// Builds a real, signed, flat apt repository from generated .deb files (dpkg-deb + gpg), for
// pkgrepo/pkg tests without any network: `deb file:DIR ./` with its key in signed-by.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';

export interface FakePackage {
  name: string;
  version: string;
  /** A unit file or anything else to ship: path -> content. */
  files?: Record<string, string>;
  depends?: string;
  conflicts?: string;
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

export async function buildDeb(pkg: FakePackage, out: string): Promise<string> {
  const root = mkdtempSync(join(tmpdir(), 'brine-deb-'));
  try {
    mkdirSync(join(root, 'DEBIAN'));
    const control = [
      `Package: ${pkg.name}`,
      `Version: ${pkg.version}`,
      'Architecture: all',
      'Maintainer: brine tests <root@localhost>',
      ...(pkg.depends ? [`Depends: ${pkg.depends}`] : []),
      ...(pkg.conflicts ? [`Conflicts: ${pkg.conflicts}`] : []),
      `Description: brine test package ${pkg.name}`,
    ].join('\n');
    writeFileSync(join(root, 'DEBIAN/control'), `${control}\n`);
    const files = pkg.files ?? { [`/usr/share/doc/${pkg.name}/VERSION`]: `${pkg.version}\n` };
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(join(root, path, '..'), { recursive: true });
      writeFileSync(join(root, path), content);
    }
    // files under /etc are configuration files (what purge removes and remove keeps)
    const conffiles = Object.keys(files).filter((p) => p.startsWith('/etc/'));
    if (conffiles.length) writeFileSync(join(root, 'DEBIAN/conffiles'), `${conffiles.join('\n')}\n`);
    const file = join(out, `${pkg.name}_${pkg.version}_all.deb`);
    await execa('dpkg-deb', ['--root-owner-group', '-Zgzip', '--build', root, file]);
    return file;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** Writes DIR/{*.deb,Packages,Release,InRelease}; returns the armored public key that signed it. */
export async function buildSignedRepo(dir: string, pkgs: FakePackage[]): Promise<{ keyArmored: string }> {
  mkdirSync(dir, { recursive: true });
  const stanzas: string[] = [];
  for (const p of pkgs) {
    const file = await buildDeb(p, dir);
    const data = readFileSync(file);
    const fields = await execa('dpkg-deb', ['-f', file]);
    stanzas.push(
      `${fields.stdout.trim()}\nFilename: ` +
        `./${file.split('/').pop()}\nSize: ${statSync(file).size}\nSHA256: ${sha256(data)}\n`,
    );
  }
  const packages = Buffer.from(stanzas.join('\n'));
  writeFileSync(join(dir, 'Packages'), packages);
  const release = [
    'Origin: brine-test',
    'Label: brine-test',
    `Date: ${new Date().toUTCString()}`,
    'SHA256:',
    ` ${sha256(packages)} ${packages.length} Packages`,
    '',
  ].join('\n');
  writeFileSync(join(dir, 'Release'), release);
  const gnupg = mkdtempSync(join(tmpdir(), 'brine-gpg-'));
  try {
    const env = { GNUPGHOME: gnupg };
    await execa(
      'gpg',
      [
        '--batch',
        '--pinentry-mode',
        'loopback',
        '--passphrase',
        '',
        '--quick-gen-key',
        'brine test repo <repo@brine.test>',
        'ed25519',
        'sign',
        'never',
      ],
      { env },
    );
    await execa('gpg', ['--batch', '--yes', '--clearsign', '-o', join(dir, 'InRelease'), join(dir, 'Release')], {
      env,
    });
    const key = await execa('gpg', ['--batch', '--armor', '--export', 'repo@brine.test'], { env });
    return { keyArmored: `${key.stdout.trim()}\n` };
  } finally {
    await execa('gpgconf', ['--kill', 'all'], { env: { GNUPGHOME: gnupg }, reject: false });
    rmSync(gnupg, { recursive: true, force: true });
  }
}
