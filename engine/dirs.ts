// Where the state and pillar trees are by default. Light on purpose (node:fs and node:path only):
// the CLI resolves them before it loads the pipeline.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * Default states/pillar dirs: $BRINE_STATES / $BRINE_PILLAR, else `states/` and `pillar/` in the
 * package root, found by walking up from `fromDir` (the bundle's directory), so a copied bundle
 * directory works.
 */
export function defaultDirs(
  fromDir: string,
  env: NodeJS.ProcessEnv = process.env,
): { statesDir: string; pillarDir: string } {
  let root = resolve(fromDir, '..');
  for (let d = resolve(fromDir), i = 0; i < 5; i++, d = dirname(d)) {
    if (existsSync(join(d, 'states')) || existsSync(join(d, 'package.json'))) {
      root = d;
      break;
    }
    if (dirname(d) === d) break;
  }
  return {
    statesDir: env.BRINE_STATES || join(root, 'states'),
    pillarDir: env.BRINE_PILLAR || join(root, 'pillar'),
  };
}
