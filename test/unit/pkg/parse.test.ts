// pkg facts as data: dpkg-query / apt-cache policy / apt-get -s output -> facts; apt failures -> one line.
import { describe, expect, it } from 'vitest';
import { classifyAptFailure } from '../../../modules/pkg/apt.js';
import { parseFacts } from '../../../modules/pkg/facts.js';
import { installedInStatus, parseAptPolicy, parseDpkgQuery } from '../../../modules/pkg/parse.js';
import { parseSimulation } from '../../../modules/pkg/uptodate.js';

const DPKG = [
  'bash\tbash\tinstall ok installed\t5.2.15-2+b8',
  'libc6:amd64\tlibc6\tinstall ok installed\t2.36-9+deb12u14',
  'libc6:i386\tlibc6\tdeinstall ok config-files\t2.36-9+deb12u7',
  'hello\thello\thold ok installed\t2.10-3',
  'sl\tsl\tdeinstall ok config-files\t5.02-1+b1',
  'half\thalf\tinstall reinstreq half-installed\t1.0',
  '',
].join('\n');

const POLICY = `bash:
  Installed: 5.2.15-2+b8
  Candidate: 5.2.15-2+b13
  Version table:
     5.2.15-2+b13 500
        500 http://deb.debian.org/debian-security bookworm-security/main amd64 Packages
 *** 5.2.15-2+b8 500
        500 http://deb.debian.org/debian bookworm/main amd64 Packages
        100 /var/lib/dpkg/status
hello:
  Installed: 2.10-3
  Candidate: 2.10-3
  Version table:
 *** 2.10-3 500
        500 http://deb.debian.org/debian bookworm/main amd64 Packages
mail-transport-agent:
  Installed: (none)
  Candidate: (none)
  Version table:
libc6:
  Installed: 2.36-9+deb12u14
  Candidate: 2.36-9+deb12u14
  Version table:
 *** 2.36-9+deb12u14 500
        500 http://deb.debian.org/debian-security bookworm-security/main amd64 Packages
`;

describe('dpkg-query and apt-cache policy parsing', () => {
  it('reads selection, status and version', () => {
    const e = parseDpkgQuery(DPKG);
    expect(e).toHaveLength(6);
    expect(e[3]).toEqual({ binaryName: 'hello', name: 'hello', want: 'hold', status: 'installed', version: '2.10-3' });
    expect(e[4]!.status).toBe('config-files');
  });

  it('reads candidates and the version table, highest first', () => {
    const p = parseAptPolicy(POLICY);
    expect(p.get('bash')).toEqual({ candidate: '5.2.15-2+b13', versions: ['5.2.15-2+b13', '5.2.15-2+b8'] });
    expect(p.get('mail-transport-agent')).toEqual({ candidate: null, versions: [] });
  });

  it('combines both per requested name (multiarch, held, config-files, unknown)', () => {
    const out = `${DPKG}@@brine-policy\n${POLICY}@@brine-lists\n4\n`;
    const f = parseFacts(out, ['bash', 'libc6', 'hello', 'sl', 'half', 'nosuchpkg']);
    expect(f.listsPresent).toBe(true);
    expect(f.pkgs.bash).toMatchObject({ installed: '5.2.15-2+b8', candidate: '5.2.15-2+b13', held: false });
    expect(f.pkgs.libc6).toMatchObject({ installed: '2.36-9+deb12u14', status: 'installed' });
    expect(f.pkgs.hello).toMatchObject({ installed: '2.10-3', held: true });
    expect(f.pkgs.sl).toMatchObject({ installed: null, status: 'config-files' });
    expect(f.pkgs.half).toMatchObject({ installed: null, status: 'half-installed' });
    expect(f.pkgs.nosuchpkg).toEqual({
      installed: null,
      status: 'unknown',
      held: false,
      candidate: null,
      versions: [],
    });
    expect(parseFacts('@@brine-policy\n@@brine-lists\n0\n', ['x']).listsPresent).toBe(false);
  });

  it('reads apt-get -s upgrade simulations', () => {
    const sim = [
      'NOTE: This is only a simulation!',
      'Inst bash [5.2.15-2+b8] (5.2.15-2+b13 Debian-Security:12/stable-security [amd64])',
      'Inst newdep (1.0-1 Debian:12.8/stable [amd64])',
      'Remv oldpkg [0.9]',
      'Conf bash (5.2.15-2+b13 Debian-Security:12/stable-security [amd64])',
    ].join('\n');
    expect(parseSimulation(sim)).toEqual([
      { op: 'update', target: 'bash', before: '5.2.15-2+b8', after: '5.2.15-2+b13' },
      { op: 'create', target: 'newdep', after: '1.0-1' },
      { op: 'delete', target: 'oldpkg', before: '0.9' },
    ]);
  });
});

describe('apt failures become one line', () => {
  it.each([
    [
      'E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 4242 (apt-get)\nE: Unable to ' +
        'acquire the dpkg frontend lock (/var/lib/dpkg/lock-frontend), is another process using it?',
      'dpkg is locked by another process (pid 4242 apt-get): /var/lib/dpkg/lock-frontend; try again when it has ' +
        'finished',
    ],
    [
      'E: Unable to locate package nosuchpkg',
      "package 'nosuchpkg' not found: no configured repository provides it (is the package index up to date?)",
    ],
    [
      "E: Package 'mta' has no installation candidate",
      "package 'mta' has no installation candidate (virtual, obsolete, or not in the configured repositories)",
    ],
    [
      "E: Version '9.9' for 'hello' was not found",
      "version '9.9' of package 'hello' is not available from the configured repositories",
    ],
    [
      'E: Held packages were changed and -y was used without --allow-change-held-packages.',
      'a held package would change: release the hold (hold: False) or pin the held version',
    ],
    [
      "W: GPG error: file:/srv/repo ./ InRelease: The following signatures couldn't be verified because the public " +
        "key is not available: NO_PUBKEY 961B0FE919E02DA2\nE: The repository 'file:/srv/repo ./ InRelease' is not " +
        'signed.',
      "signature check failed: file:/srv/repo ./ InRelease: The following signatures couldn't be verified because " +
        'the public key is not available: NO_PUBKEY 961B0FE919E02DA2',
    ],
  ])('%s', (stderr, msg) => {
    expect(classifyAptFailure(stderr)).toBe(msg);
  });

  it('leaves unknown failures to the generic message', () => {
    expect(classifyAptFailure('E: Sub-process /usr/bin/dpkg returned an error code (1)')).toBeNull();
  });
});

describe("dpkg's status file, for the guess of what is installed", () => {
  it('names (and name:arch) of installed packages only', () => {
    const status = [
      'Package: curl\nStatus: install ok installed\nPriority: optional\nArchitecture: amd64\nVersion: 7.88',
      'Package: nginx\nStatus: deinstall ok config-files\nArchitecture: amd64\nVersion: 1.22',
      'Package: libc6\nStatus: install ok installed\nMulti-Arch: same\nArchitecture: i386\nVersion: 2.36',
      'Package: mc\nStatus: install ok triggers-pending\nArchitecture: amd64\nDescription: x\n Package: fake',
      'Package: gone\nStatus: purge ok not-installed\nArchitecture: amd64',
    ].join('\n\n');
    expect([...installedInStatus(`${status}\n`)].sort()).toEqual(
      ['curl', 'curl:amd64', 'libc6', 'libc6:i386', 'mc', 'mc:amd64'].sort(),
    );
  });
});
