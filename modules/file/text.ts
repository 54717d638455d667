// Shared by the functions that edit a file's text in place (replace, append, line, blockreplace,
// keyvalue): facts are the current contents; apply writes the new contents atomically, keeping
// mode and owner.

import { dirname, resolve } from 'node:path';
import { StateError } from '../../engine/errors.js';
import { shell } from '../../engine/host/exec.js';
import type { Host } from '../../engine/host/host.js';
import { contentDiff, sha256, type DiffOptions } from './content.js';
import type { FileItselfChange } from './changes.js';
import { probePaths, type PathFacts } from './probe.js';

export interface TextFacts {
  exists: boolean;
  text: string;
}

export async function gatherText(host: Host, name: string): Promise<TextFacts> {
  if (!host.inProcess) return (await gatherTexts(host, [name]))[0]!;
  return gatherTextByCalls(host, name);
}

async function gatherTextByCalls(host: Host, name: string): Promise<TextFacts> {
  const st = await host.lstat(name);
  if (st && st.type === 'directory') throw new StateError(name, 'is a directory');
  const b = await host.readFile(name);
  return { exists: b !== null, text: b ? b.toString('utf8') : '' };
}

/** gatherText of many files: their types and their contents read at once (one round trip remotely). */
export async function gatherTexts(host: Host, names: string[]): Promise<TextFacts[]> {
  if (host.inProcess) return Promise.all(names.map((n) => gatherTextByCalls(host, n)));
  const [types, texts] = await Promise.all([probePaths(host, names), readTexts(host, names)]);
  return Promise.all(
    names.map(async (n, i) => {
      const type = types.get(n)?.type;
      if (type === 'directory') throw new StateError(n, 'is a directory');
      // a link or a special file: read as before (what it leads to decides)
      if (type !== 'file' && type !== 'missing') return gatherTextByCalls(host, n);
      const t = texts[i];
      return { exists: t !== null && t !== undefined, text: t ?? '' };
    }),
  );
}

/** gather and gatherMany of a state that reads one text file as it is (append, replace). */
export const textGather = {
  gather: (host: Host, args: { name: string }): Promise<TextFacts> => gatherText(host, args.name),
  gatherMany: (host: Host, items: Array<{ args: { name: string } }>): Promise<TextFacts[]> =>
    gatherTexts(
      host,
      items.map((i) => i.args.name),
    ),
};

/** Waves (engine/run/wave.ts): the file a text edit writes (and the one a followed symlink names). */
export const textWave = {
  paths: (args: { name: string }, facts: TextFacts & { real?: string }) =>
    facts.real && facts.real !== args.name ? [args.name, facts.real] : [args.name],
};

/** The change of a text file to `next`: hashes and a diff for the output, the text itself as the payload for apply. */
export function textChange(name: string, facts: TextFacts, next: string, o: DiffOptions = {}): FileItselfChange[] {
  if (facts.exists && next === facts.text) return [];
  const before = facts.exists ? Buffer.from(facts.text) : null;
  const after = Buffer.from(next);
  return [
    {
      op: facts.exists ? 'update' : 'create',
      kind: 'file',
      target: name,
      ...(before ? { before: sha256(before) } : {}),
      after: sha256(after),
      diff: contentDiff(name, before, after, o),
      payload: next,
    },
  ];
}

export async function writeText(host: Host, name: string, changes: FileItselfChange[]): Promise<void> {
  const c = changes.find((x) => x.kind === 'file');
  if (c) await host.writeFileAtomic(name, String(c.payload));
}

/** A text file with its attributes and its parent's (for create and user/group/mode). */
export interface TextFileFacts extends TextFacts {
  /** The file edited: name, or the file a symlink at name points to. */
  real: string;
  path: PathFacts;
  parent: PathFacts;
}

const READ = `r="\${BRINE_ROOT-}"
for p; do if [ -f "$r$p" ]; then printf F; base64 -w0 -- "$r$p" || exit 1; else printf M; fi; printf '\\n'; done`;

/** Contents of many files: one exec on a remote host (base64, so any bytes survive), in-process reads locally. */
export async function readTexts(host: Host, names: string[]): Promise<Array<string | null>> {
  if (!names.length) return [];
  if (host.inProcess) return Promise.all(names.map(async (n) => (await host.readFile(n))?.toString('utf8') ?? null));
  const r = await shell(host, READ, names, { readOnly: true });
  const lines = r.stdout.split('\n');
  if (r.exitCode !== 0 || lines.length < names.length)
    throw new Error(`cannot read ${names.join(', ')} on ${host.name}: ${r.stderr.trim() || 'no output'}`);
  return names.map((_, i) =>
    lines[i]!.startsWith('F') ? Buffer.from(lines[i]!.slice(1), 'base64').toString('utf8') : null,
  );
}

/**
 * Facts for text edits of many files in two round trips (one stat probe, one read), whatever
 * their number. A symlink is followed to the file it points to (like Salt's realpath).
 */
export async function gatherTextFiles(host: Host, names: string[]): Promise<TextFileFacts[]> {
  // remotely the contents are read with the probe (one round trip): reading `name` follows a link to
  // the file it names, the only link the checks below let through
  const early = host.inProcess ? undefined : readTexts(host, names);
  early?.catch(() => undefined);
  let m = await probePaths(
    host,
    names.flatMap((n) => [n, dirname(n)]),
  );
  const real = names.map((n) => {
    const f = m.get(n)!;
    return f.type === 'symlink' && f.target ? resolve(dirname(n), f.target) : n;
  });
  if (real.some((r, i) => r !== names[i]))
    m = new Map([
      ...m,
      ...(await probePaths(
        host,
        real.flatMap((n) => [n, dirname(n)]),
      )),
    ]);
  for (const [i, r] of real.entries()) {
    const t = m.get(r)!.type;
    if (t === 'directory') throw new StateError(names[i]!, 'is a directory');
    if (t === 'symlink' || t === 'other')
      throw new StateError(
        names[i]!,
        `is not a regular file (${t === 'symlink' ? 'a symlink to a symlink' : 'special file'})`,
      );
  }
  const read = early ? await early : undefined;
  const texts = read
    ? read.filter((_, i) => m.get(real[i]!)!.type === 'file')
    : await readTexts(
        host,
        real.filter((r) => m.get(r)!.type === 'file'),
      );
  let k = 0;
  return real.map((r) => {
    const path = m.get(r)!;
    const text = path.type === 'file' ? texts[k++] : null;
    return { exists: text !== null && text !== undefined, text: text ?? '', real: r, path, parent: m.get(dirname(r))! };
  });
}

/** gather and gatherMany of a state that edits the one text file its `name` says (line, keyvalue, blockreplace). */
export const textFileGather = {
  gather: async (host: Host, args: { name: string }): Promise<TextFileFacts> =>
    (await gatherTextFiles(host, [args.name]))[0]!,
  gatherMany: (host: Host, items: Array<{ args: { name: string } }>): Promise<TextFileFacts[]> =>
    gatherTextFiles(
      host,
      items.map((i) => i.args.name),
    ),
};
