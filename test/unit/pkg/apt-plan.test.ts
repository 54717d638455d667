// apt's resolution without its simulator (apt-get --print-uris -V, apt-plan.ts), parsed. The outputs
// are APT_PLAN_SCRIPT's on a Debian 12 machine (apt 2.6.1), the mirror's host replaced by MIRROR.
import { describe, expect, it } from 'vitest';
import { parseAptPlan } from '../../../modules/pkg/apt-plan.js';
import { parseWhy, splitSimulation } from '../../../modules/pkg/apt-batch.js';

// install chrony tzdata: chrony conflicts with the installed systemd-timesyncd; tzdata is upgraded
const CONFLICT = [
  'Reading package lists...',
  'Building dependency tree...',
  'Reading state information...',
  'Suggested packages:',
  '   dnsutils (1:9.18.49-1~deb12u3)',
  '   networkd-dispatcher (2.2.3-1)',
  'The following packages will be REMOVED:',
  '   systemd-timesyncd',
  'The following NEW packages will be installed:',
  '   chrony (4.3-2+deb12u3)',
  'The following packages will be upgraded:',
  '   tzdata (2025b-0+deb12u2 => 2026f-0+deb12u1)',
  '1 upgraded, 1 newly installed, 1 to remove and 130 not upgraded.',
  'Need to get 597 kB of archives.',
  'After this operation, 509 kB of additional disk space will be used.',
  "'http://MIRROR/debian-security/pool/updates/main/t/tzdata/tzdata_2026f-0%2bdeb12u1_all.deb" +
    "' tzdata_2026f-0+deb12u1_all.deb 307832 ",
  "'http://MIRROR/debian/pool/main/c/chrony/chrony_4.3-2%2bdeb12u3_amd64.deb' chrony_4.3-2+de" +
    'b12u3_amd64.deb 288684 MD5Sum:d29169ae3e1be8b704deb2b0857626b7',
  '@@brine-installed',
  'systemd-timesyncd\tsystemd-timesyncd\tinstall ok installed\t252.39-1~deb12u2',
].join('\n');

const BATCH = [
  'Reading package lists...',
  'Building dependency tree...',
  'Reading state information...',
  'The following additional packages will be installed:',
  '   cpio (2.13+dfsg-7.1)',
  '   nginx-common (1.22.1-9+deb12u11)',
  'Suggested packages:',
  '   ifupdown (0.8.41)',
  '   libarchive-dev (3.6.2-1+deb12u5)',
  '   fcgiwrap (1.1.0-14+deb12u1)',
  '   nginx-doc (1.22.1-9+deb12u11)',
  '   procmail (3.22-27)',
  '   postfix-mysql (3.7.11-0+deb12u1)',
  '   postfix-pgsql (3.7.11-0+deb12u1)',
  '   postfix-ldap (3.7.11-0+deb12u1)',
  '   postfix-pcre (3.7.11-0+deb12u1)',
  '   postfix-lmdb (3.7.11-0+deb12u1)',
  '   postfix-sqlite (3.7.11-0+deb12u1)',
  '   sasl2-bin (2.1.28+dfsg-10+deb12u1)',
  '   | dovecot-common',
  '   resolvconf (1.91+nmu1)',
  '   postfix-cdb (3.7.11-0+deb12u1)',
  '   mail-reader',
  '   postfix-mta-sts-resolver (1.1.2-1.1)',
  '   ufw (0.36.2-1)',
  '   postfix-doc (3.7.11-0+deb12u1)',
  'The following NEW packages will be installed:',
  '   bridge-utils (1.7.1-1)',
  '   cpio (2.13+dfsg-7.1)',
  '   nginx (1.22.1-9+deb12u11)',
  '   nginx-common (1.22.1-9+deb12u11)',
  '   postfix (3.7.11-0+deb12u1)',
  '0 upgraded, 5 newly installed, 0 to remove and 131 not upgraded.',
  'Need to get 2438 kB of archives.',
  'After this operation, 7108 kB of additional disk space will be used.',
  "'http://MIRROR/debian/pool/main/c/cpio/cpio_2.13%2bdfsg-7.1_amd64.deb' cpio_2.13+dfsg-7.1_" +
    'amd64.deb 245036 MD5Sum:3202b0e730eb92019cee3bd47ced792e',
  "'http://MIRROR/debian/pool/main/p/postfix/postfix_3.7.11-0%2bdeb12u1_amd64.deb' postfix_3." +
    '7.11-0+deb12u1_amd64.deb 1510172 MD5Sum:cd6d0979126ccb7ce4b30918ee942a6a',
  "'http://MIRROR/debian/pool/main/b/bridge-utils/bridge-utils_1.7.1-1_amd64.deb' bridge-util" +
    's_1.7.1-1_amd64.deb 34452 MD5Sum:4b9b1821b01213fa38cf528770998c34',
  "'http://MIRROR/debian-security/pool/updates/main/n/nginx/nginx-common_1.22.1-9%2bdeb12u11_" +
    "all.deb' nginx-common_1.22.1-9+deb12u11_all.deb 115544 ",
  "'http://MIRROR/debian-security/pool/updates/main/n/nginx/nginx_1.22.1-9%2bdeb12u11_amd64.d" +
    "eb' nginx_1.22.1-9+deb12u11_amd64.deb 532468 ",
  '@@brine-installed',
].join('\n');

