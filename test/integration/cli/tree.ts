// Scratch state trees for CLI tests: writes files under a temp dir and runs the built brine.
import { createHash } from 'node:crypto';
import {
  chmodSync,
  rmSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  lstatSync,
  readlinkSync,
  writeFileSync,
  copyFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';

export const REPO = join(import.meta.dirname, '../../..');

export interface Scratch {
  dir: string;
  states: string;
  pillar: string;
  root: string;
  env: string;
  write(rel: string, text: string): void;
}

const made: string[] = [];

/** Removes every scratch tree made so far (call from afterAll). */
export function cleanScratch(): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}

export function scratch(files: Record<string, string>, pillar: Record<string, string> = {}): Scratch {
  const dir = mkdtempSync(join(tmpdir(), 'brine-cli-'));
  made.push(dir);
  const s: Scratch = {
    dir,
    states: join(dir, 'states'),
    pillar: join(dir, 'pillar'),
    root: join(dir, 'root'),
    env: join(dir, 'env.yml'),
    write(rel, text) {
      mkdirSync(dirname(join(dir, rel)), { recursive: true });
      writeFileSync(join(dir, rel), text);
    },
  };
  for (const d of [s.states, s.pillar, s.root]) mkdirSync(d, { recursive: true });
  copyFileSync(join(REPO, 'pillar/default-env.yml'), s.env);
  chmodSync(s.env, 0o600); // an env others may read gets a warning on stderr

  for (const [k, v] of Object.entries(files)) s.write(`states/${k}`, v);
  for (const [k, v] of Object.entries(pillar)) s.write(`pillar/${k}`, v);
  return s;
}

export async function brine(
  s: Scratch,
  args: string[],
  extra: string[] = ['--states', s.states, '--pillar', s.pillar, '--env', s.env, '--root', s.root],
) {
  const r = await execa('node', [join(REPO, 'bin/brine.mjs'), ...args, ...extra], {
    reject: false,
    env: { NO_COLOR: '1' },
    timeout: 120_000,
  });
  return { code: r.exitCode, stdout: r.stdout, stderr: r.stderr };
}

/** A hash of every path, type, mode, owner and content under dir. */
export function treeHash(dir: string): string {
  const h = createHash('sha256');
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const st = lstatSync(p);
      h.update(`${p} ${st.mode} ${st.uid} ${st.gid}\n`);
      if (st.isSymbolicLink()) h.update(readlinkSync(p));
      else if (st.isDirectory()) walk(p);
      else h.update(readFileSync(p));
    }
  };
  walk(dir);
  return h.digest('hex');
}

export async function build(): Promise<void> {
  await execa('node', ['scripts/build.mjs'], { cwd: REPO });
}
