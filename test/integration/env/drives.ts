// Test drives: a real filesystem image with a label, attached to a loop device, holding one file.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const run = (cmd: string, args: string[]): string =>
  execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

export interface TestDrive {
  device: string;
  label: string;
  detach(): void;
}

/** Makes an image (`fs`: ext4 or ext2) labelled `label` with `file` = `text`, attached read-write to a loop device. */
export function makeDrive(o: { label: string; fs: 'ext4' | 'ext2'; file: string; text: string }): TestDrive {
  const dir = mkdtempSync(join(tmpdir(), 'brine-drive-'));
  const img = join(dir, 'disk.img');
  const mnt = join(dir, 'mnt');
  mkdirSync(mnt);
  run('truncate', ['-s', '8M', img]);
  run(`mkfs.${o.fs}`, ['-q', '-L', o.label, img]);
  const device = run('losetup', ['--find', '--show', img]);
  try {
    run('mount', [device, mnt]);
    mkdirSync(dirname(join(mnt, o.file)), { recursive: true });
    writeFileSync(join(mnt, o.file), o.text);
    run('umount', [mnt]);
  } catch (e) {
    run('losetup', ['-d', device]);
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  let attached = true;
  return {
    device,
    label: o.label,
    detach() {
      if (!attached) return;
      attached = false;
      try {
        execFileSync('umount', [device], { stdio: 'ignore' });
      } catch {}
      run('losetup', ['-d', device]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Mount points of a device (empty when not mounted). */
export function mountsOf(device: string): string[] {
  try {
    return run('findmnt', ['-n', '-o', 'TARGET', '--source', device]).split('\n').filter(Boolean);
  } catch {
    return [];
  }
}