// install nginx postfix bridge-utils: apt's AutoInstall account (stderr)
const BATCH_WHY = [
  '  Installing nginx-common:amd64 as Depends of nginx:amd64',
  '  Installing cpio:amd64 as Depends of postfix:amd64',
].join('\n');

// install --allow-downgrades tzdata=2025b-0+deb12u1
const DOWNGRADE = `Reading package lists...
Building dependency tree...
Reading state information...
The following packages will be DOWNGRADED:
   tzdata (2025b-0+deb12u2 => 2025b-0+deb12u1)
0 upgraded, 0 newly installed, 1 downgraded, 0 to remove and 130 not upgraded.
Need to get 299 kB of archives.
After this operation, 2048 B disk space will be freed.
'http://MIRROR/debian/pool/main/t/tzdata/tzdata_2025b-0%2bdeb12u1_all.deb' tzdata_2025b-0+deb12u1_all.deb 299412 
@@brine-installed
`;

// purge libjq1: -V shows the candidate (deb12u3); dpkg has deb12u1 installed
const PURGE = `Reading package lists...
Building dependency tree...
Reading state information...
The following packages were automatically installed and are no longer required:
   libonig5 (6.9.8-1)
   python3-toml (0.10.2-1)
Use 'apt autoremove' to remove them.
The following packages will be REMOVED:
   jq* (1.6-2.1+deb12u3)
   libjq1* (1.6-2.1+deb12u3)
   yq* (3.1.0-3)
0 upgraded, 0 newly installed, 3 to remove and 129 not upgraded.
After this operation, 556 kB disk space will be freed.
@@brine-installed
jq\tjq\tinstall ok installed\t1.6-2.1+deb12u1
libjq1:amd64\tlibjq1\tinstall ok installed\t1.6-2.1+deb12u1
yq\tyq\tinstall ok installed\t3.1.0-3
`;

// remove bash: the essential-package warning lists it again (not a second removal)
const ESSENTIAL = `Reading package lists...
Building dependency tree...
Reading state information...
The following packages will be REMOVED:
   bash (5.2.15-2+b13)
WARNING: The following essential packages will be removed.
This should NOT be done unless you know exactly what you are doing!
   bash
0 upgraded, 0 newly installed, 1 to remove and 130 not upgraded.
After this operation, 7336 kB disk space will be freed.
@@brine-installed
bash\tbash\tinstall ok installed\t5.2.15-2+b8
`;

describe('apt-get --print-uris -V parsing', () => {
  it('installs and upgrades in the order of the URI list, removals last at the installed version', () => {
    expect(parseAptPlan(CONFLICT)).toEqual([
      { op: 'update', target: 'tzdata', before: '2025b-0+deb12u2', after: '2026f-0+deb12u1' },
      { op: 'create', target: 'chrony', after: '4.3-2+deb12u3' },
      { op: 'delete', target: 'systemd-timesyncd', before: '252.39-1~deb12u2' },
    ]);
  });

  it('NEW packages in apt’s download order, not the alphabetical section; suggestions are no changes', () => {
    expect(parseAptPlan(BATCH).map((c) => `${c.op} ${c.target} ${c.after}`)).toEqual([
      'create cpio 2.13+dfsg-7.1',
      'create postfix 3.7.11-0+deb12u1',
      'create bridge-utils 1.7.1-1',
      'create nginx-common 1.22.1-9+deb12u11',
      'create nginx 1.22.1-9+deb12u11',
    ]);
  });

  it('a downgrade is an update from the installed to the older version', () => {
    expect(parseAptPlan(DOWNGRADE)).toEqual([
      { op: 'update', target: 'tzdata', before: '2025b-0+deb12u2', after: '2025b-0+deb12u1' },
    ]);
  });

  it('purges: the names without apt’s `*`, the versions from dpkg, autoremovable packages left out', () => {
    expect(parseAptPlan(PURGE)).toEqual([
      { op: 'delete', target: 'jq', before: '1.6-2.1+deb12u1' },
      { op: 'delete', target: 'libjq1', before: '1.6-2.1+deb12u1' },
      { op: 'delete', target: 'yq', before: '3.1.0-3' },
    ]);
    expect(parseAptPlan(ESSENTIAL)).toEqual([{ op: 'delete', target: 'bash', before: '5.2.15-2+b8' }]);
  });

  it('a removal dpkg does not report (the output of a failed query) has no version', () => {
    expect(parseAptPlan(CONFLICT.replace(/@@brine-installed\n.*/s, '@@brine-installed\n')).at(-1)).toEqual({
      op: 'delete',
      target: 'systemd-timesyncd',
    });
  });

  it('one resolution for several requests, split back with apt’s account', () => {
    const [a, b, c] = splitSimulation(parseAptPlan(BATCH), parseWhy(BATCH_WHY), [
      ['bridge-utils'],
      ['nginx'],
      ['postfix'],
    ]);
    expect(a!.map((x) => x.target)).toEqual(['bridge-utils']);
    expect(b!.map((x) => x.target)).toEqual(['nginx-common', 'nginx']);
    expect(c!.map((x) => x.target)).toEqual(['cpio', 'postfix']);
  });
});
