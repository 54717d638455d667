// The command line's pillar override (Salt's pillar='{...}'): parsing as YAML 1.1, refusing what is
// not a mapping with one line and the position, merging over pillar tree and env (the override
// wins), and its secret-named values registered with the Redactor.
import { chmodSync, copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../../engine/errors.js';
import { parsePillarOverride, takePillarOverride, withPillarOverride } from '../../../engine/env/override.js';
import { LocalHost } from '../../../engine/host/local.js';
import { prepareHost } from '../../../engine/pipeline.js';
import { Redactor } from '../../../engine/redact.js';
import { dictKeys } from '../../../engine/render/dictkeys.js';

const made: string[] = [];
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

function refusal(f: () => unknown): UsageError {
  try {
    f();
  } catch (e) {
    if (e instanceof UsageError) return e;
    throw e;
  }
  throw new Error('not refused');
}

describe('parsePillarOverride', () => {
  it('reads JSON and YAML flow as Salt does (YAML 1.1 scalars, typed keys)', () => {
    expect(parsePillarOverride('{"appliance": {"enabled": true}}', 'pillar=')).toEqual({
      appliance: { enabled: true },
    });
    const y = parsePillarOverride('{a: yes, b: [1, two], c: {d: ~}}', 'pillar=');
    expect(y).toEqual({ a: true, b: [1, 'two'], c: { d: null } });
    const typed = parsePillarOverride('{ports: {80: http, 443: https}}', 'pillar=') as {
      ports: Record<string, unknown>;
    };
    expect(dictKeys(typed.ports)).toEqual([80, 443]);
    expect(parsePillarOverride('a:\n  b: 1\n', '--pillar-override')).toEqual({ a: { b: 1 } });
  });

  it('refuses unparsable text with one line naming pillar= and the position, never the text', () => {
    const e = refusal(() => parsePillarOverride('{"db_password": "Hidden-Value-1", ', 'pillar='));
    expect(e.exitCode).toBe(3);
    expect(e.message).toMatch(/^pillar=: invalid YAML: .* at line 1, column \d+$/);
    expect(e.message).not.toContain('\n');
    expect(e.message).not.toContain('Hidden-Value-1');
    const two = refusal(() => parsePillarOverride('a: 1\nb: [\n', '--pillar-override'));
    expect(two.message).toMatch(/^--pillar-override: invalid YAML: .* at line \d+, column \d+$/);
  });

  it('refuses what is not a mapping: a list, a scalar, nothing', () => {
    expect(refusal(() => parsePillarOverride('[1, 2]', 'pillar=')).message).toBe(
      `pillar=: the pillar override must be a mapping like '{"key": "value"}', got a list`,
    );
    expect(refusal(() => parsePillarOverride('true', 'pillar=')).message).toMatch(/must be a mapping.*got a scalar$/);
    expect(refusal(() => parsePillarOverride('', 'pillar=')).message).toMatch(/got nothing$/);
  });
});

describe('takePillarOverride', () => {
  it("takes Salt's pillar= word out of the positional words", () => {
    const r = takePillarOverride(['common', 'pillar={x: 1}', 'web'], undefined);
    expect(r).toEqual({ words: ['common', 'web'], override: { x: 1 } });
    expect(takePillarOverride(['common'], '{y: 2}')).toEqual({ words: ['common'], override: { y: 2 } });
    expect(takePillarOverride(['common'], undefined)).toEqual({ words: ['common'] });
  });

  it('refuses two overrides', () => {
    expect(refusal(() => takePillarOverride(['pillar={a: 1}', 'pillar={b: 1}'], undefined)).exitCode).toBe(3);
    expect(refusal(() => takePillarOverride(['pillar={a: 1}'], '{b: 1}')).message).toMatch(/given twice/);
  });
});

describe('withPillarOverride', () => {
  it('merges maps key by key, replaces lists and scalars: the override wins', () => {
    const pillar = { app: { name: 'a', hosts: ['x', 'y'], tls: { on: false, port: 443 } }, other: 1 };
    const over = { app: { hosts: ['z'], tls: { on: true } } };
    const r = withPillarOverride(pillar, over, new Redactor());
    expect(r.pillar).toEqual({ app: { name: 'a', hosts: ['z'], tls: { on: true, port: 443 } }, other: 1 });
    expect(pillar.app.hosts).toEqual(['x', 'y']); // inputs untouched
  });

  it('registers the values under secret-looking keys with the Redactor, and only those', () => {
    const red = new Redactor();
    const r = withPillarOverride({}, { app: { db_password: 'Cli-Secret-Value-42', name: 'plain-app-name' } }, red);
    expect(r.secrets).toEqual(['Cli-Secret-Value-42']);
    expect(red.redact('pw=Cli-Secret-Value-42 name=plain-app-name')).toBe('pw=<redacted> name=plain-app-name');
  });
});

describe('prepareHost with an override', () => {
  it('wins over the pillar tree and the env, merged like them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'brine-override-'));
    made.push(dir);
    writeFileSync(join(dir, 'top.sls'), "base:\n  '*':\n    - app\n");
    writeFileSync(join(dir, 'app.sls'), 'appliance:\n  from_tree: tree\n  domain: tree.example\n  list: [1, 2]\n');
    const env = join(dir, 'env.yml');
    copyFileSync(join(import.meta.dirname, '../../../pillar/default-env.yml'), env);
    chmodSync(env, 0o600);
    const host = new LocalHost();
    const redactor = new Redactor();
    try {
      const p = await prepareHost({
        host,
        pillarDir: dir,
        envFile: env,
        minionId: 'm1',
        redactor,
        pillarOverride: { appliance: { domain: 'cli.example', list: [3] }, api_token: 'Tok-From-The-Cli-77' },
      });
      // tree < env < override; maps merged key by key, lists replaced
      expect(p.pillar.appliance).toMatchObject({ from_tree: 'tree', standby: false, domain: 'cli.example', list: [3] });
      expect(p.secrets).toContain('Tok-From-The-Cli-77');
      expect(redactor.redact('Tok-From-The-Cli-77')).toBe('<redacted>');
      const without = await prepareHost({ host, pillarDir: dir, envFile: env, minionId: 'm1', redactor });
      expect(without.pillar.appliance).toMatchObject({ domain: 'localhost', list: [1, 2] });
    } finally {
      await host.close();
    }
  });

  it("is not seen by the pillar SLS templates while the pillar compiles, as in Salt's default", async () => {
    // Salt (salt/pillar/__init__.py, ext_pillar_first False): render_pillar only starts its merge
    // from the override and compile_pillar merges it again at the end; the templates' `pillar` is
    // the loader's opts["pillar"], not the override
    const dir = mkdtempSync(join(tmpdir(), 'brine-override-'));
    made.push(dir);
    writeFileSync(join(dir, 'top.sls'), "base:\n  '*':\n    - seen\n");
    writeFileSync(join(dir, 'seen.sls'), "seen: \"{{ pillar.get('mode', 'unset') }}\"\n");
    const env = join(dir, 'env.yml');
    copyFileSync(join(import.meta.dirname, '../../../pillar/default-env.yml'), env);
    chmodSync(env, 0o600);
    const host = new LocalHost();
    try {
      const p = await prepareHost({
        host,
        pillarDir: dir,
        envFile: env,
        minionId: 'm1',
        redactor: new Redactor(),
        pillarOverride: { mode: 'cli' },
      });
      expect(p.pillar.seen).toBe('unset');
      expect(p.pillar.mode).toBe('cli');
    } finally {
      await host.close();
    }
  });
});
