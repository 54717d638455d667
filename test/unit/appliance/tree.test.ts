// The appliance state tree compiles (render -> load -> top -> compile) with the default env and with
// edited envs, and its templates render what the env says. No host is touched: the pillar is the
// pillar tree merged with an env file, the grains are fixed data.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import deepmerge from 'deepmerge';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadPillarTree } from '../../../engine/env/pillar-tree.js';
import { compileStates } from '../../../engine/pipeline.js';
import { registry } from '../../../modules/index.js';

const REPO = resolve(import.meta.dirname, '../../..');
const STATES = join(REPO, 'states');
const GRAINS = {
  id: 'ecs.example.org',
  host: 'ecs',
  fqdn: 'ecs.example.org',
  domain: 'example.org',
  nodename: 'ecs',
  os: 'Debian',
  os_family: 'Debian',
  oscodename: 'bookworm',
  osrelease: '12',
  osmajorrelease: 12,
  osfinger: 'Debian-12',
  kernel: 'Linux',
  kernelrelease: '6.1.0',
  cpuarch: 'x86_64',
  num_cpus: 2,
  mem_total: 4096,
  virtual: 'kvm',
  init: 'systemd',
  ipv4: ['127.0.0.1', '203.0.113.7'],
  ipv6: [],
  ip_interfaces: { lo: ['127.0.0.1'], eth0: ['203.0.113.7', 'fe80::1'] },
  default_route: { interface: 'eth0', gateway: '203.0.113.1' },
};
const DEFAULT_ENV = parse(readFileSync(join(REPO, 'pillar/default-env.yml'), 'utf8')) as Record<string, unknown>;
const overwrite = { arrayMerge: (_: unknown[], b: unknown[]) => b };

function compileWith(envPatch: Record<string, unknown> = {}, sls?: string[]) {
  const tree = loadPillarTree({ pillarDir: join(REPO, 'pillar'), grains: GRAINS, minionId: GRAINS.id });
  const pillar = deepmerge.all([tree, DEFAULT_ENV, envPatch], overwrite) as Record<string, unknown>;
  return compileStates({ statesDir: STATES, registry, pillar, grains: GRAINS, minionId: GRAINS.id, sls });
}

const byName = (c: ReturnType<typeof compileWith>, name: string) => {
  const chunk = c.compiled.chunks.find((x) => x.name === name || x.id === name);
  if (!chunk) throw new Error(`no state ${name}`);
  return chunk;
};

