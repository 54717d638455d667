// Desired file contents on the controller (salt:// sources, inline contents, templates) and the
// human view of a content change (a unified diff, or hashes and sizes when the file is binary, big,
// holds a secret or the state says show_changes: False).

import { createHash } from 'node:crypto';
import { createTwoFilesPatch } from 'diff';
import { textHoldsSecret } from '../../engine/env/secrets.js';
import { StateError } from '../../engine/errors.js';
import { fetchHttp, isHttpSource, shownUrl } from '../../engine/http-source.js';
import { hashMismatch, pickHash } from '../../engine/source-hash.js';
import type { Host } from '../../engine/host/host.js';
import { DIFF_LIMITS } from '../../engine/report/content-view.js';
import type { ContentView, StateCtx } from '../../engine/contract.js';

export interface ContentArgs {
  name: string;
  source?: string | string[];
  contents?: string | string[];
  contents_pillar?: string | string[];
  template?: string | null;
  context?: Record<string, unknown>;
  defaults?: Record<string, unknown>;
  /** Arguments Salt's file.managed does not know (its **kwargs): template variables, as in Salt. */
  template_kwargs?: Record<string, unknown>;
  /** For an http(s) source: its hash (`algo=HEX`, HEX, or a hash file's URL / salt:// path). */
  source_hash?: string;
  /** The name to look up in a hash file (default: the source's file name). */
  source_hash_name?: string;
  /** An http(s) source without source_hash is accepted unverified. */
  skip_verify?: boolean;
  user?: string | number;
  group?: string | number;
  mode?: string | number;
}

export const sha256 = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

/** Does a `source:` (list) name a file on the target (`/abs`, `file://`) rather than the state tree? */
export function hasTargetSource(args: ContentArgs): boolean {
  if (args.source === undefined || args.source === null) return false;
  return (Array.isArray(args.source) ? args.source : [args.source]).some((s) => /^(\/|file:\/\/)/.test(String(s)));
}

/**
 * Reads the first source that exists, trying each in order (Salt's source list): salt:// from the
 * state tree; an absolute path or file:// is a file on the target, as in Salt.
 */
export async function readFirstSource(
  ctx: StateCtx<any>,
  sources: string[],
  host?: Host,
): Promise<{ source: string; data: Buffer }> {
  const missing: string[] = [];
  for (const source of sources) {
    if (isHttpSource(source)) {
      const data = await fetchHttp(source, ctx.id);
      if (data) return { source, data };
      missing.push(shownUrl(source));
      continue;
    }
    const local = source.startsWith('file://') ? source.slice('file://'.length) : source;
    if (host && local.startsWith('/')) {
      const data = await host.readFile(local);
      if (data) return { source, data };
      missing.push(source);
      continue;
    }
    try {
      return { source, data: await ctx.readSource(source) };
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR' && code !== 'EISDIR') throw e;
      missing.push(source);
    }
  }
  throw new StateError(ctx.id, `source not found: ${missing.join(', ')}`);
}

/**
 * Salt's `accumulator` template variable: the text of the file.accumulated states linked to this
 * file state (require_in / watch_in) whose filename is this file, by accumulator name.
 */
export function accumulatorOf(ctx: StateCtx<any>, file: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const s of ctx.linkedStates?.() ?? []) {
    if (s.module !== 'file' || s.fun !== 'accumulated' || s.args?.filename !== file) continue;
    const text = s.args.text;
    (out[s.name] ??= []).push(...(Array.isArray(text) ? text.map(String) : [String(text ?? '')]));
  }
  return out;
}

/**
 * What Salt's file.managed gives a source template beside context/defaults: the state's name,
 * the source used, user, group, mode, saltenv and its unknown arguments (**kwargs).
 */
function managedVars(args: ContentArgs, source: string): Record<string, unknown> {
  const { name, user, group, mode } = args;
  return {
    name,
    source,
    user: user ?? null,
    group: group ?? null,
    mode: mode ?? null,
    saltenv: 'base',
    ...(args.template_kwargs ?? {}),
  };
}

