import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkEnv } from '../../../engine/env/active.js';
import { EnvError } from '../../../engine/errors.js';

const DEFAULT_ENV = readFileSync(new URL('../../../pillar/default-env.yml', import.meta.url), 'utf8');

const err = (text: string): EnvError => {
  try {
    checkEnv(text, 'env.yml', 'test');
  } catch (e) {
    expect(e).toBeInstanceOf(EnvError);
    return e as EnvError;
  }
  throw new Error('expected an EnvError');
};

describe('env schema', () => {
  it('accepts the shipped default env without warnings', () => {
    const e = checkEnv(DEFAULT_ENV, 'default-env.yml', null);
    expect(e.warnings).toEqual([]);
    expect(e.parsed.tree).toMatchObject({
      appliance: { domain: 'localhost', ssl: { letsencrypt: { enabled: false } } },
    });
  });

  it('names file, line, key path and what is expected', () => {
    const e = err('appliance:\n  domain: ecs.example.org\n  ssl:\n    letsencrypt:\n      enabled: "yes"\n');
    expect(e.message).toBe('env.yml:5: appliance.ssl.letsencrypt.enabled: expected boolean, got "yes"');
    expect(e.exitCode).toBe(3);
    expect(err('appliance:\n  domain: "not a domain"\n').message).toBe(
      'env.yml:2: appliance.domain: expected a DNS name like ecs.example.org',
    );
    expect(err('ecs:\n  settings: x\n').message).toMatch(/^env\.yml(:\d+)?: appliance: is required but missing$/);
    expect(err('appliance:\n  ssl: {}\n').message).toMatch(/^env\.yml:1: appliance\.domain: is required but missing$/);
    expect(err('appliance:\n  domain: a.b\n  backup:\n    encrypt: plain text\n').message).toBe(
      'env.yml:4: appliance.backup.encrypt: expected an ASCII-armoured PGP private key',
    );
    expect(err('appliance:\n  domain: a.b\n  extra:\n    files:\n      - contents: x\n').message).toMatch(
      /^env\.yml:5: appliance\.extra\.files\.0\.path: is required but missing$/,
    );
  });

  it('never shows the value of a secret in an error', () => {
    expect(err('appliance:\n  domain: a.b\n  dkim:\n    key: 123456789\n').message).toBe(
      'env.yml:4: appliance.dkim.key: expected a PEM RSA private key, got a number',
    );
    expect(err('appliance:\n  domain: a.b\n  sentry:\n    dsn: [https://sekrit@x]\n').message).not.toMatch(/sekrit/);
  });

  it('reads YAML 1.1 like cloud-init and Salt: yes/on are true; a quoted yes stays a string', () => {
    const e = checkEnv(
      'appliance:\n  domain: ecs.example.org\n  update:\n    automatic: yes\n  metric:\n    exporter: on\n',
      'env.yml',
      'x',
    );
    const a = e.parsed.tree.appliance as { update: { automatic: unknown }; metric: { exporter: unknown } };
    expect(a.update.automatic).toBe(true);
    expect(a.metric.exporter).toBe(true);
    expect(err("appliance:\n  domain: ecs.example.org\n  metric:\n    server: 'yes'\n").message).toBe(
      'env.yml:4: appliance.metric.server: expected boolean, got "yes"',
    );
  });

  it('reports a YAML mistake with its line, as an EnvError', () => {
    expect(err('appliance:\n  domain: [x\n').message).toMatch(/^env\.yml:\d: invalid YAML: /);
    expect(err('- a\n- b\n').message).toMatch(/must be a YAML mapping/);
  });

  it('warns about unknown keys instead of failing, and accepts non-ASCII', () => {
    const e = checkEnv(
      'appliance:\n  domain: ecs.example.org\n  colour: grün\n  ssl:\n    lets: 1\necs:\n  settings: "TITLE = ' +
        "'Ethikkommission Österreich – 倫理'\"\nusers: []\n",
      'env.yml',
      'x',
    );
    expect(e.warnings.map((w) => `${w.line}: ${w.path}: ${w.message}`)).toEqual([
      '3: appliance.colour: unknown key (ignored)',
      '5: appliance.ssl.lets: unknown key (ignored)',
    ]);
    expect((e.parsed.tree.ecs as { settings: string }).settings).toContain('Österreich – 倫理');
  });

  it('lets a standby env go without a domain', () => {
    expect(checkEnv('appliance:\n  standby: true\n', 'env.yml', 'x').warnings).toEqual([]);
  });
});
