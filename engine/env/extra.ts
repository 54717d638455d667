// Reads the --extra YAML file of `brine env create` (settings merged over the generated env).
import { readFileSync } from 'node:fs';
import { EnvError } from '../errors.js';
import type { Tree } from './merge.js';
import { parseEnv } from './parse.js';

export function readExtra(path: string): Tree {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new EnvError(path, `cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  return parseEnv(text, path).tree;
}
