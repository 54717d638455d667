// No secret in any output, old or new: two real envs from `brine env create`, the appliance tree
// (plus a few files holding secrets in derived forms) written under a scratch --root as the first
// env renders it, then a dry run with the second env in every output format. Not one secret of
// either env may print: no line of a key, not the armour tail of a PGP block, not the Django
// secrets, not a short password, not an upper-cased, sliced, JSON- or base64-encoded one, not the
// backup URL's password (an S3 secret key pasted with / and +, a URL-encoded sftp password) in any
// form, in the dry run, `show pillar|lowstate`, a failed state's error or a render error; while
// backup.conf as the states write it holds the real URL.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { desiredContents } from '../../../modules/file/content.js';
import { LocalHost } from '../../../engine/host/local.js';
import { compileStates, prepareHost } from '../../../engine/pipeline.js';
import { registry } from '../../../modules/index.js';
import { Redactor } from '../../../engine/redact.js';
import { makeCtx } from '../../../engine/run/ctx.js';
import { build, REPO } from './tree.js';

const BRINE = join(REPO, 'bin/brine.mjs');
const ID = 'leak-host';

/** A TEST ONLY state: files that hold the env's secrets as templates derive them. */
const LEAKTEST = `
/srv/leak/derived.conf:
  file.managed:
    - makedirs: true
    - contents: |
        # derived forms of secrets
        upper={{ salt['pillar.get']('leaktest:db_pass') | upper }}
        slice={{ salt['pillar.get']('leaktest:passphrase')[2:20] }}
        json={{ salt['pillar.get']('leaktest:credentials') | json }}
        b64={{ salt['pillar.get']('leaktest:api_token') | base64_encode }}
        short={{ salt['pillar.get']('leaktest:pw') }}
        domain={{ salt['pillar.get']('appliance:domain') }}
/srv/leak/settings.py:
  file.managed:
    - makedirs: true
    - contents_pillar: ecs:settings
/srv/leak/backup-key.asc:
  file.managed:
    - makedirs: true
    - contents_pillar: appliance:backup:encrypt
/srv/leak/shown.conf:
  file.managed:
    - makedirs: true
    - contents: |
        # no secret here: a reviewer sees this diff
        domain={{ salt['pillar.get']('appliance:domain') }}
`;

const rnd = (n: number): string => {
  const abc = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0123456789';
  let s = '';
  for (let i = 0; i < n; i++) s += abc[Math.floor(Math.random() * abc.length)];
  return s;
};

interface Env {
  file: string;
  /** appliance:backup:url, with a password. */
  backupUrl: string;
  /** Its password as written in the URL. */
  backupPassword: string;
  /** Every secret as it must never print: whole values, every line of keys, derived forms. */
  secrets: string[];
}

/** A backup URL with a password: S3 keys as pasted (raw / and +), or sftp with a URL-encoded one. */
function backupUrlOf(kind: 's3' | 'sftp'): { url: string; password: string; forms: string[] } {
  if (kind === 's3') {
    const keyId = `AKIA${rnd(16).toUpperCase()}`;
    const password = `${rnd(8)}/${rnd(8)}+${rnd(8)}`;
    const url = `s3://${keyId}:${password}@s3.example.org/ecs-backup`;
    return { url, password, forms: [url, keyId, password, encodeURIComponent(password)] };
  }
  const raw = `${rnd(6)}/@:$"${rnd(6)}`;
  const password = encodeURIComponent(raw);
  const url = `sftp://bk-${rnd(6)}:${password}@backup.example.org/ecs/`;
  return { url, password, forms: [url, raw, password, encodeURIComponent(password)] };
}

