// Salt's renderer line: `#!jinja|yaml` (the default), `#!yaml` (no templating). Other renderers
// (py, pyobjects, gpg, mako...) are not supported: an error, not a silent misread.
import { RenderError } from '../errors.js';
import type { Renderer } from '../render/index.js';

export function renderSls(renderer: Renderer, source: string, file: string): string {
  const first = /^#!(.*)$/m.exec(source.split('\n', 1)[0] ?? '');
  if (!first) return renderer.renderString(source, file);
  const pipes = first[1]!
    .split('|')
    .map((s) => s.trim().split(/\s+/)[0]!)
    .filter(Boolean);
  const bad = pipes.filter((p) => p !== 'jinja' && p !== 'yaml');
  if (bad.length) throw new RenderError(file, 1, `renderer '${bad.join('|')}' is not supported (only jinja|yaml)`);
  return pipes.includes('jinja') ? renderer.renderString(source, file) : source;
}
