// git.latest over SSH on a docker target (the git suite the local test runs), then an image built
// from the checkout's own Dockerfile (`dockerfile:` inside the context, `buildargs`) with `watch`
// on the git state, through `brine push`: the first push clones, builds and runs the container;
// a second push changes nothing (no rebuild); a new commit rebuilds and the container follows;
// a commit that breaks the build fails the image state saying the previous image is kept, and the
// container keeps running it; the fix builds again. Last, an ssh remote read with `identity`.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectSsh, type SshHost } from '../../../engine/host/ssh.js';
import { lookupFunction } from '../../../modules/index.js';
import { checkApply, plan } from '../../support/checkapply.js';
import { type DockerTarget, importBusybox, startDockerTarget } from '../../harness/docker-target.js';
import { sshTarget } from '../../harness/nspawn.js';
import { brinePush, hostResults } from '../ssh/brine-push.js';
import { gitLatestSuite, type GitRepo, makeRepo } from '../docker/git-suite.js';
import { type DockerEnv, httpGet } from '../docker/suite.js';

const REPO = resolve(fileURLToPath(import.meta.url), '../../../..');

let t: DockerTarget;
let host: SshHost;
let env: DockerEnv;

async function tsh(cmd: string): Promise<string> {
  const r = await t.ssh(cmd);
  if (r.exitCode !== 0) throw new Error(`on ${t.name}: ${cmd}: exit ${r.exitCode}: ${r.stderr.trim()}`);
  return r.stdout === '' ? '' : `${r.stdout}\n`;
}

beforeAll(async () => {
  await execa('node', ['scripts/build.mjs'], { cwd: REPO });
  t = await startDockerTarget();
  const { target, options } = sshTarget(t);
  host = await connectSsh(target, options);
  // not under /root (0700): the suite runs git as nobody in it too
  const tmp = (await tsh('mkdir -p /srv && mktemp -d /srv/brine-git.XXXXXX')).trim();
  env = { host, sh: tsh, tmp, rootfs: '', bindAddr: '0.0.0.0', reachAddr: t.ip, freePort: async () => 0 };
}, 900_000);

afterAll(async () => {
  await host?.close();
  await t?.stop();
}, 120_000);

describe('git.latest over SSH', () => {
  gitLatestSuite(() => env);
});

