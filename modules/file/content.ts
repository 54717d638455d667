// Desired file contents on the controller (salt:// sources, inline contents, templates) and the
// human view of a content change (unified diff, or hashes for binary files).

import { createHash } from 'node:crypto';
import { createTwoFilesPatch } from 'diff';
import { StateError } from '../../engine/errors.js';
import type { Host } from '../../engine/host/host.js';
import type { StateCtx } from '../contract.js';

export interface ContentArgs {
  name: string;
  source?: string | string[];
  contents?: string | string[];
  contents_pillar?: string;
  template?: string | null;
  context?: Record<string, unknown>;
  defaults?: Record<string, unknown>;
}

export const sha256 = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

/**
 * Reads the first source that exists, trying each in order (Salt's source list): salt:// from the
 * state tree; an absolute path or file:// is a file on the target, as in Salt.
 */
export async function readFirstSource(ctx: StateCtx<any>, sources: string[], host?: Host): Promise<{ source: string; data: Buffer }> {
  const missing: string[] = [];
  for (const source of sources) {
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

export async function renderIfTemplate(ctx: StateCtx<any>, args: ContentArgs, data: Buffer, file: string): Promise<Buffer> {
  if (!args.template) return data;
  if (String(args.template).toLowerCase() !== 'jinja') throw new StateError(ctx.id, `template '${args.template}' is not supported (only jinja)`);
  const context = { ...(args.defaults ?? {}), ...(args.context ?? {}), accumulator: accumulatorOf(ctx, args.name) };
  return Buffer.from(await ctx.renderTemplate(data.toString('utf8'), file, context));
}

/** The wanted contents, or null when the state does not manage contents. */
export async function desiredContents(ctx: StateCtx<any>, args: ContentArgs, host?: Host): Promise<Buffer | null> {
  const given = [args.source, args.contents, args.contents_pillar].filter((x) => x !== undefined && x !== null);
  if (given.length > 1) throw new StateError(ctx.id, 'source, contents and contents_pillar are mutually exclusive');
  if (args.source !== undefined && args.source !== null) {
    const list = Array.isArray(args.source) ? args.source : [args.source];
    const { source, data } = await readFirstSource(ctx, list, host);
    return renderIfTemplate(ctx, args, data, source);
  }
  if (args.contents !== undefined && args.contents !== null) {
    let text = Array.isArray(args.contents) ? args.contents.join('\n') : String(args.contents);
    if (!text.endsWith('\n') && text !== '') text += '\n';
    return renderIfTemplate(ctx, args, Buffer.from(text), `${ctx.id} (contents)`);
  }
  if (args.contents_pillar) {
    const key = String(args.contents_pillar).replace(/'/g, "\\'");
    let text = await ctx.renderTemplate(`{{ salt['pillar.get']('${key}', '') }}`, `${ctx.id} (contents_pillar)`);
    if (!text.endsWith('\n') && text !== '') text += '\n';
    return Buffer.from(text);
  }
  return null;
}

export function isBinary(b: Buffer): boolean {
  const head = b.subarray(0, 8000);
  if (head.includes(0)) return true;
  return !Buffer.from(head.toString('utf8'), 'utf8').equals(head) && head.length < 8000;
}

/** A unified diff of two contents; binary contents are described by their hashes. */
export function contentDiff(path: string, before: Buffer | null, after: Buffer, show = true): string {
  if (!show) return '<show_changes=False>';
  if ((before && isBinary(before)) || isBinary(after))
    return `Binary file: sha256 ${before ? sha256(before) : '(none)'} -> ${sha256(after)}`;
  return createTwoFilesPatch(path, path, before ? before.toString('utf8') : '', after.toString('utf8'), undefined, undefined, { context: 3 });
}
