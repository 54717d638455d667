// One parsed SLS document -> state declarations, extend/exclude entries and includes, each with
// its file:line. Salt's forms: `ID: {mod.fun: [{arg: v}, ...]}`, `ID: {mod: [fun, {arg: v}]}`,
// `ID: mod.fun`, several modules under one ID; `include`, `extend`, `exclude`.
import type { Pair, YAMLMap, YAMLSeq } from 'yaml';
import type { ArgDecl, SourceLoc, StateDecl } from '../highdata.js';
import { CompileError, RenderError } from '../errors.js';
import { isMap, isPair, isScalar, isSeq, type PositionedYaml } from './yaml-doc.js';
import { assertPlainData, MAX_ALIASES, yamlReason } from './yaml-data.js';

export interface SlsContent {
  states: StateDecl[];
  extend: StateDecl[];
  exclude: Array<{ sls?: string; id?: string; loc: SourceLoc }>;
  include: Array<{ name: string; loc: SourceLoc }>;
}

const RESERVED = new Set(['include', 'extend', 'exclude']);

function keyText(p: Pair): string {
  const k = p.key;
  if (isScalar(k)) return String(k.value);
  return String(k);
}

/** A short preview of a value for an error message. */
function preview(v: unknown): string {
  let s: string;
  try {
    s = JSON.stringify(v) ?? String(v);
  } catch {
    s = String(v);
  }
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

class SlsReader {
  constructor(
    private readonly file: string,
    private readonly sls: string,
    private readonly y: PositionedYaml,
  ) {}

  /** A node as plain data; aliases resolved with the document's anchors, an alias bomb refused. */
  toJS(node: unknown): unknown {
    if (!node || typeof node !== 'object' || !('toJS' in node)) return node;
    try {
      const v = (node as { toJS(doc: unknown, o: object): unknown }).toJS(this.y.doc, { maxAliasCount: MAX_ALIASES });
      assertPlainData(v);
      return v;
    } catch (e) {
      const l = this.loc(node);
      throw new RenderError(l.file, l.line || undefined, yamlReason(e));
    }
  }

  loc(node: unknown): SourceLoc {
    return { file: this.file, line: this.y.lineOf(node) };
  }

  fail(node: unknown, reason: string): never {
    const l = this.loc(node);
    throw new CompileError(`${l.file}:${l.line}`, reason);
  }

  read(): SlsContent {
    const out: SlsContent = { states: [], extend: [], exclude: [], include: [] };
    const root = this.y.doc.contents;
    if (root === null || (isScalar(root) && (root.value === null || root.value === ''))) return out;
    if (!isMap(root))
      throw new RenderError(
        this.file,
        this.y.lineOf(root) || 1,
        'an SLS file must be a mapping of IDs to state declarations',
      );
    for (const p of (root as YAMLMap).items as Pair[]) {
      const key = keyText(p);
      if (key === 'include') this.readInclude(p, out);
      else if (key === 'exclude') this.readExclude(p, out);
      else if (key === 'extend') {
        if (!isMap(p.value)) this.fail(p, "'extend' must map IDs to state declarations");
        for (const ep of (p.value as YAMLMap).items as Pair[]) out.extend.push(...this.readId(ep, true));
      } else out.states.push(...this.readId(p, false));
    }
    return out;
  }

  private readInclude(p: Pair, out: SlsContent): void {
    if (!isSeq(p.value)) this.fail(p, "'include' must be a list of SLS names");
    for (const item of (p.value as YAMLSeq).items) {
      if (isScalar(item) && typeof item.value === 'string') out.include.push({ name: item.value, loc: this.loc(item) });
      else if (isMap(item) && item.items.length === 1) {
        const ip = item.items[0] as Pair;
        if (ip.value !== null && !(isScalar(ip.value) && ip.value.value === null)) {
          this.fail(item, `include '${keyText(ip)}': include options (key/defaults) are not supported`);
        }
        out.include.push({ name: keyText(ip), loc: this.loc(ip) });
      } else this.fail(item, "'include' entries must be SLS names");
    }
  }

  private readExclude(p: Pair, out: SlsContent): void {
    if (!isSeq(p.value)) this.fail(p, "'exclude' must be a list of {sls: NAME} or {id: ID}");
    for (const item of (p.value as YAMLSeq).items) {
      const v = this.toJS(item) as Record<string, unknown> | null;
      const keys = v && typeof v === 'object' ? Object.keys(v) : [];
      if (keys.length !== 1 || (keys[0] !== 'sls' && keys[0] !== 'id') || typeof v![keys[0]] !== 'string') {
        this.fail(item, "'exclude' entries must be {sls: NAME} or {id: ID}");
      }
      out.exclude.push({ [keys[0]!]: v![keys[0]!] as string, loc: this.loc(item) });
    }
  }

  /** The declarations under one ID (one per module). */
  private readId(p: Pair, isExtend: boolean): StateDecl[] {
    const id = keyText(p);
    const where = `${isExtend ? 'extend: ' : ''}ID '${id}'`;
    if (!isExtend && RESERVED.has(id)) this.fail(p, `'${id}' is reserved`);
    if (id.startsWith('__')) this.fail(p, `${where}: names starting with '__' are reserved`);
    // `ID: module.function` (no arguments)
    if (isScalar(p.value) && typeof p.value.value === 'string' && /^\w+\.\w+$/.test(p.value.value)) {
      const [module, fun] = p.value.value.split('.') as [string, string];
      return [{ id, sls: this.sls, module, fun, args: [], loc: this.loc(p) }];
    }
    if (!isMap(p.value))
      this.fail(
        p,
        `${where} must map to state declarations like 'pkg.installed: [...]' ` +
          `(got ${p.value === null ? 'nothing' : preview(this.toJS(p.value))})`,
      );
    const byModule = new Map<string, StateDecl>();
    const decls: StateDecl[] = [];
    for (const mp of (p.value as YAMLMap).items as Pair[]) {
      const mkey = keyText(mp);
      const m = /^(\w+)(?:\.(\w+))?$/.exec(mkey);
      if (!m) this.fail(mp, `${where}: '${mkey}' is not a state declaration (module.function or module)`);
      const module = m[1]!;
      let fun = m[2] ?? '';
      const args: ArgDecl[] = [];
      const list = mp.value;
      if (list !== null && !(isScalar(list) && list.value === null)) {
        if (!isSeq(list))
          this.fail(
            mp,
            `${where}: '${mkey}' must be followed by a list of arguments (- name: value), ` +
              `not ${isMap(list) ? 'a mapping' : 'a scalar'}`,
          );
        for (const item of (list as YAMLSeq).items) {
          if (isScalar(item) && typeof item.value === 'string') {
            if (fun)
              this.fail(item, `${where}: '${module}' names a second function '${item.value}' (already '${fun}')`);
            fun = item.value;
            continue;
          }
          if (!isMap(item) || item.items.length === 0) {
            this.fail(item, `${where}: '${mkey}' arguments must be single-key mappings (- name: value)`);
          }
          // Salt takes every key of an argument item (`- context:` with a sibling key below it), but
          // not beside a requisite: "Multiple dictionaries defined in argument of state"
          const pairs = item.items as Pair[];
          if (pairs.length > 1 && MULTI_KEY_REQUISITES.has(keyText(pairs[0]!))) {
            this.fail(
              item,
              `${where}: a requisite item '${keyText(pairs[0]!)}' holds other keys too ` +
                `(${pairs.slice(1).map(keyText).join(', ')}); write each as its own '- key: value' item`,
            );
          }
          for (const ap of pairs)
            args.push({ key: keyText(ap), value: this.toJS(ap.value) ?? null, loc: this.loc(ap) });
        }
      }
      if (!fun && !isExtend)
        this.fail(mp, `${where}: no function given for module '${module}' (use '${module}.FUNCTION')`);
      const prev = byModule.get(module);
      if (prev)
        this.fail(
          mp,
          `${where}: two functions of module '${module}' (${prev.fun || '?'} and ${fun || '?'}) under one ID`,
        );
      const decl: StateDecl = { id, sls: this.sls, module, fun, args, loc: this.loc(mp) };
      byModule.set(module, decl);
      decls.push(decl);
    }
    if (!decls.length && !isExtend) this.fail(p, `${where} declares no state`);
    return decls;
  }
}

/** Salt rejects an argument item with more keys when its first is one of these (state.py verify_high). */
const MULTI_KEY_REQUISITES = new Set(['require', 'watch', 'prereq', 'onchanges']);

export function readSls(y: PositionedYaml, file: string, sls: string): SlsContent {
  return new SlsReader(file, sls, y).read();
}

export { isPair };
