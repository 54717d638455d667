// `brine show top|highstate|lowstate|pillar|grains`: what brine would work with, as YAML or JSON.
import { type Command, Option } from 'commander';
import { stringify } from 'yaml';
import { UsageError } from '../../engine/errors.js';
import { LocalHost } from '../../engine/host/local.js';
import { compileStates, makeRenderer, prepareHost, registerSecretArgs, selectSls } from '../../engine/pipeline.js';
import type { HighData } from '../../engine/highdata.js';
import type { CompiledRun } from '../../engine/compile/index.js';
import { readGrains } from '../../engine/grains.js';
import { errorRedactor } from '../main.js';
import { addTreeOptions, resolveDirs } from './highstate.js';

const WHAT = ['top', 'highstate', 'lowstate', 'pillar', 'grains'] as const;
type What = (typeof WHAT)[number];

interface ShowFlags {
  out: 'yaml' | 'json';
  states?: string;
  pillar?: string;
  env?: string;
  root?: string;
  id?: string;
}

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
      ? { requisites: c.requisites.map((r) => ({ [r.kind + (r.any ? '_any' : '')]: r.targets.map((k) => compiled.byKey.get(k)!).map((t) => `${t.module}: ${t.id}`) })) }
      : {}),
    ...(c.meta.onlyif.length ? { onlyif: c.meta.onlyif } : {}),
    ...(c.meta.unless.length ? { unless: c.meta.unless } : {}),
    ...(c.meta.creates.length ? { creates: c.meta.creates } : {}),
  }));
}

async function show(what: What, sls: string[], flags: ShowFlags): Promise<void> {
  const host = new LocalHost(flags.root ? { root: flags.root } : undefined);
  let data: unknown;
  try {
    if (what === 'grains') {
      const g = await readGrains(host);
      if (flags.id) g.id = flags.id;
      data = g;
    } else {
      const { statesDir, pillarDir } = resolveDirs(flags);
      const p = await prepareHost({ host, pillarDir, envFile: flags.env, minionId: flags.id, redactor: errorRedactor });
      const input = { statesDir, pillar: p.pillar, grains: p.grains, minionId: p.minionId, sls: sls.length ? sls : undefined };
      if (what === 'pillar') data = p.pillar;
      else if (what === 'top') data = { [p.minionId]: selectSls(input, makeRenderer(input)) };
      else {
        const c = compileStates(input);
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

export function register(program: Command): void {
  addTreeOptions(
    program
      .command('show')
      .description('print the top file match, high data, low state (compiled chunks), pillar or grains')
      .argument('<what>', WHAT.join('|'))
      .argument('[sls...]', 'highstate/lowstate: these SLS names instead of the top file'),
  )
    .addOption(new Option('--out <format>', 'output format').choices(['yaml', 'json']).default('yaml'))
    .action(async (what: string, sls: string[], flags: ShowFlags) => {
      if (!(WHAT as readonly string[]).includes(what)) throw new UsageError(`show: unknown '${what}', expected one of ${WHAT.join(', ')}`);
      await show(what as What, sls, flags);
    });
}