/** An env from `brine env create`, with a few TEST ONLY secrets under leaktest:, an extra file, a backup URL. */
async function createEnv(dir: string, name: string, domain: string, backup: 's3' | 'sftp'): Promise<Env> {
  const file = join(dir, `${name}.yml`);
  const r = await execa('node', [BRINE, 'env', 'create', domain, '-o', file], { reject: false });
  expect(r.exitCode, r.stderr).toBe(0);
  const lt = {
    db_pass: `db-${rnd(20)}`,
    passphrase: `ph-${rnd(24)}`,
    credentials: `cr"${rnd(20)}`,
    api_token: `tk-${rnd(20)}`,
    pw: `Q${rnd(4)}`,
    relay: `rl-${rnd(16)}`,
  };
  let text = readFileSync(file, 'utf8');
  const bk = backupUrlOf(backup);
  expect(text).toContain('    url: file:///volatile/ecs-backup-test/\n');
  text = text.replace('    url: file:///volatile/ecs-backup-test/\n', `    url: ${JSON.stringify(bk.url)}\n`);
  // an operator's extra file with a password in it
  text = text.replace(
    /^appliance:\n/m,
    `appliance:\n  extra:\n    files:\n      - path: /app/etc/relay.conf\n        owner: root:root\n        ` +
      `permissions: "0600"\n        contents: |\n          relay_host=smtp.example.org\n          ` +
      `relay_pass=${lt.relay}\n`,
  );
  text += `\nleaktest:\n${Object.entries(lt)
    .map(([k, v]) => `  ${k}: ${JSON.stringify(v)}`)
    .join('\n')}\n`;
  writeFileSync(file, text, { mode: 0o600 });

  const env = parse(text) as {
    appliance: { dkim: { key: string }; backup: { encrypt: string } };
    ecs: Record<string, string>;
  };
  const secrets = new Set<string>();
  for (const block of [
    env.appliance.dkim.key,
    env.appliance.backup.encrypt,
    env.ecs.vault_encrypt!,
    env.ecs.vault_sign!,
  ]) {
    for (const line of block.split('\n')) {
      const t = line.trim();
      if (t.length >= 4 && !/^-----(BEGIN|END) /.test(t)) secrets.add(t); // body, checksum (=XXXX), last body line
    }
  }
  for (const m of env.ecs.settings!.matchAll(/^(SECRET_KEY|REGISTRATION_SECRET|PASSWORD_RESET_SECRET) = '([^']+)'/gm))
    secrets.add(m[2]!);
  for (const v of Object.values(lt)) secrets.add(v);
  for (const v of bk.forms) secrets.add(v);
  secrets.add(lt.db_pass.toUpperCase());
  secrets.add(lt.passphrase.slice(2, 20));
  secrets.add(JSON.stringify(lt.credentials).slice(1, -1));
  secrets.add(Buffer.from(lt.api_token).toString('base64'));
  return { file, backupUrl: bk.url, backupPassword: bk.password, secrets: [...secrets] };
}

/** Writes every file.managed of the tree as `envFile` renders it under root: the host after a run with that env. */
async function materialize(statesDir: string, pillarDir: string, envFile: string, root: string): Promise<number> {
  const host = new LocalHost({ root });
  let n = 0;
  try {
    const p = await prepareHost({ host, pillarDir, envFile, minionId: ID, redactor: new Redactor() });
    const input = { statesDir, registry, pillar: p.pillar, grains: p.grains, minionId: p.minionId };
    const { renderer, compiled } = compileStates(input);
    for (const c of compiled.chunks) {
      if (c.module !== 'file' || c.fun !== 'managed') continue;
      const ctx = makeCtx(
        c,
        { statesDir, render: (t, f, x) => renderer.renderString(t, f, x) },
        { info: [], warn: [] },
      );
      // the staged brine tarball is not part of this tree: that one file is skipped
      const data = await desiredContents(ctx, c.args as never).catch((e: Error) => {
        if (/brine\.tar\.gz/.test(e.message)) return null;
        throw e;
      });
      if (!data) continue;
      const path = join(root, c.name);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, data);
      n++;
    }
  } finally {
    await host.close();
  }
  return n;
}

