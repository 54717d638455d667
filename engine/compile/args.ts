// Splits a declaration's arguments into module args, engine meta args and requisite specs.
import type { ArgDecl, SourceLoc } from '../highdata.js';
import { CompileError } from '../errors.js';
import { REQ_KINDS, type ReqKind, type RetrySpec, locStr } from './types.js';

/** One requisite as written: `- file: /etc/x`, `- sls: common`, or a bare `- ID`. */
export interface ReqTarget {
  /** 'id' for a bare ID, 'sls' for an sls target, else the module name. */
  type: string;
  value: string;
  loc: SourceLoc;
}

export interface ReqSpec {
  kind: ReqKind;
  /** Written as *_in: applies to the targets, pointing at this state. */
  inverse: boolean;
  any: boolean;
  targets: ReqTarget[];
  loc: SourceLoc;
}

/** Keys the engine consumes and never passes to a module (use/use_in: resolved in highdata-edit). */
const IGNORED_META = new Set([
  'use',
  'use_in',
  'fire_event',
  'reload_modules',
  'reload_pillar',
  'reload_grains',
  '__env__',
]);

const REQ_RE = new RegExp(`^(${REQ_KINDS.join('|')})(_in)?(_any|_all)?$`);

export interface SplitArgs {
  args: Record<string, unknown>;
  argLocs: Record<string, SourceLoc>;
  reqs: ReqSpec[];
  onlyif: string[];
  unless: string[];
  creates: string[];
  failhard: boolean;
  aggregate?: boolean;
  retry?: RetrySpec;
  parallel?: boolean;
  order?: 'first' | 'last' | number;
  names?: { value: unknown; loc: SourceLoc };
  /** What the state's result says about arguments that have no effect (a boolean onlyif/unless). */
  warnings: string[];
}

function stringList(v: unknown, key: string, loc: SourceLoc, where: string): string[] {
  const list = Array.isArray(v) ? v : [v];
  return list.map((x) => {
    if (typeof x === 'string' && x !== '') return x;
    if (typeof x === 'number') return String(x);
    throw new CompileError(locStr(loc), `${where}: '${key}' must be a string or a list of strings`);
  });
}

/** Requisites Salt's verify_high wants as a list (`- require:` with nothing under it is refused there). */
const LIST_ONLY = new Set(['require', 'watch', 'prereq', 'onchanges']);

export function parseReqTargets(value: unknown, key: string, loc: SourceLoc, where: string): ReqTarget[] {
  if (value === null || value === undefined) {
    // Salt skips an empty requisite at run time (`low[r_state] is not None`), but refuses these four
    if (!LIST_ONLY.has(key)) return [];
    throw new CompileError(
      locStr(loc),
      `${where}: the ${key} statement needs to be formed as a list (it has no entries; Salt refuses it too)`,
    );
  }
  const list = Array.isArray(value) ? value : [value];
  const out: ReqTarget[] = [];
  for (const item of list) {
    if (typeof item === 'string' && item !== '') {
      out.push({ type: 'id', value: item, loc });
      continue;
    }
    if (item && typeof item === 'object' && !Array.isArray(item)) {
      const entries = Object.entries(item as Record<string, unknown>);
      if (entries.length === 1) {
        const [type, v] = entries[0] as [string, unknown];
        if (typeof v === 'string' || typeof v === 'number') {
          out.push({ type, value: String(v), loc });
          continue;
        }
      }
    }
    throw new CompileError(
      locStr(loc),
      `${where}: requisite '${key}' entries must be an ID or a single "module: ID-or-name" pair, ` +
        `got ${JSON.stringify(item)}`,
    );
  }
  return out;
}

/**
 * Salt runs onlyif/unless entries in order and treats a boolean (`onlyif: {{ x == 'y' }}`) as a "bad
 * type": onlyif stops checking there and the state runs; unless ignores it, but one in last place
 * makes the state run. Returns the commands that count, and a warning when a boolean was given.
 */
