// Load: SLS names -> HighData. Each SLS is located (`a.b` = a/b.sls or a/b/init.sls), rendered,
// parsed with line numbers mapped back to the template, and its includes loaded first (once
// each; include cycles are fine, as in Salt).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HighData, SourceLoc, StateDecl } from '../highdata.js';
import { CompileError, RenderError } from '../errors.js';
import type { Renderer } from '../render/index.js';
import { readSls } from './declarations.js';
import { resolveInclude, slsFile } from './locate.js';
import { parseRendered } from './parsed-sls.js';
import { renderSls } from './shebang.js';

export interface LoadOptions {
  statesDir: string;
  renderer: Renderer;
}

export { slsFile } from './locate.js';

export function loadSls(names: string[], o: LoadOptions): HighData {
  const high: HighData = { states: [], sls: [], extend: [], exclude: [] };
  const seen = new Set<string>();
  const idAt = new Map<string, StateDecl>();

  const load = (name: string, from?: SourceLoc): void => {
    if (seen.has(name)) return;
    seen.add(name);
    const file = slsFile(o.statesDir, name);
    if (!file) {
      const base = name.replace(/\./g, '/');
      const reason = `SLS '${name}' not found (no ${base}.sls or ${base}/init.sls in the states dir)`;
      throw from
        ? new RenderError(from.file, from.line, `include: ${reason}`)
        : new RenderError('top.sls', undefined, reason);
    }
    const source = readFileSync(join(o.statesDir, file), 'utf8');
    const rendered = renderSls(o.renderer, source, file);
    const y = parseRendered(file, source, rendered);
    const content = readSls(y, file, name);
    for (const inc of content.include) {
      const target = resolveInclude(inc.name, name, file);
      if (typeof target !== 'string') throw new RenderError(inc.loc.file, inc.loc.line, `include: ${target.error}`);
      load(target, inc.loc);
    }
    for (const s of content.states) {
      const prev = idAt.get(s.id);
      if (prev && prev.sls !== s.sls) {
        throw new CompileError(
          `${s.loc.file}:${s.loc.line}`,
          `ID '${s.id}' is already declared at ${prev.loc.file}:${prev.loc.line} (IDs must be unique across SLS files)`,
        );
      }
      idAt.set(s.id, s);
      high.states.push(s);
    }
    high.extend.push(...content.extend);
    high.exclude.push(...content.exclude);
    high.sls.push(name);
  };

  for (const n of names) load(n);
  return high;
}
