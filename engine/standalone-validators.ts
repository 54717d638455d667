// Generates, at build time, the code of a validator for each schema brine ships (ajv's standalone
// code), so a run compiles none (engine/precompiled.ts). The validators are made by the same ajv
// setup a run uses (engine/ajv.ts), so their results and errors are the same.
import standalone from 'ajv/dist/standalone/index.js';
import { createAjv } from './ajv.js';
import type { JSONSchema } from './contract.js';
import { schemaKey } from './schema-key.js';

/** An ES module exporting `precompiled`: schemaKey(schema) -> its validator, for each schema. */
// a CommonJS module whose exports are the function, and its `default` the function too
const standaloneCode = standalone.default;

export function standaloneValidators(schemas: Iterable<JSONSchema>): string {
  const ajv = createAjv({ source: true });
  const exports: Record<string, string> = {};
  for (const schema of schemas) {
    const key = schemaKey(schema);
    if (exports[key]) continue;
    ajv.addSchema(schema, key);
    exports[key] = key;
  }
  let code = standaloneCode(ajv, exports);
  // ajv's run-time helpers (string length in code points, deep equality) come as require() calls:
  // an ES module imports them
  const helpers = new Map<string, string>();
  code = code.replace(/require\("(ajv\/dist\/runtime\/[a-z0-9_]+)"\)/g, (_m: string, path: string) => {
    let name = helpers.get(path);
    if (!name) helpers.set(path, (name = `helper${helpers.size}`));
    return name;
  });
  // (a CommonJS module: node gives its exports as the default import, some bundlers the `default`
  // export; either way `.default` is the function)
  const imports = [...helpers]
    .map(
      ([path, name]) =>
        `import * as ${name}ns from '${path}.js';\nconst ${name} = ` +
        `{ default: [${name}ns.default, ${name}ns.default?.default].find((f) => typeof f === 'function') };`,
    )
    .join('\n');
  return `${imports}\n${code}\nexport const precompiled = { ${Object.keys(exports).join(', ')} };\n`;
}