export async function renderIfTemplate(
  ctx: StateCtx<any>,
  args: ContentArgs,
  data: Buffer,
  file: string,
  source?: string,
): Promise<Buffer> {
  if (!args.template) return data;
  if (String(args.template).toLowerCase() !== 'jinja')
    throw new StateError(ctx.id, `template '${args.template}' is not supported (only jinja)`);
  const salt = source === undefined ? {} : managedVars(args, source);
  const context = {
    ...salt,
    ...(args.defaults ?? {}),
    ...(args.context ?? {}),
    accumulator: accumulatorOf(ctx, args.name),
  };
  return Buffer.from(await ctx.renderTemplate(data.toString('utf8'), file, context));
}

/**
 * Salt's check of an http(s) source: source_hash must match (a hash, or a hash file naming the
 * file), unless skip_verify; without either the source is refused, as in Salt.
 */
async function verifyRemote(ctx: StateCtx<any>, args: ContentArgs, source: string, data: Buffer): Promise<void> {
  if (args.skip_verify) return;
  const url = shownUrl(source);
  if (!args.source_hash)
    throw new StateError(ctx.id, `${url} cannot be verified: set source_hash (or skip_verify: True)`);
  let hash = args.source_hash;
  if (isHttpSource(hash) || hash.startsWith('salt://')) {
    const text = isHttpSource(hash) ? await fetchHttp(hash, ctx.id) : await ctx.readSource(hash);
    if (!text) throw new StateError(ctx.id, `source_hash ${shownUrl(hash)} not found`);
    const file = decodeURIComponent(new URL(source).pathname.split('/').pop() ?? '');
    const found = pickHash(text.toString('utf8'), file, args.source_hash_name);
    if (!found)
      throw new StateError(ctx.id, `source_hash ${shownUrl(hash)} has no hash for ${args.source_hash_name ?? file}`);
    hash = found;
  }
  const bad = hashMismatch(data, hash, url);
  if (bad) throw new StateError(ctx.id, `${bad}; the file was not changed`);
}

/** The wanted contents, or null when the state does not manage contents. */
export async function desiredContents(ctx: StateCtx<any>, args: ContentArgs, host?: Host): Promise<Buffer | null> {
  const given = [args.source, args.contents, args.contents_pillar].filter((x) => x !== undefined && x !== null);
  if (given.length > 1) throw new StateError(ctx.id, 'source, contents and contents_pillar are mutually exclusive');
  if (args.source !== undefined && args.source !== null) {
    const list = Array.isArray(args.source) ? args.source : [args.source];
    const { source, data } = await readFirstSource(ctx, list, host);
    if (isHttpSource(source)) await verifyRemote(ctx, args, source, data);
    return renderIfTemplate(ctx, args, data, source, source);
  }
  if (args.contents !== undefined && args.contents !== null) {
    let text = Array.isArray(args.contents) ? args.contents.join('\n') : String(args.contents);
    if (!text.endsWith('\n') && text !== '') text += '\n';
    return renderIfTemplate(ctx, args, Buffer.from(text), `${ctx.id} (contents)`);
  }
  if (args.contents_pillar) return Buffer.from(await pillarContents(ctx, args.contents_pillar));
  return null;
}

