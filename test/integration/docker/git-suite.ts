// git.latest against real repositories through a Host: a bare repository on the same host is
// the remote (a path, and file:// for shallow clones), a work clone pushes new commits to it.
// Run locally (git.test.ts) and over SSH on a docker target (docker-target/git.test.ts).
import { expect, it } from 'vitest';
import { lookupFunction } from '../../../modules/index.js';
import { checkApply, plan } from '../../support/checkapply.js';
import type { DockerEnv } from './suite.js';

const latest = lookupFunction('git', 'latest')!;
const GIT = 'git -c user.name=brine-test -c user.email=test@brine.invalid -c init.defaultBranch=main';

export interface GitRepo {
  src: string;
  work: string;
  /** Commits `content` to `file` in the work clone and pushes (branch main unless given); returns the commit. */
  commit(file: string, content: string, branch?: string): Promise<string>;
  head(dir: string): Promise<string>;
}

/** A bare repository `${dir}/src.git` with one commit on main, and a work clone to push from. */
export async function makeRepo(env: Pick<DockerEnv, 'sh'>, dir: string): Promise<GitRepo> {
  const src = `${dir}/src.git`;
  const work = `${dir}/work`;
  await env.sh(`set -e; rm -rf ${src} ${work}; ${GIT} init -q --bare ${src}; ${GIT} init -q ${work}`);
  const repo: GitRepo = {
    src,
    work,
    async commit(file, content, branch = 'main') {
      const b64 = Buffer.from(content).toString('base64');
      await env.sh(
        `set -e; cd ${work}; (${GIT} checkout -q ${branch} 2>/dev/null || ${GIT} checkout -q -b ${branch}); mkdir ` +
          `-p "$(dirname ${file})"; ` +
          `echo ${b64} | base64 -d > ${file}; ${GIT} add -A; ${GIT} commit -q -m 'change ${file}'; ${GIT} push -q ` +
          `-f ${src} ${branch}`,
      );
      return repo.head(work);
    },
    async head(d) {
      return (await env.sh(`git -C ${d} rev-parse HEAD`)).trim();
    },
  };
  await repo.commit('README', 'one\n');
  return repo;
}

