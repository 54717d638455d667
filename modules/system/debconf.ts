// debconf.set: preseed debconf answers for a package (debconf-set-selections), as Salt's
// debconf.set does; the current answers are read from debconf's database (config.dat), which
// holds them whether or not the package is installed yet.
import { StateError } from '../../engine/errors.js';
import type { StateFunction } from '../../engine/contract.js';
import type { DebconfChange } from './changes.js';

export interface DebconfArgs {
  name: string;
  data: Record<string, { type: string; value: string | number | boolean }>;
}

export type DebconfFacts = Map<string, string>;

export const CONFIG_DAT = '/var/cache/debconf/config.dat';

/** question -> value from config.dat stanzas (Name:, Value:). */
export function parseConfigDat(text: string): DebconfFacts {
  const out: DebconfFacts = new Map();
  for (const stanza of text.split(/\n\s*\n/)) {
    const name = /^Name: (.*)$/m.exec(stanza)?.[1];
    const value = /^Value: ?(.*)$/m.exec(stanza)?.[1];
    if (name !== undefined) out.set(name, value ?? '');
  }
  return out;
}

const answerText = (v: string | number | boolean): string => (typeof v === 'boolean' ? String(v) : String(v));

export function planDebconf(a: DebconfArgs, f: DebconfFacts): DebconfChange[] {
  return Object.entries(a.data).flatMap(([q, { value }]) => {
    const want = answerText(value);
    const have = f.get(q);
    if (have === want) return [];
    const secret = a.data[q]!.type === 'password';
    return [
      {
        op: have === undefined ? 'create' : 'update',
        kind: 'answer',
        target: `${a.name} ${q}`,
        question: q,
        ...(have !== undefined ? { before: secret ? '(hidden)' : have } : {}),
        after: secret ? '(hidden)' : want,
      },
    ];
  });
}

export const set: StateFunction<DebconfArgs, DebconfFacts, DebconfChange> = {
  schema: {
    type: 'object',
    required: ['name', 'data'],
    properties: {
      name: { type: 'string', minLength: 1 },
      data: {
        type: 'object',
        additionalProperties: {
          type: 'object',
          required: ['type', 'value'],
          properties: {
            type: { enum: ['string', 'boolean', 'select', 'multiselect', 'note', 'text', 'password', 'title'] },
            value: { type: ['string', 'number', 'boolean'] },
          },
          additionalProperties: false,
        },
      },
    },
    additionalProperties: false,
  },
  lock: 'dpkg',
  async gather(host) {
    const t = await host.readFile(CONFIG_DAT);
    return parseConfigDat(t ? t.toString('utf8') : '');
  },
  plan: planDebconf,
  async apply(host, changes, ctx) {
    const a = ctx.args;
    const lines = Object.entries(a.data)
      .filter(([q]) => changes.some((c) => c.question === q))
      .map(([q, d]) => `${a.name} ${q} ${d.type} ${answerText(d.value)}\n`)
      .join('');
    const r = await host.exec(['debconf-set-selections'], { stdin: lines });
    if (r.exitCode !== 0)
      throw new StateError(a.name, `debconf-set-selections failed: ${r.stderr.trim().split('\n').pop()}`);
  },
};
