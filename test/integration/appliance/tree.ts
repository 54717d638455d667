// The appliance test tree: a copy of states/ and pillar/ plus a TEST ONLY pillar file for the booted
// Debian target (it shares this machine's network: no docker engine inside, PostgreSQL on its own
// port), brine staged into it (states/brine/files/brine.tar.gz), and a test env (the default env).
import { execFileSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const REPO = resolve(import.meta.dirname, '../../..');
export const BRINE = join(REPO, 'bin/brine.mjs');
/** PostgreSQL port inside the target (5432 belongs to this machine, 5433 to the postgres tests). */
export const PG_PORT = 5434;

export interface TestTree {
  dir: string;
  states: string;
  pillar: string;
  env: string;
  cleanup(): void;
}

export function makeTestTree(): TestTree {
  const dir = mkdtempSync(join(tmpdir(), 'brine-appliance-'));
  const states = join(dir, 'states');
  const pillar = join(dir, 'pillar');
  cpSync(join(REPO, 'states'), states, { recursive: true, filter: (src) => !src.startsWith(join(REPO, 'states/brine/files')) });
  cpSync(join(REPO, 'pillar'), pillar, { recursive: true });
  appendFileSync(join(pillar, 'top.sls'), '    - appliance-test\n');
  writeFileSync(
    join(pillar, 'appliance-test.sls'),
    [
      '# TEST ONLY: the booted Debian target shares the network of the machine that runs the tests',
      'docker:',
      '  enabled: false',
      'postgresql:',
      `  port: ${PG_PORT}`,
      '',
    ].join('\n'),
  );
  const env = join(dir, 'env.yml');
  writeFileSync(env, readFileSync(join(REPO, 'pillar/default-env.yml')));
  // the CLI bundle for push, and the standalone bundle + trees the states install on the target
  execFileSync(process.execPath, [join(REPO, 'scripts/build.mjs')], { cwd: REPO, stdio: 'pipe' });
  execFileSync(process.execPath, [join(REPO, 'scripts/stage-brine.mjs'), '--states', states, '--pillar', pillar], { cwd: REPO, stdio: 'pipe' });
  return { dir, states, pillar, env, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Values from the test env that must never appear in any output. */
export function secretsOf(envText: string): string[] {
  const out: string[] = [];
  for (const m of envText.matchAll(/^\s+([A-Za-z0-9+/=]{40,})$/gm)) out.push(m[1]!); // key material lines
  for (const m of envText.matchAll(/(SECRET_KEY|REGISTRATION_SECRET|PASSWORD_RESET_SECRET) = '([^']+)'/g)) out.push(m[2]!);
  return out;
}
