// The work of `brine show`, loaded only when it runs (bin/commands/show.ts).
import { stringify } from 'yaml';
import { LocalHost } from '../../engine/host/local.js';
import {
  compileStatesOnTarget,
  makeRenderer,
  prepareHost,
  registerSecretArgs,
  selectSls,
} from '../../engine/pipeline.js';
import { renderOnTarget } from '../../engine/render/index.js';
import type { HighData } from '../../engine/highdata.js';
import type { CompiledRun } from '../../engine/compile/index.js';
import { readGrains } from '../../engine/grains.js';
import { errorRedactor } from '../main.js';
import { registry } from '../../modules/index.js';
import { resolveDirs } from './highstate.js';
import type { ShowFlags, What } from './show.js';

/** High data in Salt's shape: {ID: {__sls__, __file__, module: [fun, {arg: value}...]}}. */
export function highToSalt(high: HighData): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const s of high.states) {
    const entry = (out[s.id] ??= { __sls__: s.sls, __file__: `${s.loc.file}:${s.loc.line}` });
    entry[s.module] = [s.fun, ...s.args.map((a) => ({ [a.key]: a.value }))];
  }
  return out;
}

/** Low state: one entry per chunk, in run order, with requisites resolved. */
export function lowstate(compiled: CompiledRun): Array<Record<string, unknown>> {
  return compiled.chunks.map((c, i) => ({
    __id__: c.id,
    __sls__: c.sls,
    __file__: `${c.loc.file}:${c.loc.line}`,
    state: c.module,
    fun: c.fun,
    name: c.name,
    order: i,
    ...c.args,
    ...(c.requisites.length
      ? {
          requisites: c.requisites.map((r) => ({
            [r.kind + (r.any ? '_any' : '')]: r.targets
              .map((k) => compiled.byKey.get(k)!)
              .map((t) => `${t.module}: ${t.id}`),
          })),
        }
      : {}),
    ...(c.meta.onlyif.length ? { onlyif: c.meta.onlyif } : {}),
    ...(c.meta.unless.length ? { unless: c.meta.unless } : {}),
    ...(c.meta.creates.length ? { creates: c.meta.creates } : {}),
  }));
}

export async function show(
  what: What,
  sls: string[],
  flags: ShowFlags,
  override?: Record<string, unknown>,
): Promise<void> {
  const host = new LocalHost(flags.root ? { root: flags.root } : undefined);
  let data: unknown;
  try {
    if (what === 'grains') {
      const g = await readGrains(host);
      if (flags.id) g.id = flags.id;
      data = g;
    } else {
      const { statesDir, pillarDir } = resolveDirs(flags);
      const p = await prepareHost({
        host,
        pillarDir,
        envFile: flags.env,
        minionId: flags.id,
        redactor: errorRedactor,
        allowDefaultEnv: true,
        ...(override ? { pillarOverride: override } : {}),
      });
      for (const w of p.warnings) process.stderr.write(`brine: warning: ${w}\n`);
      const input = {
        statesDir,
        registry,
        pillar: p.pillar,
        grains: p.grains,
        minionId: p.minionId,
        sls: sls.length ? sls : undefined,
        exec: p.exec,
      };
      if (what === 'pillar') data = p.pillar;
      else if (what === 'top')
        data = { [p.minionId]: await renderOnTarget(p.exec, () => selectSls(input, makeRenderer(input))) };
      else {
        const c = await compileStatesOnTarget(input);
        registerSecretArgs(c.compiled, errorRedactor);
        data = what === 'highstate' ? highToSalt(c.high) : lowstate(c.compiled);
      }
    }
  } finally {
    await host.close();
  }
  const safe = errorRedactor.redactDeep(data);
  const text = flags.out === 'json' ? `${JSON.stringify(safe, null, 2)}\n` : stringify(safe, { lineWidth: 0 });
  process.stdout.write(errorRedactor.redact(text));
}
