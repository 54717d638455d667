// Render: nunjucks with a Salt/Jinja compatibility layer. `renderFile('common/init.sls')` renders a
// file of the states dir; every failure is a RenderError naming file (relative) and line.
import { readFileSync } from 'node:fs';
import { posix, resolve } from 'node:path';
import type nunjucks from 'nunjucks';
import { RenderError } from '../errors.js';
import { compiledTemplate } from './compile-cache.js';
import { createEnvironment } from './environment.js';
import { toRenderError } from './errors.js';
import { sandboxEnvironment, withBudget } from './sandbox.js';
import { shapeError } from './unclosed.js';
import { templateRel } from './loader.js';
import type { ExecSession } from './exec/session.js';
import { SaltFunctions } from './salt.js';

export { traverse } from './salt.js';
export { ExecSession, renderOnTarget } from './exec/session.js';
export { yamlReadOptions } from './yaml-schema.js';

export interface RendererOptions {
  statesDir: string;
  pillar: Record<string, unknown>;
  grains: Record<string, unknown>;
  minionId?: string;
  /** Runs execution functions on the target (cmd.run, file.file_exists...); see exec/session.ts. */
  exec?: ExecSession;
  /** Where log.* goes when there is no session. */
  log?: (level: string, message: string) => void;
}

export class Renderer {
  readonly statesDir: string;
  readonly pillar: Record<string, unknown>;
  readonly grains: Record<string, unknown>;
  readonly minionId: string;
  readonly exec: ExecSession | undefined;
  private readonly env: nunjucks.Environment;
  private readonly baseGlobals: Set<string>;
  private ctxGlobals: string[] = [];

  constructor(o: RendererOptions) {
    this.statesDir = resolve(o.statesDir);
    this.pillar = o.pillar;
    this.grains = o.grains;
    this.minionId = o.minionId ?? (typeof o.grains.id === 'string' ? o.grains.id : 'localhost');
    const opts = {
      id: this.minionId,
      saltenv: 'base',
      renderer: 'jinja|yaml',
      file_client: 'local',
      file_roots: { base: [this.statesDir] },
    };
    this.exec = o.exec;
    const salt = new SaltFunctions({
      pillar: this.pillar,
      grains: this.grains,
      opts,
      statesDir: this.statesDir,
      exec: o.exec,
      log: o.log,
    });
    this.env = createEnvironment(this.statesDir, {
      pillar: this.pillar,
      grains: this.grains,
      salt,
      opts,
      saltenv: 'base',
    });
    sandboxEnvironment(this.env);
    this.baseGlobals = new Set(Object.keys((this.env as unknown as { globals: object }).globals));
  }

  /** Like Salt, the render context is also global: templates imported without context see `sls`, `tpldir`... */
  private setContextGlobals(ctx: Record<string, unknown>): void {
    const globals = (this.env as unknown as { globals: Record<string, unknown> }).globals;
    for (const k of this.ctxGlobals) delete globals[k];
    this.ctxGlobals = Object.keys(ctx).filter((k) => !this.baseGlobals.has(k));
    for (const k of this.ctxGlobals) globals[k] = ctx[k];
  }

  /** Renders template text; `file` (relative to the states dir) names it in errors and anchors relative imports. */
  renderString(text: string, file: string, extra: Record<string, unknown> = {}): string {
    const name = templateRel(file) ?? file;
    const ctx = { ...fileContext(name), ...extra };
    this.setContextGlobals(ctx);
    let parsing = true;
    try {
      return withBudget(() => {
        const tpl = compiledTemplate(this.env, text, name);
        parsing = false;
        return tpl.render(ctx);
      });
    } catch (e) {
      const err = toRenderError(e, name);
      const own = err.file === name;
      const shaped = shapeError(err.file, err.line, err.reason, own ? text : '', parsing && own);
      throw shaped.line === err.line && shaped.reason === err.reason
        ? err
        : new RenderError(err.file, shaped.line, shaped.reason);
    }
  }

  /** Renders a file of the states dir (`a/b.sls` or `salt://a/b.sls`). */
  renderFile(relPath: string, extra: Record<string, unknown> = {}): string {
    const rel = templateRel(relPath);
    if (rel === null) throw new RenderError(relPath, undefined, 'path leaves the states dir');
    let text: string;
    try {
      text = readFileSync(resolve(this.statesDir, rel), 'utf8');
    } catch (e) {
      throw new RenderError(
        rel,
        undefined,
        `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      );
    }
    return this.renderString(text, rel, extra);
  }
}

/** Salt's per-file context: tplfile, tpldir, tplpath, and sls/slspath for .sls files. */
export function fileContext(rel: string): Record<string, unknown> {
  const dir = posix.dirname(rel);
  // Salt: tpldir of a file at the root is "." (slspath and tplroot are then "")
  const tpldir = dir === '.' ? '' : dir;
  const ctx: Record<string, unknown> = { tplfile: rel, tplpath: rel, tpldir: dir, tplroot: tpldir.split('/')[0] ?? '' };
  if (rel.endsWith('.sls')) {
    const base = rel.slice(0, -4).replace(/\/init$/, '');
    const sls = base === 'init' ? '' : base.replace(/\//g, '.');
    ctx.sls = sls;
    ctx.slspath = rel.endsWith('/init.sls') ? base : tpldir;
    ctx.sls_path = String(ctx.slspath).replace(/\//g, '_');
    ctx.slsdotpath = String(ctx.slspath).replace(/\//g, '.');
  }
  return ctx;
}
