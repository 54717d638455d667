// The pillar tree on the controller: pillar/top.sls matched for this minion, each named SLS
// rendered (grains only, pillar empty: the pillar cannot refer to itself), parsed as YAML and
// merged in top order (later wins; maps merged, lists replaced). `include:` is honoured.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { EnvError, RenderError } from '../errors.js';
import { type ExecSession, Renderer } from '../render/index.js';
import { isYamlProblem, readYamlData } from '../load/yaml-data.js';
import { matchTop, readTop } from '../top/index.js';
import { isPlainMap, mergeTrees, type Tree } from './merge.js';

export interface PillarTreeOptions {
  pillarDir: string;
  grains: Record<string, unknown>;
  minionId: string;
  /** Runs execution functions on the target (see render/exec/session.ts). */
  exec?: ExecSession;
}

function slsFile(pillarDir: string, name: string): string {
  const base = name.replace(/\./g, '/');
  for (const rel of [`${base}.sls`, `${base}/init.sls`]) if (existsSync(join(pillarDir, rel))) return rel;
  throw new EnvError(`${pillarDir}/top.sls`, `pillar SLS '${name}' not found (no ${base}.sls or ${base}/init.sls)`);
}

function parseSls(text: string, file: string): Tree {
  const read = readYamlData(text, { typedKeys: true });
  if (isYamlProblem(read)) throw new RenderError(`pillar file ${file}`, read.line, read.reason);
  const data = read.data;
  if (data === null || data === undefined) return {};
  if (!isPlainMap(data)) throw new RenderError(`pillar file ${file}`, undefined, 'a pillar SLS must be a mapping');
  return data;
}

/** A pillar file's render errors say it is a pillar file. */
function renderPillarFile(renderer: Renderer, rel: string): string {
  try {
    return renderer.renderFile(rel);
  } catch (e) {
    if (e instanceof RenderError && !e.file.startsWith('pillar file '))
      throw new RenderError(`pillar file ${e.file}`, e.line, e.reason);
    throw e;
  }
}

/** The merged pillar tree, or {} when the directory has no top.sls. */
export function loadPillarTree(o: PillarTreeOptions): Tree {
  if (!existsSync(join(o.pillarDir, 'top.sls'))) return {};
  const renderer = new Renderer({
    statesDir: o.pillarDir,
    pillar: {},
    grains: o.grains,
    minionId: o.minionId,
    exec: o.exec,
  });
  const top = readTop(o.pillarDir, renderer);
  const names = matchTop(top, { minionId: o.minionId, pillar: {}, grains: o.grains });
  const seen = new Set<string>();
  const parts: Tree[] = [];
  const load = (name: string): void => {
    if (seen.has(name)) return;
    seen.add(name);
    const rel = slsFile(o.pillarDir, name);
    const { include, ...data } = parseSls(renderPillarFile(renderer, rel), rel);
    if (include !== undefined) {
      if (!Array.isArray(include)) throw new RenderError(rel, undefined, 'include: must be a list of SLS names');
      for (const inc of include) load(String(inc));
    }
    parts.push(data);
  };
  for (const n of names) load(n);
  return mergeTrees(...parts);
}
