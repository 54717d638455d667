// Stages what the state tree installs onto an appliance: states/brine/files/brine.tar.gz holding
// brine.mjs (the standalone bundle, runs on Debian's nodejs 18), states/ (without
// states/brine/files) and pillar/. Deterministic bytes (sorted names, fixed mtime and owner, gzip -n)
// so an unchanged checkout stages an identical tarball and a highstate reports no change.
// Options (for tests): --states DIR (tree to pack, and where files/ is written; default states/),
// --pillar DIR (pillar tree to pack; default pillar/), --no-build (reuse dist/brine-standalone.mjs).
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const opt = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i > 0 && process.argv[i + 1] ? resolve(process.argv[i + 1]) : dflt;
};
const statesDir = opt('--states', join(root, 'states'));
const pillarDir = opt('--pillar', join(root, 'pillar'));
if (!process.argv.includes('--no-build')) {
  execFileSync(process.execPath, [join(root, 'scripts/build.mjs'), '--standalone'], { cwd: root, stdio: 'inherit' });
}

const stage = mkdtempSync(join(tmpdir(), 'brine-stage-'));
try {
  cpSync(join(root, 'dist/brine-standalone.mjs'), join(stage, 'brine.mjs'));
  cpSync(statesDir, join(stage, 'states'), {
    recursive: true,
    filter: (src) => !src.startsWith(join(statesDir, 'brine/files')),
  });
  cpSync(pillarDir, join(stage, 'pillar'), { recursive: true });
  const out = join(statesDir, 'brine/files');
  mkdirSync(out, { recursive: true });
  const tar = join(stage, 'brine.tar');
  execFileSync('tar', [
    '--sort=name',
    '--mtime=@0',
    '--owner=0',
    '--group=0',
    '--numeric-owner',
    '--mode=u+rw,go+r,go-w',
    '-C',
    stage,
    '-cf',
    tar,
    'brine.mjs',
    'states',
    'pillar',
  ]);
  execFileSync('sh', ['-c', `gzip -n -9 -c "$1" > "$2.tmp" && mv "$2.tmp" "$2"`, 'sh', tar, join(out, 'brine.tar.gz')]);
} finally {
  rmSync(stage, { recursive: true, force: true });
}
