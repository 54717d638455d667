// How brine reads YAML: like Salt's loader (YAML 1.1 booleans yes/no/on/off, merge keys `<<`,
// duplicate keys are errors), but a leading-zero number stays decimal digits (`mode: 0644` is 644,
// what file modes mean) and `8080:80` / dates stay strings (no sexagesimal ints or timestamps).
import { fromYamlMaps, toSerialisable } from './dictkeys.js';
import { needsPyQuoting, pyQuotedString } from './pyyaml-string.js';
import {
  type DocumentOptions,
  Lexer,
  type ParseOptions,
  parseDocument,
  type SchemaOptions,
  stringify,
  type ToStringOptions,
} from 'yaml';

type Tag = { tag?: string; format?: string; test?: RegExp; default?: boolean; resolve?: (s: string) => unknown };

function keepTag(t: Tag): boolean {
  if (t.tag === 'tag:yaml.org,2002:timestamp') return false;
  if (t.format === 'OCT' || t.format === 'TIME') return false;
  return true;
}

// PyYAML's booleans: yes/no/true/false/on/off in three casings; `y` and `n` stay strings.
const PY_TRUE = /^(?:yes|Yes|YES|true|True|TRUE|on|On|ON)$/;
const PY_FALSE = /^(?:no|No|NO|false|False|FALSE|off|Off|OFF)$/;

// PyYAML's exponent floats need a dot and a signed exponent (`1.5e+3`); `1e3` is a string.
const PY_EXP = /^[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*[eE][-+][0-9]+$/;

function saltTags<T>(tags: T[]): T[] {
  return (tags as Tag[]).filter(keepTag).map((t) => {
    if (t.tag === 'tag:yaml.org,2002:float' && t.format === 'EXP') return { ...t, test: PY_EXP };
    if (t.tag !== 'tag:yaml.org,2002:bool' || !t.test) return t;
    const value = t.resolve?.('true');
    return { ...t, test: value === true || (value as { value?: unknown })?.value === true ? PY_TRUE : PY_FALSE };
  }) as T[];
}

export const yamlReadOptions: ParseOptions & DocumentOptions & SchemaOptions = {
  version: '1.1',
  merge: true,
  uniqueKeys: true,
  customTags: saltTags,
  prettyErrors: false,
};

// the lexer's control tokens (document start, flow end, scalar marker) are not source text
const LEXER_CONTROL = new Set(['\x02', '\x18', '\x1f']);
// PyYAML ends an anchor or alias name at the first character that is not alphanumeric, - or _
const PY_ANCHOR_NAME = /^[A-Za-z0-9_-]+/;
const PY_ANCHOR_END = ':,]}?%@`';

/**
 * Anchors and aliases named as PyYAML names them: in `&colorcolumn: x` the anchor is
 * `colorcolumn` on an empty key (YAML 1.2 parsers take `colorcolumn:` as the name). A space is put
 * where PyYAML ends the name, so lines and every other byte stay as they were.
 */
export function pyYamlAnchors(text: string): string {
  if (!/[&*]/.test(text)) return text;
  const cuts: number[] = [];
  let at = 0;
  for (const tok of new Lexer().lex(text)) {
    if ((tok[0] === '&' || tok[0] === '*') && tok.length > 1) {
      const name = PY_ANCHOR_NAME.exec(tok.slice(1))?.[0];
      if (name && name.length < tok.length - 1 && PY_ANCHOR_END.includes(tok[name.length + 1]!))
        cuts.push(at + 1 + name.length);
    }
    if (!LEXER_CONTROL.has(tok)) at += tok.length;
  }
  let out = text;
  for (const c of cuts.reverse()) out = `${out.slice(0, c)} ${out.slice(c)}`;
  return out;
}

/** Salt's `|yaml`: flow style on one line, keys sorted like PyYAML, no trailing newline (`{a: 1, b: [x, y]}`). */
export function yamlFlow(value: unknown, flow = true): string {
  const opts: ToStringOptions & SchemaOptions & DocumentOptions = {
    version: '1.1',
    // a Map (a dict with typed keys) is a plain mapping, not YAML 1.1's !!omap
    customTags: (tags) => saltTags(tags).filter((t) => (t as Tag).tag !== 'tag:yaml.org,2002:omap'),
    collectionStyle: flow ? 'flow' : 'block',
    sortMapEntries: false, // toSerialisable sorts as PyYAML does
    flowCollectionPadding: false,
    lineWidth: 0,
    singleQuote: true,
  };
  // strings PyYAML quotes its own way (line breaks, special characters) go in as plain tokens and
  // come out as PyYAML writes them, indented for their depth (flow style; block: a top-level one)
  const quoted = new Map<string, string>();
  const nonce = Math.random().toString(36).slice(2, 10);
  const swap = (v: unknown, depth: number): unknown => {
    if (typeof v === 'string' && needsPyQuoting(v)) {
      const token = `brinepys${nonce}x${quoted.size}x`;
      quoted.set(token, pyQuotedString(v, 2 * (depth + 1)));
      return token;
    }
    if (!flow) return v;
    if (Array.isArray(v)) return v.map((x) => swap(x, depth + 1));
    if (v instanceof Map) return new Map([...v].map(([k, x]) => [k, swap(x, depth + 1)]));
    return v;
  };
  const data = swap(value === undefined ? null : toSerialisable(value), 0);
  let out = stringify(data, opts).replace(/\n$/, '');
  if (out.endsWith('\n...')) out = out.slice(0, -4);
  if (quoted.size) out = out.replace(new RegExp(`brinepys${nonce}x\\d+x`, 'g'), (t) => quoted.get(t) ?? t);
  return out;
}

/**
 * YAML text -> data as Salt's loader gives it: like `parse(text, yamlReadOptions)` (throws the
 * first error), and integer/boolean/null map keys keep their type and order (`400: x`).
 */
export function parseYamlData(text: string): unknown {
  const doc = parseDocument(pyYamlAnchors(text), yamlReadOptions);
  if (doc.errors.length) throw doc.errors[0];
  return fromYamlMaps(doc.toJS({ mapAsMap: true }));
}
