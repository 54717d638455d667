// Execution functions that need no target: path arithmetic (file.dirname...), log.* (to the
// debug log), mine.get (no mine: {}) and the state tree listings of cp.* (Salt asks the master's fileserver; brine's
// state tree is on the controller). None of them runs a command.
import { posix, resolve } from 'node:path';
import fg from 'fast-glob';
import { bindArgs } from '../kwargs.js';
import { pyRepr, pyStr, TemplateFault } from '../pyvalue.js';

type Fn = (...a: unknown[]) => unknown;

export interface LocalContext {
  statesDir: string;
  log: (level: string, message: string) => void;
}

function pathArg(name: string, a: unknown[]): string {
  const [p] = bindArgs(name, ['path'], a);
  if (typeof p !== 'string') throw new TemplateFault(`${name}() needs a path string`);
  return p;
}

/** Python's os.path.dirname: everything before the last slash (trailing slashes kept off). */
function dirname(p: string): string {
  const i = p.lastIndexOf('/') + 1;
  const head = p.slice(0, i);
  return head && head !== '/'.repeat(head.length) ? head.replace(/\/+$/, '') : head;
}

function listing(ctx: LocalContext, name: string, a: unknown[], dirs: boolean): string[] {
  const [, prefix] = bindArgs(name, ['saltenv', 'prefix'], a);
  const root = resolve(ctx.statesDir);
  const found = fg.sync('**', {
    cwd: root,
    onlyDirectories: dirs,
    onlyFiles: !dirs,
    dot: false,
    followSymbolicLinks: false,
  });
  const p = prefix == null ? '' : String(prefix);
  return found.filter((f) => f.startsWith(p)).sort();
}

export function localFunctions(ctx: LocalContext): Record<string, Fn> {
  const log =
    (level: string): Fn =>
    (...a) => {
      const [msg] = bindArgs(`log.${level}`, ['message'], a);
      ctx.log(level, pyStr(msg));
      return null;
    };
  return {
    'file.dirname': (...a) => dirname(pathArg('file.dirname', a)),
    'file.basename': (...a) => posix.basename(pathArg('file.basename', a)),
    'file.join': (...a) => {
      const parts = a.map(String);
      return parts.reduce(
        (acc, p) => (p.startsWith('/') ? p : acc === '' || acc.endsWith('/') ? acc + p : `${acc}/${p}`),
        '',
      );
    },
    'log.debug': log('debug'),
    'log.info': log('info'),
    'log.warning': log('warning'),
    'log.error': log('error'),
    'log.critical': log('critical'),
    'log.exception': log('error'),
    // brine has no mine: a masterless minion without mine data gets {} too (Salt's file_client: local)
    'mine.get': (...a) => {
      const [tgt, fun] = bindArgs('mine.get', ['tgt', 'fun', 'tgt_type', 'exclude_minion'], a);
      ctx.log(
        'warning',
        `mine.get(${pyRepr(tgt)}, ${pyRepr(fun)}): brine has no mine; {} as on a masterless minion without mine data`,
      );
      return {};
    },
    'cp.list_master': (...a) => listing(ctx, 'cp.list_master', a, false),
    'cp.list_master_dirs': (...a) => listing(ctx, 'cp.list_master_dirs', a, true),
  };
}
