// The StateCtx a module sees: template rendering with pillar/grains, salt:// sources, a logger.
import { readFile } from 'node:fs/promises';
import { isAbsolute, join, normalize } from 'node:path';
import type { ContentView, LinkedState, StateCtx } from '../contract.js';
import { StateError } from '../errors.js';
import type { Chunk } from '../compile/types.js';

export type TemplateRenderer = (
  text: string,
  file: string,
  context?: Record<string, unknown>,
) => string | Promise<string>;

export interface CtxLog {
  info: string[];
  warn: string[];
}

/** Resolves salt://path (under statesDir) or an absolute controller path. */
export async function readSource(statesDir: string, source: string, state: string): Promise<Buffer> {
  let path: string;
  if (source.startsWith('salt://')) {
    const rel = normalize(source.slice('salt://'.length)).replace(/^\/+/, '');
    if (rel.startsWith('..')) throw new StateError(state, `source '${source}' leaves the state tree`);
    path = join(statesDir, rel);
  } else if (isAbsolute(source)) {
    path = source;
  } else {
    throw new StateError(state, `source '${source}' must be salt://PATH or an absolute path`);
  }
  try {
    return await readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // keeps the errno code, so a `source:` list can go on to its next entry
    throw Object.assign(
      new StateError(state, `source '${source}' ${code === 'ENOENT' ? 'not found' : `unreadable (${code})`}`),
      { code },
    );
  }
}

/** The chunks linked to `chunk` by require/watch in either direction (see StateCtx.linkedStates). */
export function linkedStates(chunk: Chunk, byKey: Map<string, Chunk>): LinkedState[] {
  const ordering = (k: string) => k === 'require' || k === 'watch';
  const keys = new Set(chunk.requisites.filter((r) => ordering(r.kind)).flatMap((r) => r.targets));
  for (const c of byKey.values()) {
    if (c !== chunk && c.requisites.some((r) => ordering(r.kind) && r.targets.includes(chunk.key))) keys.add(c.key);
  }
  return [...keys].flatMap((k) => {
    const c = byKey.get(k);
    return c && c !== chunk ? [{ module: c.module, fun: c.fun, name: c.name, args: c.args }] : [];
  });
}

export function makeCtx(
  chunk: Chunk,
  o: {
    statesDir: string;
    render?: TemplateRenderer;
    debug?: (msg: string) => void;
    byKey?: Map<string, Chunk>;
    prepared?: Map<string, unknown>;
    content?: ContentView;
  },
  log: CtxLog,
): StateCtx {
  const label = `${chunk.module}: ${chunk.id}`;
  return {
    ...(o.prepared?.has(chunk.key) ? { prepared: o.prepared.get(chunk.key) } : {}),
    id: chunk.id,
    name: chunk.name,
    args: chunk.args,
    statesDir: o.statesDir,
    async renderTemplate(text, file, context) {
      if (!o.render) return text;
      return o.render(text, file, context);
    },
    readSource: (source) => readSource(o.statesDir, source, label),
    ...(o.content ? { content: o.content } : {}),
    ...(o.byKey ? { linkedStates: () => linkedStates(chunk, o.byKey!) } : {}),
    log: {
      debug: (m) => o.debug?.(`${label}: ${m}`),
      info: (m) => log.info.push(m),
      warn: (m) => log.warn.push(m),
    },
  };
}
