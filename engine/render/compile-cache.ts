// Compiled templates shared by every Renderer of the process: a push to many hosts, or a
// template managed by many states, compiles each (file, text) once. Compiled code does not
// depend on the environment it was compiled in (globals and filters are looked up at render).
import nunjucks from 'nunjucks';

const MAX = 1000;
const cache = new Map<string, unknown>();

type Compiled = nunjucks.Template & { rootRenderFunc: unknown; blocks: Record<string, unknown> };

/** The compiled form of `text` named `name` (compile errors throw, like nunjucks). */
export function compiledProps(env: nunjucks.Environment, text: string, name: string): unknown {
  const key = `${name}\0${text}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const tpl = new nunjucks.Template(text, env, name, true) as Compiled;
  // the shape nunjucks' precompiled templates have: root plus b_<name> per block
  const props: Record<string, unknown> = { root: tpl.rootRenderFunc };
  for (const [b, fn] of Object.entries(tpl.blocks ?? {})) props[`b_${b}`] = fn;
  if (cache.size >= MAX) cache.delete(cache.keys().next().value!);
  cache.set(key, props);
  return props;
}

export function compiledTemplate(env: nunjucks.Environment, text: string, name: string): nunjucks.Template {
  const props = compiledProps(env, text, name);
  return new nunjucks.Template({ type: 'code', obj: props } as unknown as string, env, name, true);
}