describe('no secret of the old or the new env in any output of a dry run after an env change', () => {
  let dir: string;
  let states: string;
  let pillar: string;
  let root: string;
  let env1: Env;
  let env2: Env;

  beforeAll(async () => {
    await build();
    dir = mkdtempSync(join(tmpdir(), 'brine-secrets-'));
    states = join(dir, 'states');
    pillar = join(dir, 'pillar');
    root = join(dir, 'root');
    cpSync(join(REPO, 'states'), states, {
      recursive: true,
      filter: (src) => !src.startsWith(join(REPO, 'states/brine/files')),
    });
    cpSync(join(REPO, 'pillar'), pillar, { recursive: true });
    // the staged brine bundle is big and holds no secret: a stand-in file is enough (sources render before the run)
    mkdirSync(join(states, 'brine/files'), { recursive: true });
    writeFileSync(join(states, 'brine/files/brine.tar.gz'), 'stand-in bundle\n');
    const top = readFileSync(join(states, 'top.sls'), 'utf8');
    expect(top).toContain('    - ssh\n');
    writeFileSync(join(states, 'top.sls'), top.replace('    - ssh\n', '    - ssh\n    - leaktest\n'));
    writeFileSync(join(states, 'leaktest.sls'), LEAKTEST);
    env1 = await createEnv(dir, 'env1', 'ecs-one.example.org', 's3');
    env2 = await createEnv(dir, 'env2', 'ecs-two.example.org', 'sftp');
    mkdirSync(root);
    expect(await materialize(states, pillar, env1.file, root)).toBeGreaterThan(30);
    // the old secrets are on the "host" now
    expect(readFileSync(join(root, 'etc/dkimkeys/dkim.key'), 'utf8')).toContain(env1.secrets[0]);
    expect(readFileSync(join(root, 'srv/leak/derived.conf'), 'utf8')).toContain('upper=DB-');
    // the states get the real backup URL: a shell sourcing backup.conf as the backup scripts do
    const conf = join(root, 'etc/appliance/backup.conf');
    const sourced = await execa('bash', ['-c', `. ${conf} && printf %s "$BACKUP_URL"`]);
    expect(sourced.stdout).toBe(env1.backupUrl);
  }, 300_000);

  afterAll(() => {
    if (dir && !process.env.BRINE_KEEP_SCRATCH) rmSync(dir, { recursive: true, force: true });
  });

  const dry = (out: string) =>
    execa(
      'node',
      [
        BRINE,
        'highstate',
        '--test',
        '--out',
        out,
        '--states',
        states,
        '--pillar',
        pillar,
        '--env',
        env2.file,
        '--root',
        root,
        '--id',
        ID,
      ],
      {
        reject: false,
        env: { NO_COLOR: '1' },
        timeout: 240_000,
      },
    );

  it('highstate text, json and markdown: every secret of both envs is absent; secret files show hashes, others ' +
    'their diff', async () => {
    const outs: Record<string, string> = {};
    let jsonOut = '';
    for (const out of ['highstate', 'json', 'markdown']) {
      const r = await dry(out);
      // 2: changes pending; 1: some appliance states cannot be checked on this machine (no postgres role...)
      expect([1, 2], r.stderr).toContain(r.exitCode);
      expect(r.stdout.length).toBeGreaterThan(10_000);
      outs[out] = `${r.stdout}\n${r.stderr}`;
      if (out === 'json') jsonOut = r.stdout;
    }
    const all = [...env1.secrets, ...env2.secrets];
    expect(all.length).toBeGreaterThan(200);
    for (const [out, text] of Object.entries(outs)) {
      const leaked = all.filter((s) => text.includes(s));
      expect(leaked, `${out} leaks`).toEqual([]);
      expect(text, out).not.toMatch(/PRIVATE KEY/);
    }
    const text = outs.highstate!;
    // the key file, the settings, the derived forms and the operator's file: changed, by hash only
    for (const f of [
      '/etc/dkimkeys/dkim.key',
      '/srv/leak/settings.py',
      '/srv/leak/derived.conf',
      '/srv/leak/backup-key.asc',
      '/app/etc/relay.conf',
    ]) {
      expect(text, f).toMatch(
        new RegExp(
          `update ${f.replace(/\./g, '\\.')}: [0-9a-f]{64} -> [0-9a-f]{64}\\n\\s+content not shown: the file holds ` +
            `a secret; sha256 [0-9a-f]{64} -> [0-9a-f]{64}`,
        ),
      );
    }
    // backup.conf changes (the other URL) by its hashes only
    expect(text).toMatch(
      /update \/etc\/appliance\/backup\.conf: [0-9a-f]{64} -> [0-9a-f]{64}\n\s+content not shown \(show_changes/,
    );
    // a file without a secret still shows its diff
    expect(text).toContain('-domain=ecs-one.example.org');
    expect(text).toContain('+domain=ecs-two.example.org');
    const json = JSON.parse(jsonOut) as { results: Array<{ changes: Array<Record<string, unknown>> }> };
    expect(json.results.flatMap((r) => r.changes).some((c) => 'payload' in c)).toBe(false);
  }, 900_000);

  it('a saved plan (--plan-out) holds no secret of either env, nor a plain sha256 of a file that holds ' +
    'one', async () => {
    const plan = join(dir, 'plan.json');
    const r = await execa(
      'node',
      [
        BRINE,
        'highstate',
        '--test',
        '--plan-out',
        plan,
        '--states',
        states,
        '--pillar',
        pillar,
        '--env',
        env2.file,
        '--root',
        root,
        '--id',
        ID,
      ],
      {
        reject: false,
        env: { NO_COLOR: '1' },
        timeout: 240_000,
      },
    );
    expect([1, 2], r.stderr).toContain(r.exitCode);
    const text = readFileSync(plan, 'utf8');
    expect(JSON.parse(text).hosts[0].states.length).toBeGreaterThan(100);
    const leaked = [...env1.secrets, ...env2.secrets].filter((x) => text.includes(x));
    expect(leaked).toEqual([]);
    expect(text).not.toMatch(/PRIVATE KEY/);
    // what a guesser would compute: the sha256 of the secret files, on the host (env1) or as env2 renders them
    const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
    const shown = JSON.stringify(
      JSON.parse(text).hosts[0].states.filter((x: { id: string }) => x.id === '/etc/dkimkeys/dkim.key'),
    );
    expect(shown).toMatch(/hmac:[0-9a-f]{64}/);
    for (const f of [
      'etc/dkimkeys/dkim.key',
      'srv/leak/settings.py',
      'srv/leak/derived.conf',
      'srv/leak/backup-key.asc',
    ]) {
      expect(text, f).not.toContain(sha(readFileSync(join(root, f))));
    }
  }, 600_000);

  const run = (args: string[]) =>
    execa('node', [BRINE, ...args, '--pillar', pillar, '--env', env2.file, '--root', root, '--id', ID], {
      reject: false,
      env: { NO_COLOR: '1' },
      timeout: 240_000,
    });
  const leaks = (text: string) => [...env1.secrets, ...env2.secrets].filter((x) => text.includes(x));

  it('show pillar and show lowstate (yaml, json): the backup URL is redacted whole, no secret shows', async () => {
    for (const what of ['pillar', 'lowstate']) {
      for (const out of ['yaml', 'json']) {
        const r = await run(['show', what, '--out', out, '--states', states]);
        expect(r.exitCode, r.stderr).toBe(0);
        const text = `${r.stdout}\n${r.stderr}`;
        expect(leaks(text), `show ${what} --out ${out}`).toEqual([]);
        expect(text).not.toContain(env2.backupPassword);
        if (what === 'pillar') expect(text).toMatch(out === 'json' ? /"url": "<redacted>"/ : /^ {4}url: <redacted>$/m);
      }
    }
  }, 300_000);

  it('errors: a failed state printing the backup URL, a render error naming it: redacted in every format', async () => {
    const errStates = join(dir, 'err-states');
    mkdirSync(errStates, { recursive: true });
    // a real run of a command that fails and prints the URL (its stderr goes into the result)
    writeFileSync(
      join(errStates, 'urlfail.sls'),
      `url_fail:
  cmd.run:
    - name: "printf 'cannot reach %s\\n' {{ salt['pillar.get']('appliance:backup:url')|quote }} >&2; exit 3"
`,
    );
    // a missing pillar key named by the URL: the error names the key
    writeFileSync(
      join(errStates, 'urlmissing.sls'),
      `x:
  test.nop:
    - name: {{ pillar[salt['pillar.get']('appliance:backup:url')] }}
`,
    );
    for (const out of ['highstate', 'json', 'markdown']) {
      const r = await run(['sls', 'urlfail', '--out', out, '--states', errStates]);
      expect(r.exitCode, r.stderr).toBe(1);
      const text = `${r.stdout}\n${r.stderr}`;
      expect(text).toContain('cannot reach <redacted>');
      expect(leaks(text), `failed state, --out ${out}`).toEqual([]);
    }
    const r = await run(['sls', 'urlmissing', '--test', '--states', errStates]);
    expect(r.exitCode, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/urlmissing\.sls:\d+/);
    expect(leaks(`${r.stdout}\n${r.stderr}`)).toEqual([]);
  }, 300_000);
});
