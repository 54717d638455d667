// The window between a saved plan's check and its apply (engine/plan/session.ts, guard.ts), on a
// real scratch root: the check passes, then a file is edited by hand before its state applies.
// The states before it apply as planned; that state is refused (not applied, its file keeps the
// hand edit) and, the apply being failhard, nothing after it runs.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalHost } from '../../../engine/host/local.js';
import { compareHost } from '../../../engine/plan/compare.js';
import { asPlannedNote, notAsPlanned } from '../../../engine/plan/note.js';
import { newPlanId, PlanRun } from '../../../engine/plan/session.js';
import { prepareHost } from '../../../engine/pipeline.js';
import { Redactor } from '../../../engine/redact.js';
import { registry } from '../../../modules/index.js';

const dir = mkdtempSync(join(tmpdir(), 'brine-plan-race-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SLS = `
one:
  file.managed:
    - name: /srv/one
    - contents: one
two:
  file.managed:
    - name: /srv/two
    - contents: two
three:
  file.managed:
    - name: /srv/three
    - contents: three
`;

describe('a saved plan between its check and its apply', () => {
  it('refuses the state whose file changed in the window, after the ones before it applied as planned', async () => {
    const root = join(dir, 'root');
    const states = join(dir, 'states');
    mkdirSync(join(root, 'srv'), { recursive: true });
    mkdirSync(states);
    writeFileSync(join(states, 'race.sls'), SLS);
    writeFileSync(join(root, 'srv/two'), 'old two\n');
    const host = new LocalHost({ root });
    const redactor = new Redactor();
    try {
      const p = await prepareHost({
        host,
        pillarDir: join(dir, 'no-pillar'),
        envFile: join(process.cwd(), 'pillar/default-env.yml'),
        minionId: 'race',
        redactor,
        allowDefaultEnv: true,
      });
      const input = {
        host,
        registry,
        statesDir: states,
        pillar: p.pillar,
        grains: p.grains,
        minionId: 'race',
        exec: p.exec,
        sls: ['race'],
        redactor,
        secrets: p.secrets,
      };
      const id = newPlanId();
      // review time
      const reviewRun = await PlanRun.open(input);
      const { plan } = await reviewRun.dryRun(id);
      await reviewRun.close();
      expect(plan.summary.pending).toBe(3);

      // apply time: the check passes ...
      const run = await PlanRun.open(input);
      try {
        const { plan: now } = await run.dryRun(id);
        expect(compareHost(plan, now).differences).toEqual([]);
        // ... then someone edits /srv/two before its state applies
        writeFileSync(join(root, 'srv/two'), 'edited in the window\n');
        const report = await run.apply(plan, id);
        expect(report.results.map((r) => [r.id, r.result])).toEqual([
          ['one', true],
          ['two', false],
        ]);
        expect(report.results[1]!.comment).toMatch(
          new RegExp(
            String.raw`^differs from the plan: planned update \/srv\/two: [0-9a-f]{64} -> [0-9a-f]{64}; now update ` +
              String.raw`\/srv\/two: [0-9a-f]{64} -> [0-9a-f]{64}$`,
          ),
        );
        expect(report.aborted).toBe('file: two');
        expect(notAsPlanned(report)).toEqual(['file.managed: two']);
        expect(asPlannedNote(report, id, 'highstate')).toContain(
          'NOT as planned: file.managed: two no longer matched the plan',
        );
      } finally {
        await run.close();
      }
      expect(readFileSync(join(root, 'srv/one'), 'utf8')).toBe('one\n');
      expect(readFileSync(join(root, 'srv/two'), 'utf8')).toBe('edited in the window\n');
      expect(existsSync(join(root, 'srv/three'))).toBe(false);
    } finally {
      await host.close();
    }
  });
});
