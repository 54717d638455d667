// postgres_tablespace.present/absent against the PostgreSQL 15 cluster on this machine: dry run
// exact, apply, second run no change; owner and options updated in place; a missing directory
// and a tablespace at another directory fail naming the state; absent drops it.
import { execFileSync } from 'node:child_process';
import { chownSync, mkdirSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalHost } from '../../../engine/host/local.js';
import { lookupFunction } from '../../../modules/index.js';
import { checkApply, plan } from '../../support/checkapply.js';

const TS = 'brine_ts2';
const DIR = '/var/lib/postgresql/brine-ts2';
const OTHER = '/var/lib/postgresql/brine-ts2-other';

function sql(q: string): string {
  return execFileSync('runuser', ['-u', 'postgres', '--', 'psql', '-X', '-A', '-t', '-v', 'ON_ERROR_STOP=1'], {
    input: q,
    encoding: 'utf8',
    cwd: '/',
  }).trim();
}

function cleanup(): void {
  sql(`DROP TABLESPACE IF EXISTS ${TS}; DROP ROLE IF EXISTS brine_ts_owner;`);
  for (const d of [DIR, OTHER]) rmSync(d, { recursive: true, force: true });
}

describe('postgres_tablespace on a real PostgreSQL 15', () => {
  const host = new LocalHost();
  const present = lookupFunction('postgres_tablespace', 'present')!;
  const absent = lookupFunction('postgres_tablespace', 'absent')!;
  beforeAll(() => {
    const up = () => /^15\s+main\s+\d+\s+online/m.test(execFileSync('pg_lsclusters', ['-h'], { encoding: 'utf8' }));
    if (!up()) execFileSync('pg_ctlcluster', ['15', 'main', 'start']);
    if (!up()) throw new Error('PostgreSQL 15/main is not running; run scripts/ci.d/41-postgres.sh');
    cleanup();
    const pg = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    for (const d of [DIR, OTHER]) {
      mkdirSync(d, { recursive: true });
      chownSync(d, pg, pg);
    }
    sql('CREATE ROLE brine_ts_owner;');
  });
  afterAll(cleanup);

  it('a missing directory fails the plan naming the state', async () => {
    await expect(plan(host, present, { name: TS, directory: '/var/lib/postgresql/brine-none' })).rejects.toThrow(
      `${TS}: directory /var/lib/postgresql/brine-none does not exist`,
    );
  });

  it('creates with owner and options, then nothing to do', async () => {
    const args = { name: TS, directory: `${DIR}/`, owner: 'brine_ts_owner', options: { seq_page_cost: 1.5 } };
    const planned = await plan(host, present, args);
    expect(planned).toEqual([
      {
        op: 'create',
        target: TS,
        kind: 'tablespace',
        after: { directory: DIR, owner: 'brine_ts_owner', options: { seq_page_cost: '1.5' } },
      },
    ]);
    const r = await checkApply(host, present, args);
    expect(r.planned).toEqual(planned);
    expect(r.replanned).toEqual([]);
    expect(
      sql(`SELECT pg_tablespace_location(oid), pg_get_userbyid(spcowner), spcoptions FROM pg_tablespace
           WHERE spcname = '${TS}'`),
    ).toBe(`${DIR}|brine_ts_owner|{seq_page_cost=1.5}`);
  });

  it('changes owner and options in place; other options are left alone', async () => {
    const args = {
      name: TS,
      directory: DIR,
      owner: 'postgres',
      options: { seq_page_cost: '2', random_page_cost: '1.1' },
    };
    const r = await checkApply(host, present, args);
    expect(r.planned).toEqual([
      { op: 'update', target: 'owner', kind: 'owner', before: 'brine_ts_owner', after: 'postgres' },
      {
        op: 'update',
        target: 'options.seq_page_cost',
        kind: 'option',
        option: 'seq_page_cost',
        before: '1.5',
        after: '2',
      },
      {
        op: 'create',
        target: 'options.random_page_cost',
        kind: 'option',
        option: 'random_page_cost',
        before: undefined,
        after: '1.1',
      },
    ]);
    expect(r.replanned).toEqual([]);
    expect(await plan(host, present, { name: TS, directory: DIR })).toEqual([]);
    expect(sql(`SELECT pg_get_userbyid(spcowner), spcoptions FROM pg_tablespace WHERE spcname = '${TS}'`)).toBe(
      'postgres|{seq_page_cost=2,random_page_cost=1.1}',
    );
  });

  it('a tablespace at another directory fails: PostgreSQL cannot move it', async () => {
    await expect(plan(host, present, { name: TS, directory: OTHER })).rejects.toThrow(
      `${TS}: tablespace ${TS} is at ${DIR}, not ${OTHER}: PostgreSQL cannot move a tablespace`,
    );
  });

  it('absent drops it, then nothing to do', async () => {
    const r = await checkApply(host, absent, { name: TS });
    expect(r.planned).toEqual([
      { op: 'delete', target: TS, kind: 'tablespace', before: { directory: DIR, owner: 'postgres' } },
    ]);
    expect(r.replanned).toEqual([]);
    expect(sql(`SELECT count(*) FROM pg_tablespace WHERE spcname = '${TS}'`)).toBe('0');
  });
});
