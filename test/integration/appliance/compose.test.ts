// The ECS docker-compose project (states/ecs) on this machine's dockerd. No registry is reachable,
// so the ECS image is built here from local files (a static busybox whose entrypoint answers the
// appliance's commands: `simple` serves http on 5000, the others idle) and a TEST ONLY override
// points redis/memcached/pdfas/mocca at it and the /data and /volatile mounts at a scratch dir.
// What is proven: the rendered compose file and env files are valid for docker-compose 1.29
// (`config`), the services start with the published ports, links, env files and the env exported
// by `brine env export`.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalHost } from '../../../engine/host/local.js';
import { loadPillar } from '../../../engine/env/pillar.js';
import { readGrains } from '../../../engine/grains.js';
import { compileStates } from '../../../engine/pipeline.js';
import { registry } from '../../../modules/index.js';
import { BRINE, REPO } from './tree.js';

const IMAGE = 'ecs/ecs:latest';
const PROJECT = `brineecs${process.pid}`;
let dir: string;
let project: string;
let compose: (args: string[], env?: Record<string, string>) => { code: number; stdout: string; stderr: string };

function run(cmd: string, args: string[], o: { cwd?: string; env?: Record<string, string>; input?: string } = {}) {
  const r = spawnSync(cmd, args, {
    cwd: o.cwd,
    env: { ...process.env, ...o.env },
    input: o.input,
    encoding: 'utf8',
    timeout: 180_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: (r.stderr ?? '') + (r.error ? String(r.error) : '') };
}

beforeAll(async () => {
  const info = run('docker', ['info', '--format', '{{.ServerVersion}}']);
  if (info.code !== 0)
    throw new Error(`dockerd is not answering (run scripts/ci.d/40-docker.sh): ${info.stderr.trim()}`);
  if (run('docker-compose', ['version']).code !== 0)
    throw new Error('docker-compose is missing (apt-get install docker-compose)');
  if (!existsSync('/bin/busybox')) throw new Error('/bin/busybox is missing (apt-get install busybox-static)');

  dir = mkdtempSync(join(tmpdir(), 'brine-compose-'));
  project = join(dir, 'ecs');
  mkdirSync(project);

  // the compose file and env files exactly as the states render them, with the default env
  const host = new LocalHost();
  const grains = await readGrains(host);
  const { pillar } = await loadPillar({
    pillarDir: join(REPO, 'pillar'),
    envFile: join(REPO, 'pillar/default-env.yml'),
    host,
    grains,
    minionId: grains.id,
  });
  const { renderer, compiled } = compileStates({
    statesDir: join(REPO, 'states'),
    registry,
    pillar,
    grains,
    minionId: grains.id,
    sls: ['ecs'],
  });
  writeFileSync(join(project, 'docker-compose.yml'), renderer.renderFile('ecs/files/docker-compose.yml'));
  for (const d of ['pdfas', 'mocca']) cpSync(join(REPO, 'states/ecs/files', d), join(project, d), { recursive: true });
  for (const f of ['service_urls.env', 'database_url.env']) {
    const chunk = compiled.chunks.find((c) => c.name === `/app/etc/ecs/${f}`);
    if (!chunk) throw new Error(`states/ecs has no state for /app/etc/ecs/${f}`);
    writeFileSync(join(project, f), String(chunk.args.contents));
  }

  // the ECS image, built from local files
  const ctx = join(dir, 'image');
  mkdirSync(ctx);
  copyFileSync('/bin/busybox', join(ctx, 'busybox'));
  writeFileSync(
    join(ctx, 'entry'),
    '#!/bin/busybox sh\ncase "$1" in\n  simple) mkdir -p /www; echo "ecs $1 $DATABASE_URL" > /www/index.html; exec ' +
      'httpd -f -p 5000 -h /www ;;\n  *) exec sleep 3600 ;;\nesac\n',
  );
  chmodSync(join(ctx, 'entry'), 0o755);
  writeFileSync(
    join(ctx, 'Dockerfile'),
    'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox", "--install", "-s", "/bin"]\nCOPY entry ' +
      '/entry\nENTRYPOINT ["/entry"]\n',
  );
  const build = run('docker', ['build', '-q', '-t', IMAGE, ctx]);
  if (build.code !== 0) throw new Error(`docker build of ${IMAGE} failed: ${build.stderr.trim()}`);

  // TEST ONLY: images that need a registry replaced by the local one, data mounts in the scratch dir
  const vols = (names: string[]) => names.map((n) => `      - ${dir}/data/${n}:/app/${n}`).join('\n');
  const idle = (name: string) => `  ${name}:\n    image: ${IMAGE}\n    command: idle\n`;
  const ecsVolumes = vols(['ecs-storage-vault', 'ecs-ca', 'ecs-gpg', 'ecs-cache']);
  writeFileSync(
    join(project, 'test-override.yml'),
    `version: "2.4"\nservices:\n` +
      ['ecs.web', 'ecs.worker', 'ecs.beat'].map((s) => `  ${s}:\n    volumes:\n${ecsVolumes}\n`).join('') +
      idle('redis') +
      `    volumes:\n      - ${dir}/data/redis:/data\n` +
      idle('memcached') +
      idle('mocca') +
      idle('pdfas') +
      `    volumes:\n      - ${dir}/data/server.cert.pem:/app/import/server.cert.pem:ro\n`,
  );
  mkdirSync(join(dir, 'data'), { recursive: true });
  writeFileSync(join(dir, 'data/server.cert.pem'), 'test\n');

  // the environment the appliance unit exports from the active env
  const exported = execFileSync(
    process.execPath,
    [BRINE, 'env', 'export', 'ecs,appliance', '--env', join(REPO, 'pillar/default-env.yml'), '--prefix', 'export '],
    {
      encoding: 'utf8',
    },
  );
  const envOut = run('bash', ['-c', `${exported}\nenv -0`]).stdout;
  const exportedEnv: Record<string, string> = {};
  for (const kv of envOut.split('\0')) {
    const i = kv.indexOf('=');
    if (i > 0 && /^(ECS|APPLIANCE)_/.test(kv.slice(0, i))) exportedEnv[kv.slice(0, i)] = kv.slice(i + 1);
  }
  if (!exportedEnv.ECS_SETTINGS) throw new Error('brine env export did not export ECS_SETTINGS');

  compose = (args, env = {}) =>
    run('docker-compose', ['-p', PROJECT, '-f', 'docker-compose.yml', '-f', 'test-override.yml', ...args], {
      cwd: project,
      env: { ...exportedEnv, ...env },
    });
}, 300_000);

afterAll(() => {
  if (compose) compose(['down', '-v', '--remove-orphans', '-t', '1']);
  // whatever compose could not remove
  const left = run('docker', ['ps', '-aq', '--filter', `label=com.docker.compose.project=${PROJECT}`])
    .stdout.split('\n')
    .filter(Boolean);
  if (left.length) run('docker', ['rm', '-f', ...left]);
  run('docker', ['rmi', IMAGE]);
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 120_000);

describe('the ECS compose project', () => {
  it('is valid for docker-compose (config) with the services of the appliance', () => {
    const plain = run('docker-compose', ['-p', PROJECT, '-f', 'docker-compose.yml', 'config', '-q'], { cwd: project });
    expect(plain.code, plain.stderr).toBe(0);
    const services = compose(['config', '--services']).stdout.trim().split('\n').sort();
    expect(services).toEqual([
      'ecs.beat',
      'ecs.smtpd',
      'ecs.web',
      'ecs.worker',
      'memcached',
      'mocca',
      'pdfas',
      'redis',
    ]);
  });

  it('starts with the image built from local files: ports, links, env files, exported env', async () => {
    const up = compose(['up', '-d', '--no-build']);
    expect(up.code, up.stderr).toBe(0);
    let body = '';
    for (let i = 0; i < 40 && !body.startsWith('ecs simple'); i++) {
      body = run('sh', ['-c', 'busybox wget -q -O - http://127.0.0.1:5000/ 2>/dev/null || true']).stdout;
      if (!body.startsWith('ecs simple')) await new Promise((r) => setTimeout(r, 250));
    }
    expect(body.trim()).toBe('ecs simple postgres://app:invalid@172.17.0.1:5432/ecs');
    const running = run('docker', [
      'ps',
      '--filter',
      `label=com.docker.compose.project=${PROJECT}`,
      '--format',
      '{{.Label "com.docker.compose.service"}}',
    ])
      .stdout.trim()
      .split('\n')
      .sort();
    expect(running).toEqual(['ecs.beat', 'ecs.smtpd', 'ecs.web', 'ecs.worker', 'memcached', 'mocca', 'pdfas', 'redis']);
    const web = compose([
      'exec',
      '-T',
      'ecs.web',
      'sh',
      '-c',
      'echo "$REDIS_URL|$MEMCACHED_URL|$SMTP_URL"; grep -c "redis\\|memcached" /etc/hosts; echo "$ECS_SETTINGS" | ' +
        'grep "^DOMAIN"',
    ]);
    expect(web.stdout.trim().split('\n')).toEqual([
      'redis://redis:6379/0|memcached://memcached:11211|smtp://172.17.0.1:25',
      expect.stringMatching(/^[2-9]$/),
      "DOMAIN = 'localhost'",
    ]);
  }, 300_000);
});
