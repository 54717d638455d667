// Renders a state's changes as text lines (shared by highstate and markdown output).
import type { Change } from '../contract.js';

/** A change as reports show it: op, target, before, after, diff (no kind, no payload, no module fields). */
export function reportedChange(c: Change): Change {
  return {
    op: c.op,
    target: c.target,
    ...(c.before !== undefined ? { before: c.before } : {}),
    ...(c.after !== undefined ? { after: c.after } : {}),
    ...(c.diff !== undefined ? { diff: c.diff } : {}),
  };
}

export function valueText(v: unknown): string {
  if (v === undefined) return '';
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}

/** One line per change ("update /etc/x: mode 0644 -> 0600"), diffs kept apart. */
export function changeLine(c: Change): string {
  const b = valueText(c.before);
  const a = valueText(c.after);
  const arrow = b || a ? `: ${b ? `${b} -> ` : ''}${a}` : '';
  return `${c.op} ${c.target}${arrow}`;
}

export function dataLines(data: Record<string, unknown> | undefined): string[] {
  if (!data) return [];
  const out: string[] = [];
  for (const [k, v] of Object.entries(data)) {
    const text = valueText(v);
    if (!text.includes('\n')) out.push(`${k}: ${text}`);
    else
      out.push(
        `${k}:`,
        ...text
          .replace(/\n$/, '')
          .split('\n')
          .map((l) => `    ${l}`),
      );
  }
  return out;
}
