// How brine reads YAML: like Salt's loader (YAML 1.1 booleans yes/no/on/off, merge keys `<<`,
// duplicate keys are errors), but a leading-zero number stays decimal digits (`mode: 0644` is 644,
// what file modes mean) and `8080:80` / dates stay strings (no sexagesimal ints or timestamps).
import { type DocumentOptions, type ParseOptions, type SchemaOptions, stringify, type ToStringOptions } from 'yaml';

type Tag = { tag?: string; format?: string; test?: RegExp };

function keepTag(t: Tag): boolean {
  if (t.tag === 'tag:yaml.org,2002:timestamp') return false;
  if (t.format === 'OCT' || t.format === 'TIME') return false;
  return true;
}

export const yamlReadOptions: ParseOptions & DocumentOptions & SchemaOptions = {
  version: '1.1',
  merge: true,
  uniqueKeys: true,
  customTags: (tags) => (tags as Tag[]).filter(keepTag) as typeof tags,
  prettyErrors: false,
};

/** Salt's `|yaml`: flow style on one line, no trailing newline (`{a: 1, b: [x, y]}`). */
export function yamlFlow(value: unknown, flow = true): string {
  const opts: ToStringOptions & SchemaOptions & DocumentOptions = {
    version: '1.1',
    customTags: (tags) => (tags as Tag[]).filter(keepTag) as typeof tags,
    collectionStyle: flow ? 'flow' : 'block',
    flowCollectionPadding: false,
    lineWidth: 0,
    singleQuote: true,
  };
  let out = stringify(value === undefined ? null : value, opts).replace(/\n$/, '');
  if (out.endsWith('\n...')) out = out.slice(0, -4);
  return out;
}
