// The appliance test tree: a copy of states/ and pillar/ plus a TEST ONLY pillar file for the booted
// Debian target in which dockerd runs (PostgreSQL on a port of its own, so the scripts' port
// handling is exercised; the compose project's pulled and tomcat-based services are left out: no
// registry is reachable), brine staged into it (states/brine/files/brine.tar.gz), and a test env:
// the default env with the ECS source pointed at the stand-in's repository on the target and the
// ECS's unfiltered mail (client certificates) sent through the appliance's postfix.
import { execFileSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const REPO = resolve(import.meta.dirname, '../../..');
export const BRINE = join(REPO, 'bin/brine.mjs');
/** PostgreSQL port inside the target (not the default: the scripts must follow postgresql:port). */
export const PG_PORT = 5434;
/** The stand-in ECS repository on the target (test/fixtures/ecs-standin, see stageStandin). */
export const ECS_REPO = '/srv/ecs-standin.git';
export const STANDIN = join(REPO, 'test/fixtures/ecs-standin');
export const STANDIN_BASE = join(REPO, 'test/fixtures/ecs-standin-base.sh');

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
  cpSync(join(REPO, 'states'), states, {
    recursive: true,
    filter: (src) => !src.startsWith(join(REPO, 'states/brine/files')),
  });
  cpSync(join(REPO, 'pillar'), pillar, { recursive: true });
  appendFileSync(join(pillar, 'top.sls'), '    - appliance-test\n');
  writeFileSync(
    join(pillar, 'appliance-test.sls'),
    [
      '# TEST ONLY: a booted Debian target with dockerd; no registry: no redis, memcached, pdfas, mocca',
      'postgresql:',
      `  port: ${PG_PORT}`,
      'ecs:',
      '  compose:',
      '    redis: false',
      '    memcached: false',
      '    pdfas: false',
      '    mocca: false',
      '',
    ].join('\n'),
  );
  const env = join(dir, 'env.yml');
  writeFileSync(env, testEnv(readFileSync(join(REPO, 'pillar/default-env.yml'), 'utf8')));
  // the CLI bundle for push, and the standalone bundle + trees the states install on the target
  execFileSync(process.execPath, [join(REPO, 'scripts/build.mjs')], { cwd: REPO, stdio: 'pipe' });
  execFileSync(process.execPath, [join(REPO, 'scripts/stage-brine.mjs'), '--states', states, '--pillar', pillar], {
    cwd: REPO,
    stdio: 'pipe',
  });
  return { dir, states, pillar, env, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Values from the test env that must never appear in any output. */
export function secretsOf(envText: string): string[] {
  const out: string[] = [];
  for (const m of envText.matchAll(/^\s+([A-Za-z0-9+/=]{40,})$/gm)) out.push(m[1]!); // key material lines
  for (const m of envText.matchAll(/(SECRET_KEY|REGISTRATION_SECRET|PASSWORD_RESET_SECRET) = '([^']+)'/g))
    out.push(m[2]!);
  return out;
}

/** The default env with the stand-in as ecs:git and the certificate mail through SMTP_URL. */
export function testEnv(defaultEnv: string): string {
  const smtp = "EMAIL_BACKEND_UNFILTERED = 'django.core.mail.backends.smtp.EmailBackend'";
  const out = defaultEnv
    .replace(/^ecs:\n/m, `ecs:\n  git:\n    source: ${ECS_REPO}\n    branch: main\n`)
    .replace("EMAIL_BACKEND_UNFILTERED = 'django.core.mail.backends.console.EmailBackend'", smtp);
  if (!out.includes(ECS_REPO) || !out.includes(smtp))
    throw new Error('tree.ts: the default env changed shape; update testEnv()');
  return out;
}