export function gitLatestSuite(env: () => DockerEnv): void {
  const e = () => env();
  let repo: GitRepo;
  const target = () => `${e().tmp}/checkout`;

  it(
    'clones; the dry run changes nothing and says exactly what the real run does; a second run plans ' + 'nothing',
    async () => {
      const { host, sh, tmp } = e();
      repo = await makeRepo(e(), `${tmp}/git`);
      const a = await repo.head(repo.work);
      const args = { name: repo.src, target: target() };
      const dry = await plan(host, latest, args);
      expect(dry).toEqual([
        { op: 'create', kind: 'clone', target: target(), after: `clone of ${repo.src}` },
        { op: 'update', kind: 'revision', target: 'revision', before: null, after: a },
      ]);
      expect((await sh(`test -e ${target()} && echo exists || echo missing`)).trim()).toBe('missing');
      const r = await checkApply(host, latest, args);
      expect(r.planned).toEqual(dry);
      expect(r.replanned).toEqual([]);
      expect(await repo.head(target())).toBe(a);
      expect((await sh(`git -C ${target()} symbolic-ref --short HEAD; cat ${target()}/README`)).trim()).toBe(
        'main\none',
      );
      expect(await plan(host, latest, args)).toEqual([]);
    },
  );

  it(
    'a new commit on the remote: the dry run names old and new revision and changes nothing; the real run ' + 'updates',
    async () => {
      const { host, sh } = e();
      const args = { name: repo.src, target: target() };
      const a = await repo.head(target());
      const b = await repo.commit('README', 'two\n');
      const dry = await plan(host, latest, args);
      expect(dry).toEqual([{ op: 'update', kind: 'revision', target: 'revision', before: a, after: b }]);
      expect(await repo.head(target())).toBe(a);
      expect((await sh(`git -C ${target()} status --porcelain`)).trim()).toBe('');
      const r = await checkApply(host, latest, args);
      expect(r.planned).toEqual(dry);
      expect(r.replanned).toEqual([]);
      expect(await repo.head(target())).toBe(b);
      expect((await sh(`cat ${target()}/README`)).trim()).toBe('two');
      // the upstream is the remote's branch, as after a clone
      expect((await sh(`git -C ${target()} rev-parse --abbrev-ref main@{upstream}`)).trim()).toBe('origin/main');
    },
  );

  it('uncommitted changes: kept when up to date, block an update without force_reset, discarded with it', async () => {
    const { host, sh } = e();
    const args = { name: repo.src, target: target() };
    await sh(`echo local > ${target()}/README`);
    expect(await plan(host, latest, args)).toEqual([]);
    const b = await repo.head(target());
    const c = await repo.commit('app/Dockerfile', 'FROM scratch\n');
    await expect(plan(host, latest, args)).rejects.toThrow(/has uncommitted changes \(README\).*set force_reset: True/);
    const forced = { ...args, force_reset: true };
    const dry = await plan(host, latest, forced);
    expect(dry).toEqual([
      { op: 'update', kind: 'revision', target: 'revision', before: b, after: c },
      { op: 'update', kind: 'forced-update', target: 'forced update', before: ['README'], after: 'hard reset' },
    ]);
    const r = await checkApply(host, latest, forced);
    expect(r.planned).toEqual(dry);
    expect(r.replanned).toEqual([]);
    expect(await repo.head(target())).toBe(c);
    expect((await sh(`cat ${target()}/README; git -C ${target()} status --porcelain`)).trim()).toBe('two');
  });

  it('a rewritten remote history is not a fast-forward: refused without force_reset, reset with it', async () => {
    const { host, sh } = e();
    const args = { name: repo.src, target: target() };
    const c = await repo.head(target());
    await sh(`cd ${repo.work} && git reset -q --hard HEAD~1`);
    const d = await repo.commit('README', 'rewritten\n');
    await expect(plan(host, latest, args)).rejects.toThrow(/is not a fast-forward; set force_reset: True/);
    const dry = await plan(host, latest, { ...args, force_reset: true });
    expect(dry).toEqual([
      { op: 'update', kind: 'revision', target: 'revision', before: c, after: d },
      { op: 'update', kind: 'forced-update', target: 'forced update', after: 'hard reset' },
    ]);
    const r = await checkApply(host, latest, { ...args, force_reset: true });
    expect(r.replanned).toEqual([]);
    expect((await sh(`cat ${target()}/README`)).trim()).toBe('rewritten');
  });

  it('a tag checks out detached, a branch by name; a shallow clone over file://', async () => {
    const { host, sh, tmp } = e();
    const args = { name: repo.src, target: target() };
    const d = await repo.head(target());
    await sh(`cd ${repo.work} && git -c user.name=t -c user.email=t@t tag -a -m v1 v1 && git push -q ${repo.src} v1`);
    const tagged = { ...args, rev: 'v1' };
    expect(await plan(host, latest, tagged)).toEqual([
      { op: 'update', kind: 'branch', target: 'branch', before: 'main', after: `detached at ${d.slice(0, 12)}` },
    ]);
    expect((await checkApply(host, latest, tagged)).replanned).toEqual([]);
    expect((await sh(`git -C ${target()} symbolic-ref -q HEAD || echo detached`)).trim()).toBe('detached');

    const e1 = await repo.commit('dev.txt', 'dev\n', 'dev');
    const dev = { ...args, rev: 'dev' };
    expect(await plan(host, latest, dev)).toEqual([
      { op: 'update', kind: 'revision', target: 'revision', before: d, after: e1 },
      { op: 'update', kind: 'branch', target: 'branch', before: null, after: 'dev' },
    ]);
    expect((await checkApply(host, latest, dev)).replanned).toEqual([]);
    expect((await sh(`git -C ${target()} symbolic-ref --short HEAD`)).trim()).toBe('dev');

    const shallow = { name: `file://${repo.src}`, target: `${tmp}/shallow`, depth: 1 };
    expect((await checkApply(host, latest, shallow)).replanned).toEqual([]);
    expect(
      (
        await sh(`git -C ${tmp}/shallow rev-parse --is-shallow-repository; git -C ${tmp}/shallow rev-list --count HEAD`)
      ).trim(),
    ).toBe('true\n1');
    const f = await repo.commit('README', 'three\n');
    expect(await plan(host, latest, shallow)).toMatchObject([
      { op: 'update', kind: 'revision', target: 'revision', after: f },
    ]);
    expect((await checkApply(host, latest, { ...shallow, force_reset: true })).replanned).toEqual([]);
    expect(await repo.head(`${tmp}/shallow`)).toBe(f);
  });

  it(
    'runs git as another user: it owns the checkout of a remote root owns; a commit rev is found on the ' + 'remote',
    async () => {
      const { host, sh, tmp } = e();
      await sh(`chmod 755 ${tmp} && mkdir -p ${tmp}/nobody && chown nobody ${tmp}/nobody`);
      const first = (await sh(`git -C ${repo.work} rev-list --max-parents=0 HEAD`)).trim();
      const args = { name: repo.src, target: `${tmp}/nobody/app`, user: 'nobody', rev: first };
      const r = await checkApply(host, latest, args);
      expect(r.planned).toEqual([
        { op: 'create', kind: 'clone', target: `${tmp}/nobody/app`, after: `clone of ${repo.src}` },
        { op: 'update', kind: 'revision', target: 'revision', before: null, after: first },
      ]);
      expect(r.replanned).toEqual([]);
      expect(
        (
          await sh(`stat -c %U ${tmp}/nobody/app/README; git -C ${tmp}/nobody/app -c safe.directory='*' rev-parse HEAD`)
        ).trim(),
      ).toBe(`nobody\n${first}`);
      // an abbreviated commit that is not in the checkout yet is fetched from the remote's branches
      const main = await repo.head(repo.work);
      const abbrev = { ...args, rev: main.slice(0, 12) };
      expect(await plan(host, latest, abbrev)).toEqual([
        { op: 'update', kind: 'revision', target: 'revision', before: first, after: main },
      ]);
      expect((await checkApply(host, latest, abbrev)).replanned).toEqual([]);
    },
  );

  it('a target that is not a checkout needs force_clone; an unknown rev fails naming it', async () => {
    const { host, sh, tmp } = e();
    await sh(`mkdir -p ${tmp}/notrepo && echo x > ${tmp}/notrepo/file`);
    const args = { name: repo.src, target: `${tmp}/notrepo` };
    await expect(plan(host, latest, args)).rejects.toThrow(/is not a checkout of .*force_clone: True/);
    const r = await checkApply(host, latest, { ...args, force_clone: true });
    expect(r.replanned).toEqual([]);
    expect(
      (await sh(`test -e ${tmp}/notrepo/file && echo kept || echo replaced; cat ${tmp}/notrepo/README`)).trim(),
    ).toBe('replaced\nthree');
    await expect(plan(host, latest, { ...args, rev: 'no-such-branch' })).rejects.toThrow(
      /rev no-such-branch was not found/,
    );
  });
}