/** One pillar value as data (JSON through the template layer); '' when the key is missing. */
async function pillarValue(ctx: StateCtx<any>, key: string): Promise<unknown> {
  const k = key.replace(/\\/g, '\\\\').replace(/'/g, "\\'");
  return JSON.parse(
    await ctx.renderTemplate(`{{ salt['pillar.get']('${k}', '') | json }}`, `${ctx.id} (contents_pillar)`),
  );
}

/** Python's str() of a pillar scalar ('True', 'None', '3'). */
const pyStr = (v: unknown): string =>
  typeof v === 'string'
    ? v
    : v === true
      ? 'True'
      : v === false
        ? 'False'
        : v === null
          ? 'None'
          : typeof v === 'number'
            ? String(v)
            : JSON.stringify(v);

/**
 * Salt's contents_pillar: a key, or a list of keys whose values are joined by newlines; a value
 * that is a list gives one line per item. Every line ends with a newline (Salt's contents_newline).
 */
export async function pillarContents(ctx: StateCtx<any>, keys: string | string[]): Promise<string> {
  let parts: string[];
  if (Array.isArray(keys)) {
    const values = await Promise.all(keys.map((k) => pillarValue(ctx, String(k))));
    parts = [values.map(pyStr).join('\n')];
  } else {
    const v = await pillarValue(ctx, keys);
    parts = Array.isArray(v) ? v.map(pyStr) : [pyStr(v)];
  }
  return parts
    .flatMap((p) => p.split(/\r\n|\r|\n/).filter((l, i, all) => i < all.length - 1 || l !== ''))
    .map((l) => `${l}\n`)
    .join('');
}

export function isBinary(b: Buffer): boolean {
  const head = b.subarray(0, 8000);
  if (head.includes(0)) return true;
  return !Buffer.from(head.toString('utf8'), 'utf8').equals(head) && head.length < 8000;
}

const size = (n: number): string => (n < 1024 ? `${n} B` : `${Math.round(n / 1024)} KB`);

/** Old and new contents by hash and size: what a change shows when its diff is not shown. */
export function contentIdentity(
  before: Buffer | null,
  after: Buffer,
  beforeHash?: string,
  beforeSize?: number,
): string {
  const was = before ? sha256(before) : (beforeHash ?? '(none)');
  const wasSize = before
    ? size(before.length)
    : beforeSize !== undefined
      ? size(beforeSize)
      : beforeHash
        ? 'unread'
        : 'no file';
  return `sha256 ${was} -> ${sha256(after)} (${wasSize} -> ${size(after.length)})`;
}

/**
 * At least this many lines differ (lines of one side missing from the other, counted with repeats): a cheap lower bound
 * of the diff's size.
 */
function changedLinesAtLeast(a: string, b: string): number {
  const count = new Map<string, number>();
  for (const l of a.split('\n')) count.set(l, (count.get(l) ?? 0) + 1);
  let n = 0;
  for (const l of b.split('\n')) {
    const c = count.get(l);
    if (c) count.set(l, c - 1);
    else n++;
  }
  for (const c of count.values()) n += c;
  return n;
}

export interface DiffOptions {
  /** false: Salt's show_changes: False, only hashes. */
  show?: boolean;
  /** The run's secrets and diff budget (StateCtx.content); absent: look-alike secrets and the per-file limits only. */
  view?: ContentView;
  /** The old contents' hash and size when they were not read (show_changes: False, too big). */
  beforeHash?: string;
  beforeSize?: number;
}

/**
 * The human view of a content change: a unified diff, or why there is none and the hashes and
 * sizes of old and new: show_changes: False, a binary file, a file over the diff limits, a file
 * whose old or new contents hold a secret (a diff would print the old secret as much as the new).
 */
export function contentDiff(path: string, before: Buffer | null, after: Buffer, o: DiffOptions = {}): string {
  const id = () => contentIdentity(before, after, o.beforeHash, o.beforeSize);
  if (o.show === false) return `content not shown (show_changes: False); ${id()}`;
  if ((before && isBinary(before)) || isBinary(after)) return `binary file; ${id()}`;
  const limits = o.view?.limits ?? DIFF_LIMITS;
  const spent = o.view?.spent ?? { ms: 0, bytes: 0 };
  const biggest = Math.max(before?.length ?? o.beforeSize ?? 0, after.length);
  if (biggest > limits.fileBytes)
    return `diff omitted: ${size(biggest)} file, over the ${size(limits.fileBytes)} diff limit; ${id()}`;
  const a = before ? before.toString('utf8') : '';
  const b = after.toString('utf8');
  const secret = o.view ? o.view.holdsSecret.bind(o.view) : textHoldsSecret;
  if (secret(a) || secret(b)) return `content not shown: the file holds a secret; ${id()}`;
  if (spent.ms >= limits.runMs || spent.bytes >= limits.runBytes) {
    return (
      `diff omitted: the run's diff limit is spent (${size(limits.runBytes)} of diffs ` +
      `or ${limits.runMs / 1000} s of diff work); ${id()}`
    );
  }
  const least = changedLinesAtLeast(a, b);
  if (least > limits.changedLines)
    return `diff omitted: ${least} lines change, over the ${limits.changedLines}-line diff limit; ${id()}`;
  const t0 = Date.now();
  const patch = createTwoFilesPatch(path, path, a, b, undefined, undefined, {
    context: 3,
    maxEditLength: limits.changedLines,
    timeout: Math.max(1, Math.min(limits.fileMs, limits.runMs - spent.ms)),
  });
  spent.ms += Date.now() - t0;
  if (patch === undefined)
    return `diff omitted: more than ${limits.changedLines} changed lines or ${limits.fileMs} ms of diff work; ${id()}`;
  spent.bytes += patch.length;
  return patch;
}
