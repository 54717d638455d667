// Timing helpers for the benchmark: run a command, take its wall time, summarise runs.
import { execa } from 'execa';

export interface Timed {
  ms: number;
  exitCode: number;
  stdout: string;
  stderr: string;
}

export async function timed(argv: string[], o: { cwd?: string; env?: Record<string, string> } = {}): Promise<Timed> {
  const t0 = process.hrtime.bigint();
  const r = await execa(argv[0]!, argv.slice(1), {
    reject: false,
    cwd: o.cwd,
    env: o.env,
    maxBuffer: 512 * 1024 * 1024,
  });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  return { ms, exitCode: r.exitCode ?? 1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function fmtMs(ms: number): string {
  return ms >= 10_000
    ? `${(ms / 1000).toFixed(1)} s`
    : ms >= 1000
      ? `${(ms / 1000).toFixed(2)} s`
      : `${ms.toFixed(0)} ms`;
}

export interface Row {
  case: string;
  brine: number[];
  ansible: number[];
}

/** The results table: medians per tool and the Ansible/brine speed ratio. */
export function table(rows: Row[], items: number): string {
  const head = ['case', `brine (median)`, `ansible (median)`, 'ansible / brine', 'brine per item'];
  const lines = rows.map((r) => {
    const b = median(r.brine);
    const a = r.ansible.length ? median(r.ansible) : NaN;
    return [
      r.case,
      fmtMs(b),
      r.ansible.length ? fmtMs(a) : '-',
      r.ansible.length ? `${(a / b).toFixed(1)}x` : '-',
      `${(b / items).toFixed(2)} ms`,
    ];
  });
  const w = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(w[i]!)).join(' | ')} |`;
  return [fmt(head), `| ${w.map((n) => '-'.repeat(n)).join(' | ')} |`, ...lines.map(fmt)].join('\n');
}
