// Template names resolve inside the states dir: `x/map.jinja`, `salt://x/map.jinja`, and relative
// `./m.jinja` / `../m.jinja` from the including template (as Salt's loader does).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { posix, resolve, sep } from 'node:path';
import type nunjucks from 'nunjucks';
import { compiledProps } from './compile-cache.js';

/** Normalised path relative to the states dir, or null if it leaves it. */
export function templateRel(name: string): string | null {
  const n = posix.normalize(name.replace(/^salt:\/\//, '').replace(/^\/+/, ''));
  if (n === '..' || n.startsWith('../') || n === '.') return null;
  return n;
}

export class StatesLoader {
  /** Set by the environment that owns this loader (compiles through the shared cache). */
  env?: nunjucks.Environment;

  constructor(private readonly root: string) {}

  isRelative(name: string): boolean {
    return name.startsWith('./') || name.startsWith('../');
  }

  resolve(parent: string, name: string): string {
    return posix.join(posix.dirname(parent), name);
  }

  getSource(name: string): { src: unknown; path: string; noCache: boolean } | null {
    const rel = templateRel(name);
    if (rel === null) return null;
    const full = resolve(this.root, rel);
    if (!(full === this.root || full.startsWith(this.root + sep))) return null;
    if (!existsSync(full) || !statSync(full).isFile()) return null;
    const text = readFileSync(full, 'utf8');
    if (!this.env) return { src: text, path: rel, noCache: false };
    return { src: { type: 'code', obj: compiledProps(this.env, text, rel) }, path: rel, noCache: false };
  }
}
