// The file state module: file.managed, directory, symlink, absent, touch, append, replace, line,
// blockreplace, keyvalue, copy, rename, recurse, serialize, accumulated.
import type { StateModule } from '../../engine/contract.js';
import { absent } from './absent.js';
import { accumulated } from './accumulated.js';
import { append } from './append.js';
import { blockreplace } from './blockreplace.js';
import { copy } from './copy.js';
import { directory } from './directory.js';
import { keyvalue } from './keyvalue.js';
import { line } from './line.js';
import { managed } from './managed.js';
import { recurse } from './recurse.js';
import { rename } from './rename.js';
import { replace } from './replace.js';
import { serializeState } from './serialize.js';
import { symlink } from './symlink.js';
import { touch } from './touch.js';

const paths = {
  managed,
  directory,
  symlink,
  absent,
  touch,
  append,
  replace,
  line,
  blockreplace,
  keyvalue,
  copy,
  rename,
  recurse,
  serialize: serializeState,
};
// Salt's file states expand `~` in the name (os.path.expanduser)
for (const fn of Object.values(paths)) fn.expandUser = true;

export const modules: Record<string, StateModule> = {
  file: { ...paths, accumulated },
};
