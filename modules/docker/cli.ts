// The docker CLI through a Host: every docker module talks to the Engine the host runs with
// `docker ...` argv (never a joined string), so it works locally and over SSH.

import { CommandError } from '../../engine/errors.js';
import type { ExecOptions, ExecResult, Host } from '../../engine/host/host.js';

/** Runs `docker ARGS`; throws CommandError on a non-zero exit. */
export async function docker(host: Host, args: string[], opts?: ExecOptions, what?: string): Promise<ExecResult> {
  const r = await host.exec(['docker', ...args], { timeoutMs: 600_000, ...opts });
  if (r.exitCode !== 0) throw new CommandError(r, what);
  return r;
}

/**
 * `docker <kind> inspect NAMES...` parsed; missing objects are left out (the exit code is then 1
 * but stdout still holds the ones that exist). Throws when the daemon cannot be reached.
 */
export async function inspect<T = Record<string, any>>(
  host: Host,
  kind: 'container' | 'image' | 'network' | 'volume',
  names: string[],
): Promise<T[]> {
  if (names.length === 0) return [];
  const r = await host.exec(['docker', kind, 'inspect', ...names], { timeoutMs: 60_000 });
  if (r.exitCode !== 0 && !/no such|not found/i.test(r.stderr)) throw new CommandError(r, `docker ${kind} inspect`);
  const out = r.stdout.trim();
  if (!out) return [];
  return JSON.parse(out) as T[];
}

/** One object or null. */
export async function inspectOne<T = Record<string, any>>(
  host: Host,
  kind: 'container' | 'image' | 'network' | 'volume',
  name: string,
): Promise<T | null> {
  const [o] = await inspect<T>(host, kind, [name]);
  return o ?? null;
}

/** Docker's label/filter maps come back as null when empty. */
export function labelsOf(o: { Labels?: Record<string, string> | null } | null | undefined): Record<string, string> {
  return { ...(o?.Labels ?? {}) };
}

/** A list or map of KEY=VALUE pairs (Salt accepts both, and a list of one-key maps) as a map. */
export function toMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (v == null) return out;
  if (Array.isArray(v)) {
    for (const item of v) {
      if (item && typeof item === 'object') Object.assign(out, toMap(item));
      else {
        const s = String(item);
        const i = s.indexOf('=');
        if (i < 0) out[s] = '';
        else out[s.slice(0, i)] = s.slice(i + 1);
      }
    }
    return out;
  }
  if (typeof v === 'object') {
    for (const [k, val] of Object.entries(v as Record<string, unknown>)) out[k] = val == null ? '' : String(val);
  }
  return out;
}

/** The schema of a map-or-list-of-pairs argument (environment, labels, buildargs). */
export const pairsSchema = {
  anyOf: [
    { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean', 'null'] } },
    {
      type: 'array',
      items: {
        anyOf: [
          { type: 'string' },
          { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean', 'null'] } },
        ],
      },
    },
  ],
};
