// SLS names -> files: `a.b` is `a/b.sls` or else `a/b/init.sls` under the states dir.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';

export function slsFile(statesDir: string, name: string): string | null {
  if (!/^[\w-][\w.-]*$/.test(name) || name.includes('..') || name.endsWith('.')) return null;
  const base = name.replace(/\./g, '/');
  for (const rel of [`${base}.sls`, `${base}/init.sls`]) {
    const full = join(statesDir, rel);
    if (existsSync(full) && statSync(full).isFile()) return rel;
  }
  return null;
}

/** Salt's relative include: `.x` / `..x` from SLS `sls` declared in `file`. */
export function resolveInclude(name: string, sls: string, file: string): string | { error: string } {
  const m = /^(\.+)(.*)$/.exec(name);
  if (!m) return name;
  const comps = sls ? sls.split('.') : [];
  if (file.endsWith('/init.sls') || file === 'init.sls') comps.push('init');
  const levels = m[1]!.length;
  if (levels > comps.length) return { error: `relative include '${name}' goes beyond the top of the states dir` };
  return [...comps.slice(0, comps.length - levels), m[2]!].filter(Boolean).join('.');
}
