// Drives one state function through the contract, for module tests that do not need the whole
// pipeline: gather -> plan (the dry run) -> apply -> gather -> plan (must be empty).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Host } from '../../engine/host/host.js';
import type { ApplyOutput, Change, StateCtx, StateFunction } from '../../engine/contract.js';

export function testCtx<A extends Record<string, unknown>>(args: A, statesDir = '/nonexistent'): StateCtx<A> {
  return {
    id: String(args.name ?? 'test'),
    name: String(args.name ?? 'test'),
    args,
    statesDir,
    renderTemplate: async (text) => text,
    readSource: async (source) => readFile(source.startsWith('salt://') ? join(statesDir, source.slice(7)) : source),
    log: { debug() {}, info() {}, warn() {} },
  };
}

export interface CheckApplyResult {
  planned: Change[];
  output: ApplyOutput | void;
  replanned: Change[];
}

/** Dry run only: what would change. */
export async function plan<A extends Record<string, unknown>>(
  host: Host,
  fn: StateFunction<A>,
  args: A,
): Promise<Change[]> {
  const ctx = testCtx(args);
  return fn.plan(args, await fn.gather(host, args, ctx), ctx);
}

/** Real run: plan, apply, and plan again (the self-check the runner does). */
export async function checkApply<A extends Record<string, unknown>>(
  host: Host,
  fn: StateFunction<A>,
  args: A,
): Promise<CheckApplyResult> {
  const ctx = testCtx(args);
  const facts = await fn.gather(host, args, ctx);
  const planned = fn.plan(args, facts, ctx);
  const output = planned.length ? await fn.apply(host, planned, { ...ctx, facts }) : undefined;
  const replanned = fn.plan(args, await fn.gather(host, args, ctx), ctx).filter((c) => c.op !== 'run');
  return { planned, output, replanned };
}
