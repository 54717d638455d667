// The compile phase's last step: every state function with a `prepare` (file.managed: read the
// salt:// source, render the template) runs it for its states before the first state applies,
// so a missing source or a broken template stops the run with nothing changed (exit 3).
import PQueue from 'p-queue';
import type { Chunk } from '../compile/types.js';
import { BrineError, CompileError, RenderError } from '../errors.js';
import { makeCtx, type TemplateRenderer } from './ctx.js';

/** The prepared value per chunk key; throws RenderError/CompileError naming the state's file:line. */
export async function prepareChunks(
  chunks: Chunk[],
  o: { statesDir: string; render?: TemplateRenderer; debug?: (m: string) => void; byKey?: Map<string, Chunk> },
): Promise<Map<string, unknown>> {
  const out = new Map<string, unknown>();
  const todo = chunks.filter((c) => c.fn.prepare);
  if (!todo.length) return out;
  // rendering is CPU work on the controller: a small queue keeps reads of sources overlapping
  const q = new PQueue({ concurrency: 8 });
  const errors: Array<{ index: number; err: BrineError }> = [];
  await Promise.all(
    todo.map((c) =>
      q.add(async () => {
        if (errors.length) return;
        try {
          out.set(c.key, await c.fn.prepare!(c.args, makeCtx(c, o, { info: [], warn: [] })));
        } catch (e) {
          errors.push({ index: c.index, err: asCompileError(c, e) });
        }
      }),
    ),
  );
  // the first failing state in declaration order, whatever finished first
  if (errors.length) throw errors.sort((a, b) => a.index - b.index)[0]!.err;
  return out;
}

function asCompileError(c: Chunk, e: unknown): BrineError {
  const where = `${c.loc.file}:${c.loc.line}`;
  const state = `${c.module}.${c.fun}: ${c.id}`;
  if (e instanceof RenderError) return new RenderError(e.file, e.line, `${e.reason} (rendering ${state} at ${where})`);
  const reason =
    e instanceof BrineError && 'reason' in e
      ? String((e as { reason: unknown }).reason)
      : e instanceof Error
        ? e.message
        : String(e);
  return new CompileError(where, `${state}: ${reason}`);
}