describe('appliance state tree', () => {
  it('the default env selects common, ssh and the appliance with every part', () => {
    const c = compileWith();
    expect(c.names.slice(0, 3)).toEqual(['common', 'ssh', 'appliance']);
    const sls = new Set(c.compiled.chunks.map((x) => x.sls));
    for (const part of [
      'common',
      'ssh',
      'docker',
      'brine',
      'appliance.directories',
      'ecs',
      'ssl',
      'nginx',
      'postfix',
      'stunnel',
      'postgresql',
      'storage',
      'scripts',
      'systemd',
      'backup',
      'update',
      'metric',
    ]) {
      expect(sls.has(part), part).toBe(true);
    }
    expect(c.compiled.chunks.length).toBeGreaterThan(100);
  });

  it('standby: the highstate selects only the standby notice', () => {
    const c = compileWith({ appliance: { standby: true } });
    expect(c.names).toEqual(['standby']);
    expect(c.compiled.chunks.map((x) => `${x.module}.${x.fun}`)).toEqual(['test.show_notification']);
  });

  it('appliance:enabled false: only the base states', () => {
    expect(compileWith({ appliance: { enabled: false } }).names).toEqual(['common', 'ssh']);
  });

  it('nginx verifies client certificates optionally, or mandatorily when the env says so', () => {
    for (const [mandatory, want] of [
      [false, 'optional'],
      [true, 'on'],
    ] as const) {
      const c = compileWith({ appliance: { ssl: { client_certs_mandatory: mandatory } } });
      const conf = c.renderer.renderFile('nginx/files/nginx.conf');
      expect(conf).toContain(`ssl_verify_client ${want};`);
      expect(conf).toContain('server_name localhost;');
    }
  });

  it('the backup config follows appliance:backup:url; the update timer follows appliance:update', () => {
    const c = compileWith({
      appliance: {
        backup: { url: 'sftp://b@backup.example.org/ecs/' },
        update: { automatic: true, oncalendar: '*-*-* 04:00:00' },
      },
    });
    expect(String(byName(c, '/etc/appliance/backup.conf').args.contents)).toContain(
      'BACKUP_URL=sftp://b@backup.example.org/ecs/\n',
    );
    expect(String(byName(c, '/etc/systemd/system/appliance-update.timer').args.contents)).toContain(
      'OnCalendar=*-*-* 04:00:00',
    );
    expect(byName(c, 'appliance-update.timer').fun).toBe('running');
    expect(byName(compileWith(), 'appliance-update.timer').fun).toBe('dead');
  });

  it(
    'storage: ignored parts get no mount unit; storage:setup (a mapping or YAML text) partitions and formats blank ' +
      'disks',
    () => {
      const ids = (c: ReturnType<typeof compileWith>) =>
        c.compiled.chunks.filter((x) => x.sls === 'storage').map((x) => `${x.module}.${x.fun} ${x.id}`);
      const ignored = ids(compileWith());
      expect(ignored).toContain('file.absent /etc/systemd/system/data.mount');
      expect(ignored).toContain('cmd.run prepare_storage');
      expect(ignored.some((i) => /storage_(parted|format)/.test(i))).toBe(false);
      expect(String(byName(compileWith(), '/etc/appliance/storage.conf').args.contents)).toContain('MOUNT_PARTS=""');
      const setup = {
        parted: {
          '/dev/vdb': {
            type: 'gpt',
            parts: [
              { name: 'data', start: '1MiB', end: '50%' },
              { name: 'volatile', start: '50%', end: '100%', flags: ['lvm'] },
            ],
          },
        },
        format: {
          '/dev/vdb1': { fstype: 'ext4', options: ['-L', 'ecs-data'] },
          '/dev/vdb2': { fstype: 'ext4', opts: '-L ecs-volatile' },
        },
      };
      for (const form of [
        setup,
        `parted:\n  /dev/vdb:\n    type: gpt\n    parts:\n      - {name: data, start: 1MiB, end: 50%}\n      - ` +
          `{name: ` +
          `volatile, start: 50%, end: 100%, flags: [lvm]}\nformat:\n  /dev/vdb1: {fstype: ext4, options: [-L, ` +
          `ecs-data]}\n  /dev/vdb2: {fstype: ext4, opts: -L ecs-volatile}\n`,
      ]) {
        const c = compileWith({ appliance: { storage: { setup: form, ignore: { data: false, volatile: false } } } });
        const list = ids(c);
        expect(list.filter((i) => /storage_(parted|format)/.test(i))).toEqual([
          'cmd.run storage_parted_/dev/vdb',
          'cmd.run storage_parted_/dev/vdb_1_data',
          'cmd.run storage_parted_/dev/vdb_2_volatile',
          'cmd.run storage_format_/dev/vdb1',
          'cmd.run storage_format_/dev/vdb2',
        ]);
        expect(String(byName(c, 'storage_parted_/dev/vdb_2_volatile').args.name)).toContain(
          'mkpart volatile 50% 100% set 2 lvm on',
        );
        expect(byName(c, 'storage_format_/dev/vdb1').args.name).toBe('mkfs.ext4 -L ecs-data /dev/vdb1');
        expect(byName(c, 'storage_format_/dev/vdb2').args.name).toBe('mkfs.ext4 -L ecs-volatile /dev/vdb2');
        expect(JSON.stringify(byName(c, 'storage_parted_/dev/vdb'))).toContain('PTTYPE');
        expect(String(byName(c, '/etc/systemd/system/data.mount').args.contents)).toContain(
          'What=/dev/disk/by-label/ecs-data',
        );
        expect(list).toContain('cmd.run enable_volatile_mount');
        expect(String(byName(c, '/etc/appliance/storage.conf').args.contents)).toContain('MOUNT_PARTS="data volatile"');
      }
    },
  );

  it('backup.conf quotes the URL for the shell that sources it; its diff is never shown', () => {
    const url = `sftp://b:pa$s"w'o\`r\\d$(id)@backup.example.org/ecs/`;
    const conf = byName(
      compileWith({ appliance: { backup: { url, options: '--timeout 90' } } }),
      '/etc/appliance/backup.conf',
    );
    expect(conf.args.show_changes).toBe(false);
    const sourced = execFileSync(
      'bash',
      ['-c', 'eval "$1"; printf "%s\\n" "$BACKUP_URL" $BACKUP_OPTIONS', 'x', String(conf.args.contents)],
      { encoding: 'utf8' },
    );
    expect(sourced).toBe(`${url}\n--timeout\n90\n`);
  });

  it('nginx replaces the X-Forwarded-For a client sent with $remote_addr; sshd reads the drop-in first', () => {
    const c = compileWith();
    const conf = c.renderer.renderFile('nginx/files/nginx.conf');
    expect(conf).not.toContain('$proxy_add_x_forwarded_for');
    expect(conf.match(/proxy_set_header X-Forwarded-For \$remote_addr;/g)).toHaveLength(2);
    expect(byName(c, '/etc/ssh/sshd_config.d/00-appliance.conf').fun).toBe('managed');
    expect(byName(c, '/etc/ssh/sshd_config.d/appliance.conf').fun).toBe('absent');
    expect(byName(c, '/etc/systemd/system/appliance-update.timer').args.check_cmd).toBe(
      '/usr/local/sbin/check-oncalendar.sh appliance:update:oncalendar',
    );
  });

  it('stunnel listens on the address of the default route; postfix on localhost and the docker bridge', () => {
    const c = compileWith();
    expect(c.renderer.renderFile('stunnel/files/stunnel.conf')).toContain('accept = 203.0.113.7:465');
    const main = c.renderer.renderFile('postfix/files/main.cf', {
      domain: 'localhost',
      docker_ip: '172.17.0.1',
      docker_net: '172.17.0.0/16',
    });
    expect(main).toContain('inet_interfaces = 127.0.0.1, 172.17.0.1');
  });

  it('the DKIM key comes from the env, never from a file in the tree', () => {
    const dkim = byName(compileWith(), '/etc/dkimkeys/dkim.key');
    expect(dkim.args.contents_pillar).toBe('appliance:dkim:key');
    expect(dkim.args.mode).toBe('0600');
  });

  it('extra files and packages from the env become states', () => {
    const c = compileWith({
      appliance: {
        extra: {
          packages: ['qrencode'],
          files: [{ path: '/etc/extra.conf', contents: 'a = 1\n', owner: 'root:root', permissions: '0640' }],
        },
      },
    });
    const f = byName(c, '/etc/extra.conf');
    expect(f.args).toMatchObject({ contents: 'a = 1\n', user: 'root', group: 'root', mode: '0640' });
    expect(byName(c, 'appliance_extra_packages').args.pkgs).toEqual(['qrencode']);
  });

  it('appliance:extra:states is pasted into the tree', () => {
    const c = compileWith({
      appliance: { extra: { states: 'extra_marker:\n  file.touch:\n    - name: /run/extra-marker\n' } },
    });
    expect(byName(c, 'extra_marker').fun).toBe('touch');
  });

  it('ssh keys from the env are added for root, deprecated keys removed', () => {
    const key = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJx0aBzWq1v8r9T3m2L6y4c5d7e8f9g0h1i2j3k4l5m6 admin@example.org';
    const old = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOld0aBzWq1v8r9T3m2L6y4c5d7e8f9g0h1i2j3k4l5m6 old@example.org';
    const c = compileWith({ ssh_authorized_keys: [key], ssh_deprecated_keys: [old] });
    const auth = c.compiled.chunks.filter((x) => x.module === 'ssh_auth').map((x) => [x.fun, x.args.user, x.name]);
    expect(auth).toEqual([
      ['present', 'root', key],
      ['absent', 'root', old],
    ]);
  });
});
