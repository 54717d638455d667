// alternatives, debconf and mount plans as data.
import { describe, expect, it } from 'vitest';
import { parseQuery, planInstall, planSet } from '../../../modules/system/alternatives.js';
import { parseConfigDat, planDebconf } from '../../../modules/system/debconf.js';
import { findMount, planMounted, withFstab } from '../../../modules/system/mount.js';

const QUERY = `Name: editor
Link: /usr/bin/editor
Status: auto
Best: /bin/nano
Value: /bin/nano

Alternative: /bin/nano
Priority: 40

Alternative: /usr/bin/vim.basic
Priority: 30
`;

describe('alternatives', () => {
  const f = { ...parseQuery(QUERY), pathExists: true };
  it('reads update-alternatives --query', () => {
    expect(f).toMatchObject({
      link: '/usr/bin/editor',
      status: 'auto',
      value: '/bin/nano',
      alternatives: [
        { path: '/bin/nano', priority: 40 },
        { path: '/usr/bin/vim.basic', priority: 30 },
      ],
    });
    expect(parseQuery('')).toEqual({ link: null, status: null, value: null, alternatives: [] });
  });
  it('install: registers a new path, updates a priority, nothing when in place', () => {
    const a = { name: 'editor', link: '/usr/bin/editor', path: '/usr/bin/vim.basic', priority: 30 };
    expect(planInstall(a, f)).toEqual([]);
    expect(planInstall({ ...a, priority: 60 }, f)).toEqual([
      { op: 'update', target: 'editor: /usr/bin/vim.basic', before: { priority: 30 }, after: { priority: 60 } },
    ]);
    expect(planInstall({ ...a, path: '/usr/bin/ed' }, f)[0]!.op).toBe('create');
    expect(() => planInstall(a, { ...f, pathExists: false })).toThrow(/does not exist/);
  });
  it('set: selects manually', () => {
    expect(planSet({ name: 'editor', path: '/bin/nano' }, f)).toEqual([
      { op: 'update', target: 'editor', before: '/bin/nano', after: '/bin/nano' },
    ]);
    expect(planSet({ name: 'editor', path: '/bin/nano' }, { ...f, status: 'manual' })).toEqual([]);
    expect(() => planSet({ name: 'editor', path: '/bin/ed' }, f)).toThrow(/not an alternative/);
  });
});

describe('debconf.set', () => {
  const dat = parseConfigDat(
    'Name: tzdata/Areas\nTemplate: tzdata/Areas\nValue: Etc\nOwners: tzdata\n\nName: pw/q\nTemplate: pw/q\nValue: ' +
      'old\n',
  );
  it('plans the answers that differ; passwords hidden', () => {
    expect(planDebconf({ name: 'tzdata', data: { 'tzdata/Areas': { type: 'select', value: 'Etc' } } }, dat)).toEqual(
      [],
    );
    expect(
      planDebconf(
        {
          name: 'tzdata',
          data: { 'tzdata/Areas': { type: 'select', value: 'Europe' }, 'x/flag': { type: 'boolean', value: true } },
        },
        dat,
      ),
    ).toEqual([
      {
        op: 'update',
        kind: 'answer',
        target: 'tzdata tzdata/Areas',
        question: 'tzdata/Areas',
        before: 'Etc',
        after: 'Europe',
      },
      { op: 'create', kind: 'answer', target: 'tzdata x/flag', question: 'x/flag', after: 'true' },
    ]);
    expect(planDebconf({ name: 'pw', data: { 'pw/q': { type: 'password', value: 'new' } } }, dat)).toEqual([
      { op: 'update', kind: 'answer', target: 'pw pw/q', question: 'pw/q', before: '(hidden)', after: '(hidden)' },
    ]);
  });
});

describe('mount.mounted', () => {
  const PROC = 'proc /proc proc rw,nosuid 0 0\ntmpfs /mnt/my\\040dir tmpfs rw,relatime,size=8192k 0 0\n';
  const a = { name: '/mnt/my dir', device: 'tmpfs', fstype: 'tmpfs', opts: 'size=8m' };
  it('finds mounts (octal escapes) and edits fstab by mount point', () => {
    expect(findMount(PROC, '/mnt/my dir')).toEqual({
      device: 'tmpfs',
      name: '/mnt/my dir',
      fstype: 'tmpfs',
      opts: ['rw', 'relatime', 'size=8192k'],
    });
    expect(withFstab('# c\nUUID=1 / ext4 defaults 0 1\n', { ...a, name: '/mnt/x' })).toBe(
      '# c\nUUID=1 / ext4 defaults 0 1\ntmpfs\t/mnt/x\ttmpfs\tsize=8m\t0\t0\n',
    );
    expect(withFstab('tmpfs /mnt/x tmpfs size=8m 0 0\n', { ...a, name: '/mnt/x' })).toBe(
      'tmpfs /mnt/x tmpfs size=8m 0 0\n',
    );
    expect(withFstab('tmpfs /mnt/x tmpfs size=8m 0 0\n', { ...a, name: '/mnt/x' }, true)).toBe('');
  });
  it('compares options as the kernel shows them', () => {
    const m = findMount(PROC, '/mnt/my dir')!;
    expect(
      planMounted(
        { ...a, opts: 'size=8m,mode=0750', persist: false },
        { mounted: { ...m, opts: [...m.opts, 'mode=750'] }, fstab: null, dirExists: true },
      ),
    ).toEqual([]);
    expect(
      planMounted({ ...a, opts: 'size=16m', persist: false }, { mounted: m, fstab: null, dirExists: true }),
    ).toEqual([
      {
        op: 'update',
        kind: 'remount',
        target: '/mnt/my dir (options)',
        before: 'rw,relatime,size=8192k',
        after: 'size=16m',
      },
    ]);
  });

  it('plans mount and fstab; a different filesystem there is an error', () => {
    const f = { mounted: null, fstab: '', dirExists: false };
    expect(() => planMounted({ ...a, name: '/mnt/x' }, f)).toThrow(/set mkmnt: True/);
    expect(planMounted({ ...a, name: '/mnt/x', mkmnt: true, persist: false }, f)).toEqual([
      { op: 'create', kind: 'mount', target: '/mnt/x', after: 'tmpfs (tmpfs, size=8m)' },
    ]);
    const m = { device: '/dev/sda1', name: '/mnt/x', fstype: 'ext4', opts: ['rw'] };
    expect(() => planMounted({ ...a, name: '/mnt/x', persist: false }, { ...f, mounted: m })).toThrow(
      /\/dev\/sda1 \(ext4\) is mounted there/,
    );
  });
});
