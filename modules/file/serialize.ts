// file.serialize: a file whose contents are a data structure written as YAML or JSON (`dataset`,
// or `dataset_pillar` from the pillar), optionally merged into what the file holds already
// (`merge_if_exists`). Everything else (mode, owner, makedirs, backup, the diff) is file.managed's.
import { StateError } from '../../engine/errors.js';
import type { StateCtx, StateFunction } from '../../engine/contract.js';
import { attrProps, bool, gatherPathsWithParents, objectSchema, str, type AttrArgs } from './common.js';
import { sha256 } from './content.js';
import type { ContentChange } from './changes.js';
import { type ManagedArgs, type ManagedFacts, managed } from './managed.js';
import { modeSchema } from './mode.js';
import { deserialize, type Formatter, mergeRecurse, serialize } from './serialize-format.js';

export interface SerializeArgs extends AttrArgs {
  name: string;
  dataset?: unknown;
  dataset_pillar?: string;
  formatter?: string;
  serializer?: string;
  merge_if_exists?: boolean;
  merge_lists?: boolean;
  makedirs?: boolean;
  dir_mode?: string | number;
  backup?: string | boolean;
  show_changes?: boolean;
  create?: boolean;
  encoding?: string;
}

const FORMATS = ['yaml', 'json'];

const schema = objectSchema({
  dataset: {},
  dataset_pillar: str,
  formatter: { type: 'string', enum: [...FORMATS, 'YAML', 'JSON'] },
  serializer: { type: 'string', enum: [...FORMATS, 'YAML', 'JSON'] },
  merge_if_exists: bool,
  merge_lists: bool,
  ...attrProps,
  makedirs: bool,
  dir_mode: modeSchema,
  backup: { anyOf: [{ type: 'string' }, { type: 'boolean' }] },
  show_changes: bool,
  create: bool,
  encoding: str,
});

const formatOf = (a: SerializeArgs): Formatter =>
  String(a.serializer ?? a.formatter ?? 'yaml').toLowerCase() as Formatter;

async function dataOf(args: SerializeArgs, ctx: StateCtx<SerializeArgs>): Promise<unknown> {
  const given = (args.dataset !== undefined ? 1 : 0) + (args.dataset_pillar !== undefined ? 1 : 0);
  if (given !== 1) throw new StateError(args.name, 'give exactly one of dataset and dataset_pillar');
  if (args.dataset !== undefined) return args.dataset;
  const key = args.dataset_pillar!.replace(/'/g, "\\'");
  const text = await ctx.renderTemplate(
    `{{ salt['pillar.get']('${key}', None) | json }}`,
    `${args.name} (dataset_pillar)`,
  );
  const data = JSON.parse(text);
  if (data === null) throw new StateError(args.name, `dataset_pillar: no pillar value at '${args.dataset_pillar}'`);
  return data;
}

function warnIgnored(args: SerializeArgs, ctx: StateCtx<SerializeArgs>): void {
  if (args.encoding && !/^utf-?8$/i.test(args.encoding))
    ctx.log.warn(`encoding '${args.encoding}' has no effect: brine writes UTF-8`);
}

async function gather(
  host: Parameters<StateFunction['gather']>[0],
  args: SerializeArgs,
  ctx: StateCtx<SerializeArgs>,
): Promise<ManagedFacts> {
  warnIgnored(args, ctx);
  const fmt = formatOf(args);
  let data = await dataOf(args, ctx);
  const [pp] = await gatherPathsWithParents(host, [args.name]);
  let current: Buffer | null = null;
  if (pp!.path.type === 'file') current = await host.readFile(args.name);
  if (args.merge_if_exists && current) {
    let existing: unknown;
    try {
      existing = deserialize(current.toString('utf8'), fmt);
    } catch (e) {
      throw new StateError(
        args.name,
        `merge_if_exists: the file is not valid ${fmt}: ${(e as Error).message.split('\n')[0]}`,
      );
    }
    data = mergeRecurse(existing, data, !!args.merge_lists);
  }
  const want = Buffer.from(`${serialize(data, fmt)}\n`);
  const wantHash = sha256(want);
  return { ...pp!, want, wantHash, ...(current && pp!.path.hash !== wantHash ? { current } : {}) };
}

const asManaged = (a: SerializeArgs): ManagedArgs => ({
  name: a.name,
  user: a.user,
  group: a.group,
  mode: a.mode,
  makedirs: a.makedirs,
  dir_mode: a.dir_mode,
  backup: a.backup,
  show_changes: a.show_changes,
  create: a.create,
});

export const serializeState: StateFunction<SerializeArgs, ManagedFacts, ContentChange> = {
  schema,
  inert: {
    serializer_opts: 'brine writes YAML and JSON as Salt does by default',
    deserializer_opts: 'brine writes YAML and JSON as Salt does by default',
  },
  gather,
  plan: (args, facts, ctx) => managed.plan(asManaged(args), facts, ctx as unknown as StateCtx<ManagedArgs>),
  apply: (host, changes, ctx) =>
    managed.apply(host, changes, {
      ...(ctx as unknown as StateCtx<ManagedArgs> & { facts: ManagedFacts }),
      args: asManaged(ctx.args),
    }),
};
