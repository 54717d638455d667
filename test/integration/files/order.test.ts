// Salt's order end to end: a cmd.run that creates a directory, then a file.managed inside it with
// no requisite, applies under the default options (declaration order), and fails with the
// parallel scheduling the user can ask for (--concurrency 4), where nothing orders the two.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { brine, build, cleanScratch, scratch } from '../cli/tree.js';

const SLS = `make-x:
  cmd.run:
    - name: sleep 0.3; mkdir "$BRINE_ROOT/x"
    - creates: /x

/x/y:
  file.managed:
    - contents: hello

/x/z:
  file.managed:
    - contents: parallel
    - parallel: True
    - require:
      - cmd: make-x
`;

beforeAll(build, 120_000);
afterAll(cleanScratch);

describe("Salt's order", () => {
  it('applies states in declaration order by default (no requisite needed)', async () => {
    const s = scratch({ 'top.sls': "base:\n  '*':\n    - order\n", 'order.sls': SLS });
    const r = await brine(s, ['highstate', '--id', 'm1', '--out', 'json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(readFileSync(join(s.root, 'x/y'), 'utf8')).toBe('hello\n');
    expect(readFileSync(join(s.root, 'x/z'), 'utf8')).toBe('parallel\n');
    const again = await brine(s, ['highstate', '--id', 'm1', '--out', 'json']);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout).summary.changed).toBe(0);
  });

  it('--concurrency 4 runs unordered states in parallel: the file state then races the command', async () => {
    const s = scratch({ 'top.sls': "base:\n  '*':\n    - order\n", 'order.sls': SLS });
    const r = await brine(s, ['highstate', '--id', 'm1', '--out', 'json', '--concurrency', '4']);
    expect(r.code).toBe(1);
    const y = JSON.parse(r.stdout).results.find((x: { id: string }) => x.id === '/x/y');
    expect(y.result).toBe(false);
    expect(existsSync(join(s.root, 'x/y'))).toBe(false);
    expect(readFileSync(join(s.root, 'x/z'), 'utf8')).toBe('parallel\n');
  });
});
