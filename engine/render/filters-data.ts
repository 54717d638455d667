// Serialisation filters as Salt defines them: yaml/json/tojson out, load_yaml/load_json in.
import { dictEntries, pyKey, pySorted } from './dictkeys.js';
import { isMap, isStr, pyRepr, TemplateFault } from './pyvalue.js';
import { parseYamlData, yamlFlow } from './yaml-schema.js';
import { DQ_ESCAPES } from './pyyaml-string.js';

function escapeJsonString(s: string, ascii: boolean, html: boolean): string {
  let out = JSON.stringify(s);
  if (ascii) out = out.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (html) out = out.replace(/[<>&']/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return out;
}

interface JsonOpts {
  sortKeys: boolean;
  indent: number | null;
  ascii: boolean;
  html: boolean;
}

/** Python's json.dumps (separators ', ' and ': ', optional sort_keys and indent). */
export function pyJson(v: unknown, o: JsonOpts, depth = 0): string {
  if (v === null || v === undefined) return 'null';
  if (v === true || v === false) return String(v);
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new TemplateFault(`cannot encode ${v} as JSON`);
    return String(v);
  }
  if (isStr(v)) return escapeJsonString(String(v), o.ascii, o.html);
  const nl = o.indent === null ? '' : `\n${' '.repeat(o.indent * (depth + 1))}`;
  const end = o.indent === null ? '' : `\n${' '.repeat(o.indent * depth)}`;
  const sep = o.indent === null ? ', ' : ',';
  if (Array.isArray(v)) {
    if (!v.length) return '[]';
    return `[${nl}${v.map((x) => pyJson(x, o, depth + 1)).join(sep + nl)}${end}]`;
  }
  if (isMap(v)) {
    const entries = dictEntries(v);
    if (!entries.length) return '{}';
    let keys = entries.map(([k]) => k);
    if (o.sortKeys) {
      const sorted = pySorted(keys);
      if (!sorted)
        throw new TemplateFault(`json: cannot sort keys of different types (${keys.map(pyRepr).join(', ')})`);
      keys = sorted;
    }
    // Python's json writes a key True as "true", None as "null", 1 as "1"
    const name = (k: unknown) => String(k);
    const item = (k: unknown) => `${escapeJsonString(name(k), o.ascii, o.html)}: ${pyJson(v[pyKey(k)], o, depth + 1)}`;
    const items = keys.map(item);
    return `{${nl}${items.join(sep + nl)}${end}}`;
  }
  throw new TemplateFault(`cannot encode ${pyRepr(v)} as JSON`);
}

export function loadYaml(text: unknown, where = 'load_yaml'): unknown {
  try {
    return parseYamlData(String(text ?? '')) ?? null;
  } catch (e) {
    const err = e as { message?: string; linePos?: Array<{ line: number }> };
    const line = err.linePos?.[0]?.line;
    throw new TemplateFault(
      `${where}: invalid YAML${line ? ` at line ${line}` : ''}: ${String(err.message).split('\n')[0]}`,
    );
  }
}

export function loadJson(text: unknown, where = 'load_json'): unknown {
  try {
    return JSON.parse(String(text ?? ''));
  } catch (e) {
    throw new TemplateFault(`${where}: invalid JSON: ${(e as Error).message}`);
  }
}

/** PyYAML's Emitter.write_double_quoted (allow_unicode off, no line width): Salt's yaml_dquote. */
function pyDquote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (Object.hasOwn(DQ_ESCAPES, ch)) out += `\\${DQ_ESCAPES[ch]}`;
    else if (c >= 0x20 && c <= 0x7e) out += ch;
    else if (c <= 0xff) out += `\\x${c.toString(16).toUpperCase().padStart(2, '0')}`;
    else if (c <= 0xffff) out += `\\u${c.toString(16).toUpperCase().padStart(4, '0')}`;
    else out += `\\U${c.toString(16).toUpperCase().padStart(8, '0')}`;
  }
  return `${out}"`;
}

function quoteYaml(s: string, dq: boolean): string {
  if (dq) return pyDquote(s);
  return `'${s.replace(/'/g, "''")}'`;
}

/** `import_yaml x.yml` for imports, `load_yaml block` for blocks. */
function label(kind: string, p: unknown): string {
  const s = String(p);
  return s.startsWith('load_') ? s : `import_${kind} ${s}`;
}

export const dataFilters = {
  yaml: {
    params: ['flow_style'],
    fn: (v: unknown, flow?: unknown) => yamlFlow(v, flow === undefined ? true : Boolean(flow)),
  },
  yaml_encode: {
    params: [],
    fn: (v: unknown) => {
      if (Array.isArray(v) || isMap(v)) throw new TemplateFault('yaml_encode: only scalars can be encoded (use |yaml)');
      // Salt: strings double-quoted on one line, other scalars as their YAML value
      if (isStr(v)) return pyDquote(String(v));
      return yamlFlow(v);
    },
  },
  yaml_dquote: { params: [], fn: (v: unknown) => quoteYaml(String(v ?? ''), true) },
  yaml_squote: { params: [], fn: (v: unknown) => quoteYaml(String(v ?? ''), false) },
  json: {
    params: ['sort_keys', 'indent'],
    fn: (v: unknown, sortKeys?: unknown, indent?: unknown) =>
      pyJson(v, {
        sortKeys: sortKeys === undefined ? true : Boolean(sortKeys),
        indent: indent == null ? null : Number(indent),
        ascii: true,
        html: false,
      }),
  },
  tojson: {
    params: ['indent'],
    fn: (v: unknown, indent?: unknown) =>
      pyJson(v, { sortKeys: true, indent: indent == null ? null : Number(indent), ascii: true, html: true }),
  },
  load_yaml: { params: [], fn: (t: unknown) => loadYaml(t) },
  load_json: { params: [], fn: (t: unknown) => loadJson(t) },
  load_text: { params: [], fn: (t: unknown) => String(t ?? '') },
  __brine_load_yaml: { params: ['path'], fn: (t: unknown, p: unknown) => loadYaml(t, label('yaml', p)) },
  __brine_load_json: { params: ['path'], fn: (t: unknown, p: unknown) => loadJson(t, label('json', p)) },
  __brine_load_text: { params: ['path'], fn: (t: unknown) => String(t ?? '') },
} as const;
