// The docker modules over SSH against the dockerd of a booted target (test/harness/docker-target.ts):
// the same suites the host's dockerd runs (import/build/load, containers publishing ports this
// machine reaches, networks, volumes, docker-compose 1.29 projects), each driven through the SSH
// transport; then `brine push` of a docker state tree: the dry run predicts exactly the changes
// the real push makes, and a second push changes nothing.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectSsh, type SshHost } from '../../../engine/host/ssh.js';
import { type DockerTarget, importBusybox, startDockerTarget } from '../../harness/docker-target.js';
import { sshTarget } from '../../harness/nspawn.js';
import { brinePush, hostResults } from '../ssh/brine-push.js';
import { type DockerEnv, httpGet, imageContainerSuite, networkVolumeComposeSuite } from '../docker/suite.js';

const REPO = resolve(fileURLToPath(import.meta.url), '../../../..');

let t: DockerTarget;
let host: SshHost;
let env: DockerEnv;

async function tsh(cmd: string): Promise<string> {
  const r = await t.ssh(cmd);
  if (r.exitCode !== 0) throw new Error(`on ${t.name}: ${cmd}: exit ${r.exitCode}: ${r.stderr.trim()}`);
  // the harness's ssh strips the final newline; the suites compare raw output like the local sh
  return r.stdout === '' ? '' : `${r.stdout}\n`;
}

beforeAll(async () => {
  await execa('node', ['scripts/build.mjs'], { cwd: REPO });
  t = await startDockerTarget();
  const { target, options } = sshTarget(t);
  host = await connectSsh(target, options);
  const tmp = (await tsh('mktemp -d /root/brine-docker.XXXXXX')).trim();
  const rootfs = `${tmp}/rootfs`;
  await tsh(`set -e; mkdir -p ${rootfs}/bin ${rootfs}/www; cp /bin/busybox ${rootfs}/bin/
    for a in sh httpd sleep cat echo env ls wget; do ln -s busybox ${rootfs}/bin/$a; done
    echo 'hello from busybox' > ${rootfs}/www/index.html`);
  let port = 18080;
  env = { host, sh: tsh, tmp, rootfs, bindAddr: '0.0.0.0', reachAddr: t.ip, freePort: async () => port++ };
}, 900_000);

afterAll(async () => {
  await host?.close();
  await t?.stop();
}, 120_000);

describe('docker_image and docker_container over SSH', () => {
  imageContainerSuite(() => env, 'brine-ssh-ic');
});

describe('docker_network, docker_volume, docker_compose over SSH', () => {
  networkVolumeComposeSuite(() => env, 'brine-ssh-nvc', 'brinesshproj');
});

describe('brine push of docker states', () => {
  const dir = mkdtempSync(join(tmpdir(), 'brine-docker-push-'));
  const states = join(dir, 'states');
  const pillar = join(dir, 'pillar');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  type Res = { id: string; result: boolean | null; comment: string; changes: unknown[] };
  const push = async (extra: string[] = []) => {
    const r = await brinePush(
      [`root@${t.ip}`, '--out', 'json', ...extra],
      {
        knownHosts: t.knownHostsPath,
        key: t.keyPath,
        states,
        pillar,
        env: join(REPO, 'pillar/default-env.yml'),
      },
      { timeoutMs: 600_000 },
    );
    const results = hostResults<Res>(r);
    return { code: r.code, results };
  };
  const changesOf = (rs: Res[]) => Object.fromEntries(rs.map((r) => [r.id, r.changes]));

  it('the dry run predicts the real push exactly; the second push changes nothing', async () => {
    await importBusybox(t, 'brine-push-base:1', 'hello from the pushed tree');
    await tsh('mkdir -p /srv/pushproj/ctx');
    mkdirSync(states, { recursive: true });
    mkdirSync(pillar, { recursive: true });
    writeFileSync(join(pillar, 'top.sls'), "base:\n  '*': []\n");
    writeFileSync(join(states, 'top.sls'), "base:\n  '*':\n    - dock\n");
    writeFileSync(
      join(states, 'dock.sls'),
      `ctx-dockerfile:
  file.managed:
    - name: /srv/pushproj/ctx/Dockerfile
    - contents: |
        FROM brine-push-base:1
        CMD ["httpd", "-f", "-p", "80", "-h", "/www"]
web-image:
  docker_image.present:
    - name: brine-push-web:1
    - build: /srv/pushproj/ctx
    - force: true
    - require:
      - file: ctx-dockerfile
push-net:
  docker_network.present:
    - name: brine-push-net
    - subnet: 172.31.240.0/24
push-vol:
  docker_volume.present:
    - name: brine-push-vol
web:
  docker_container.running:
    - name: brine-push-web
    - image: brine-push-web:1
    - ports:
      - 8090:80
    - networks:
      - brine-push-net
    - volumes:
      - brine-push-vol:/data
    - restart_policy: always
    - watch:
      - docker_image: web-image
compose-file:
  file.managed:
    - name: /srv/pushproj/app/docker-compose.yml
    - makedirs: true
    - contents: |
        version: "3"
        services:
          api:
            image: brine-push-base:1
            command: ["httpd", "-f", "-p", "80", "-h", "/www"]
            ports: ["8091:80"]
            stop_grace_period: 1s
app:
  docker_compose.up:
    - name: /srv/pushproj/app
    - watch:
      - file: compose-file
`,
    );
    const dry = await push(['--test']);
    expect(dry.code).toBe(2);
    expect(dry.results.filter((r) => r.result === false)).toEqual([]);
    expect(
      (
        await tsh(
          'docker ps -aq --filter name=brine-push; docker ps -aq --filter label=com.docker.compose.project=app; ' +
            'docker network ls -q --filter name=brine-push-net; docker volume ls -q --filter name=brine-push',
        )
      ).trim(),
    ).toBe('');

    const real = await push();
    expect(real.results.filter((r) => r.result !== true).map((r) => `${r.id}: ${r.comment}`)).toEqual([]);
    expect(real.code).toBe(0);
    // Every dry-run change is what the real push did; the compose project, whose file does not
    // exist before the push, is announced as depending on it (compose cannot read a file not yet written).
    const app = dry.results.find((r) => r.id === 'app')!;
    expect(app).toMatchObject({ result: null, changes: [] });
    expect(app.comment).toMatch(/would change after .*compose-file/);
    expect(changesOf(real.results)).toEqual({
      ...changesOf(dry.results),
      app: [{ op: 'create', target: 'service api' }],
    });
    expect(real.results.every((r) => r.changes.length > 0)).toBe(true);
    expect((await httpGet(`http://${t.ip}:8090/`)).trim()).toBe('hello from the pushed tree');
    expect((await httpGet(`http://${t.ip}:8091/`)).trim()).toBe('hello from the pushed tree');

    const again = await push(['--test']);
    expect(again.code).toBe(0);
    const second = await push();
    expect(second.code).toBe(0);
    expect(second.results.filter((r) => r.changes.length > 0).map((r) => r.id)).toEqual([]);
  });
});