function conditionList(key: 'onlyif' | 'unless', value: unknown): { commands: unknown[]; warning?: string } {
  const list = Array.isArray(value) ? value : [value];
  const at = list.findIndex((x) => typeof x === 'boolean');
  if (at < 0) return { commands: list };
  const warning =
    `${key}: ${list[at] ? 'True' : 'False'} has no effect: it is not a command (Salt says "bad type ` +
    `passed" and runs the state)`;
  if (key === 'onlyif') return { commands: list.slice(0, at), warning };
  return { commands: typeof list.at(-1) === 'boolean' ? [] : list.filter((x) => typeof x !== 'boolean'), warning };
}

const RETRY_DEFAULTS: RetrySpec = { attempts: 2, until: true, interval: 30, splay: 0 };

/** Salt's `retry: True` or `retry: {attempts, until, interval, splay}`. */
function parseRetry(value: unknown, loc: SourceLoc, where: string): RetrySpec | undefined {
  const fail = (msg: string): never => {
    throw new CompileError(locStr(loc), `${where}: retry: ${msg}`);
  };
  if (value === true) return { ...RETRY_DEFAULTS };
  if (value === false || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value))
    return fail('must be True or a map of attempts, until, interval, splay');
  const out = { ...RETRY_DEFAULTS };
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (k === 'until') {
      if (typeof v !== 'boolean') fail("'until' must be True or False");
      out.until = v as boolean;
    } else if (k === 'attempts') {
      if (!Number.isInteger(v) || (v as number) < 1) fail("'attempts' must be a whole number of at least 1");
      out.attempts = v as number;
    } else if (k === 'interval' || k === 'splay') {
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) fail(`'${k}' must be a number of seconds (0 or more)`);
      out[k] = v as number;
    } else fail(`unknown key '${k}' (attempts, until, interval, splay)`);
  }
  return out;
}

/** `where` is "state 'ID' (module.fun)" for messages. */
export function splitArgs(decls: ArgDecl[], where: string): SplitArgs {
  const out: SplitArgs = {
    args: {},
    argLocs: {},
    reqs: [],
    onlyif: [],
    unless: [],
    creates: [],
    failhard: false,
    warnings: [],
  };
  for (const a of decls) {
    const m = REQ_RE.exec(a.key);
    if (m) {
      const kind = m[1] as ReqKind;
      const any = m[3] === '_any' || (kind === 'onfail' && m[3] !== '_all');
      out.reqs.push({ kind, inverse: !!m[2], any, targets: parseReqTargets(a.value, a.key, a.loc, where), loc: a.loc });
      continue;
    }
    if (IGNORED_META.has(a.key)) continue;
    switch (a.key) {
      case 'onlyif':
      case 'unless': {
        const { commands, warning } = conditionList(a.key, a.value);
        out[a.key].push(...stringList(commands, a.key, a.loc, where));
        if (warning) out.warnings.push(warning);
        continue;
      }
      case 'creates':
        out[a.key].push(...stringList(a.value, a.key, a.loc, where));
        continue;
      case 'failhard':
        if (typeof a.value !== 'boolean')
          throw new CompileError(locStr(a.loc), `${where}: 'failhard' must be true or false`);
        out.failhard = a.value;
        continue;
      case 'aggregate':
        if (typeof a.value !== 'boolean')
          throw new CompileError(locStr(a.loc), `${where}: 'aggregate' must be true or false`);
        out.aggregate = a.value;
        continue;
      case 'parallel':
        if (typeof a.value !== 'boolean')
          throw new CompileError(locStr(a.loc), `${where}: 'parallel' must be true or false`);
        out.parallel = a.value;
        continue;
      case 'retry': {
        const r = parseRetry(a.value, a.loc, where);
        if (r) out.retry = r;
        continue;
      }
      case 'order':
        if (a.value === 'first' || a.value === 'last' || (typeof a.value === 'number' && Number.isFinite(a.value))) {
          out.order = a.value;
          continue;
        }
        throw new CompileError(locStr(a.loc), `${where}: 'order' must be first, last or a number`);
      case 'names':
        out.names = { value: a.value, loc: a.loc };
        continue;
      default:
        out.args[a.key] = a.value;
        out.argLocs[a.key] = a.loc;
    }
  }
  return out;
}
