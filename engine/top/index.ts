// Top file: `base:` maps targets to SLS lists; `- match: pillar|grain|list|pcre|compound|...`
// picks the matcher (glob on the minion id by default). The same code reads pillar/top.sls.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Pair, YAMLMap, YAMLSeq } from 'yaml';
import type { SourceLoc } from '../highdata.js';
import { RenderError } from '../errors.js';
import type { Renderer } from '../render/index.js';
import { lineMap } from '../load/linemap.js';
import { isMap, isScalar, isSeq, parseYaml } from '../load/yaml-doc.js';
import { CompoundSyntaxError, compoundMatch } from './compound.js';
import { MATCHERS, type MatchTarget, matchOne } from './matchers.js';

export type { MatchTarget } from './matchers.js';

export interface TopEntry {
  /** The target expression (`'*'`, `'appliance:enabled:true'`, `'G@os:Debian and web*'`). */
  target: string;
  match: string;
  sls: string[];
  loc: SourceLoc;
}

export interface TopFile {
  file: string;
  /** Entries of the `base` environment, in file order. */
  entries: TopEntry[];
  /** Non-fatal findings (other environments ignored). */
  warnings: string[];
}

const TOP = 'top.sls';

function scalarText(n: unknown): string | null {
  return isScalar(n) && (typeof n.value === 'string' || typeof n.value === 'number' || typeof n.value === 'boolean')
    ? String(n.value)
    : null;
}

/** Renders and parses `dir/top.sls` (a missing file is a RenderError). */
export function readTop(dir: string, renderer: Renderer): TopFile {
  const path = join(dir, TOP);
  const top: TopFile = { file: TOP, entries: [], warnings: [] };
  if (!existsSync(path)) throw new RenderError(path, undefined, 'top file not found');
  const source = readFileSync(path, 'utf8');
  const rendered = resolve(dir) === renderer.statesDir ? renderer.renderFile(TOP) : renderer.renderString(source, TOP);
  const y = parseYaml(rendered, TOP, lineMap(source, rendered));
  const root = y.doc.contents;
  if (root === null || (isScalar(root) && root.value === null)) return top;
  const fail = (node: unknown, reason: string): never => {
    throw new RenderError(TOP, y.lineOf(node) || undefined, reason);
  };
  if (!isMap(root)) return fail(root, 'the top file must map environments (base:) to targets');
  for (const envPair of (root as YAMLMap).items as Pair[]) {
    const env = scalarText(envPair.key) ?? '?';
    if (env !== 'base') {
      const w = `${TOP}:${y.lineOf(envPair)}: environment '${env}' ignored (brine uses only 'base')`;
      top.warnings.push(w);
      process.stderr.write(`warning: ${w}\n`);
      continue;
    }
    if (envPair.value === null || (isScalar(envPair.value) && envPair.value.value === null)) continue;
    if (!isMap(envPair.value)) fail(envPair, "'base' must map targets to lists of SLS names");
    for (const tp of (envPair.value as YAMLMap).items as Pair[]) {
      const target = scalarText(tp.key);
      if (target === null) fail(tp, 'a top-file target must be a string');
      if (!isSeq(tp.value)) fail(tp, `target '${target}' must be followed by a list of SLS names`);
      const entry: TopEntry = { target: target!, match: 'glob', sls: [], loc: { file: TOP, line: y.lineOf(tp) } };
      for (const item of (tp.value as YAMLSeq).items) {
        const name = scalarText(item);
        if (name !== null) {
          entry.sls.push(name);
          continue;
        }
        if (isMap(item)) {
          for (const op of item.items as Pair[]) {
            const k = scalarText(op.key);
            if (k === 'match') {
              const m = scalarText(op.value);
              if (m === null || !(MATCHERS as readonly string[]).includes(m)) {
                fail(op, `target '${target}': unknown matcher '${m ?? ''}' (supported: ${MATCHERS.join(', ')})`);
              }
              entry.match = m!;
            } else fail(op, `target '${target}': unsupported option '${k}' (only 'match')`);
          }
          continue;
        }
        fail(item, `target '${target}': entries must be SLS names or '- match: TYPE'`);
      }
      top.entries.push(entry);
    }
  }
  return top;
}

/**
 * SLS names for this minion, or an error when the top file selects nothing for it (Salt: "No
 * Top file or master_tops data matches found"): a highstate that silently applies nothing hides a
 * typo in a target or a minion id that matches no entry.
 */
export function selectFromTop(top: TopFile, o: MatchTarget): string[] {
  const names = matchTop(top, o);
  if (!names.length) {
    const why = top.entries.length
      ? `none of its ${top.entries.length} target(s) matches minion '${o.minionId}'`
      : 'it has no targets';
    throw new RenderError(top.file, undefined, `No Top file or master_tops data matches found: ${why}`);
  }
  return names;
}

/** SLS names for this minion, in top-file order, each once. */
export function matchTop(top: TopFile, o: MatchTarget): string[] {
  const out: string[] = [];
  for (const e of top.entries) {
    let hit: boolean;
    try {
      hit = e.match === 'compound' ? compoundMatch(e.target, o) : matchOne(e.match, e.target, o);
    } catch (err) {
      const reason = err instanceof CompoundSyntaxError || err instanceof SyntaxError ? err.message : String(err);
      throw new RenderError(e.loc.file, e.loc.line, `target '${e.target}': ${reason}`);
    }
    if (!hit) continue;
    for (const s of e.sls) if (!out.includes(s)) out.push(s);
  }
  return out;
}