describe('an image built from a git checkout, through brine push', () => {
  const dir = mkdtempSync(join(tmpdir(), 'brine-git-build-'));
  const states = join(dir, 'states');
  const pillar = join(dir, 'pillar');
  let repo: GitRepo;
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  type Res = {
    id: string;
    result: boolean | null;
    comment: string;
    changes: Array<{ op: string; target: string; before?: unknown; after?: unknown }>;
  };
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
    const by = Object.fromEntries(results.map((x) => [x.id, x]));
    return { code: r.code, results, by };
  };
  const imageId = async () => (await tsh("docker image inspect -f '{{.Id}}' brine-gb/ecs:latest")).trim();
  const web = async () => (await httpGet(`http://${t.ip}:8095/`)).trim();

  it('first push clones, builds from the checkout and runs the container', async () => {
    await importBusybox(t, 'brine-gb-base:1');
    repo = await makeRepo(env, '/root/gb');
    await repo.commit(
      'docker/Dockerfile',
      'FROM brine-gb-base:1\nARG GREETING=none\nCOPY www /www\nRUN echo "$GREETING" > /www/greeting.txt\nCMD ' +
        '["httpd", "-f", "-p", "80", "-h", "/www"]\n',
    );
    await repo.commit('www/index.html', 'v1\n');
    mkdirSync(states, { recursive: true });
    mkdirSync(pillar, { recursive: true });
    writeFileSync(join(pillar, 'top.sls'), "base:\n  '*': []\n");
    writeFileSync(join(states, 'top.sls'), "base:\n  '*':\n    - ecs\n");
    writeFileSync(
      join(states, 'ecs.sls'),
      `ecs-source:
  git.latest:
    - name: ${repo.src}
    - target: /app/ecs
    - rev: main
ecs-image:
  docker_image.present:
    - name: brine-gb/ecs:latest
    - build: /app/ecs
    - dockerfile: docker/Dockerfile
    - buildargs:
        GREETING: hello-from-buildargs
    - force: true
    - watch:
      - git: ecs-source
ecs-web:
  docker_container.running:
    - name: brine-gb-web
    - image: brine-gb/ecs:latest
    - ports:
      - 8095:80
    - restart_policy: always
    - watch:
      - docker_image: ecs-image
`,
    );
    const first = await push();
    expect(first.results.filter((r) => r.result !== true).map((r) => `${r.id}: ${r.comment}`)).toEqual([]);
    expect(first.code).toBe(0);
    expect(first.by['ecs-source']!.changes).toContainEqual({
      op: 'update',
      target: 'revision',
      before: null,
      after: await repo.head(repo.work),
    });
    expect(await web()).toBe('v1');
    expect((await httpGet(`http://${t.ip}:8095/greeting.txt`)).trim()).toBe('hello-from-buildargs');

    // nothing changed: nothing to do, no rebuild
    const id = await imageId();
    const again = await push();
    expect(again.code).toBe(0);
    expect(again.results.filter((r) => r.changes.length > 0).map((r) => r.id)).toEqual([]);
    expect(await imageId()).toBe(id);
    // git's own bookkeeping in .git/ (a fetch, a gc) is not a new source: still no rebuild
    await tsh('cd /app/ecs && git fetch -q origin && git gc -q');
    expect((await push()).results.filter((r) => r.changes.length > 0).map((r) => r.id)).toEqual([]);
    expect(await imageId()).toBe(id);
  });

  it(
    'a new commit: the dry run names the revision and the rebuild; the push rebuilds and the container ' + 'follows',
    async () => {
      const before = await repo.head('/app/ecs');
      const id = await imageId();
      const next = await repo.commit('www/index.html', 'v2\n');
      const dry = await push(['--test']);
      expect(dry.code).toBe(2);
      expect(dry.by['ecs-source']!.changes).toEqual([{ op: 'update', target: 'revision', before, after: next }]);
      expect(dry.by['ecs-image']!.changes).toEqual([{ op: 'run', target: 'brine-gb/ecs:latest', after: 'rebuild' }]);
      expect(await imageId()).toBe(id);
      expect(await web()).toBe('v1');

      const real = await push();
      expect(real.results.filter((r) => r.result !== true).map((r) => `${r.id}: ${r.comment}`)).toEqual([]);
      expect(real.by['ecs-source']!.changes).toEqual(dry.by['ecs-source']!.changes);
      // the dry run cannot see the new checkout yet, so it announces the watch's rebuild; the real
      // run sees the changed source and rebuilds once (the rebuild covers the watch)
      expect(real.by['ecs-image']!.changes).toEqual([
        {
          op: 'update',
          target: 'brine-gb/ecs:latest',
          before: id.slice(0, 19),
          after: 're-build /app/ecs (source changed)',
        },
      ]);
      expect(await imageId()).not.toBe(id);
      expect(await web()).toBe('v2');
      expect((await push()).results.filter((r) => r.changes.length > 0).map((r) => r.id)).toEqual([]);
    },
  );

  it(
    'a commit that breaks the build fails the image state, keeps the previous image and its container running; the ' +
      'fix builds',
    async () => {
      const id = await imageId();
      await repo.commit('docker/Dockerfile', 'FROM brine-gb-base:1\nCOPY www /www\nRUN exit 3\n');
      const broken = await push();
      expect(broken.code).toBe(1);
      expect(broken.by['ecs-source']!.result).toBe(true);
      expect(broken.by['ecs-image']!.result).toBe(false);
      expect(broken.by['ecs-image']!.comment).toContain(
        `docker build of /app/ecs failed, the previous image ${id.slice(7, 19)} is kept`,
      );
      expect(broken.by['ecs-web']!.result).toBe(false);
      expect(await imageId()).toBe(id);
      expect(await web()).toBe('v2');
      // the source still differs from the image: the next push tries again (and fails again)
      const retry = await push();
      expect(retry.code).toBe(1);
      expect(retry.by['ecs-source']!.changes).toEqual([]);
      expect(retry.by['ecs-image']!.comment).toContain('failed, the previous image');
      expect(await web()).toBe('v2');

      await repo.commit(
        'docker/Dockerfile',
        'FROM brine-gb-base:1\nCOPY www /www\nCMD ["httpd", "-f", "-p", "80", "-h", "/www"]\n',
      );
      await repo.commit('www/index.html', 'v3\n');
      const fixed = await push();
      expect(fixed.results.filter((r) => r.result !== true).map((r) => `${r.id}: ${r.comment}`)).toEqual([]);
      expect(await imageId()).not.toBe(id);
      expect(await web()).toBe('v3');
    },
  );
});

describe('git.latest over ssh with an identity', () => {
  it('clones from an ssh remote with the key `identity` names; without it the remote cannot be read', async () => {
    const latest = lookupFunction('git', 'latest')!;
    // a key only brine's state names, authorized for root; sshd's host key known to root's ssh
    await tsh(`set -e; rm -f /root/gitkey*; ssh-keygen -q -t ed25519 -N '' -f /root/gitkey
      cat /root/gitkey.pub >> /root/.ssh/authorized_keys
      ssh-keyscan -t ed25519 127.0.0.1 2>/dev/null >> /root/.ssh/known_hosts`);
    const repo = await makeRepo(env, '/srv/idrepo');
    const args = { name: `ssh://root@127.0.0.1${repo.src}`, target: '/srv/idclone' };
    await expect(plan(host, latest, args)).rejects.toThrow(/cannot read the remote ssh:\/\/root@127\.0\.0\.1/);
    const r = await checkApply(host, latest, { ...args, identity: '/root/gitkey' });
    expect(r.planned).toEqual([
      { op: 'create', kind: 'clone', target: '/srv/idclone', after: `clone of ${args.name}` },
      { op: 'update', kind: 'revision', target: 'revision', before: null, after: await repo.head(repo.work) },
    ]);
    expect(r.replanned).toEqual([]);
    expect((await tsh('cat /srv/idclone/README')).trim()).toBe('one');
  });
});
