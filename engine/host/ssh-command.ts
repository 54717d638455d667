// Turns an argv plus ExecOptions into the one command string an ssh exec channel runs: every word
// quoted, a predictable environment, cwd, the user switch (runuser as root, `sudo -n` otherwise)
// and a remote `timeout` so a hung command dies on the target, not only locally.
// Run as the login user (a root login, or the login user's own commands), the login shell itself
// sets the environment and execs `timeout` (`K='v' exec timeout ... argv`): no `sh -c` and `env`
// in between. Every process the target starts counts on a fleet: this is two fewer per command.
import { DEFAULT_PATH, type ExecOptions } from './host.js';
import { shQuote } from './exec.js';

export const BASE_ENV: Record<string, string> = {
  PATH: DEFAULT_PATH,
  LANG: 'C.UTF-8',
};

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface CommandContext {
  /** The login user. */
  loginUser: string;
  /** Milliseconds; 0 = no timeout. */
  timeoutMs: number;
}

export function buildCommand(argv: string[], opts: ExecOptions, ctx: CommandContext): string {
  if (!argv.length) throw new Error('exec: empty argv');
  const user = opts.user;
  const switched = !!user && user !== 'root';
  const who = user ?? 'root'; // without a user, commands run as root (sudo for a non-root login)
  const env: Record<string, string> = {
    ...BASE_ENV,
    USER: who,
    LOGNAME: who,
    ...(who === 'root' ? { HOME: '/root' } : {}),
    ...(opts.env ?? {}),
  };
  for (const k of Object.keys(env))
    if (!ENV_NAME.test(k)) throw new Error(`exec: bad environment variable name '${k}'`);
  const secs = ctx.timeoutMs > 0 ? Math.max(1, Math.ceil(ctx.timeoutMs / 1000)) : 0;
  const limit = secs ? `timeout -k 5 ${secs} ` : '';
  const words = argv.map(shQuote).join(' ');
  const cd = opts.cwd ? `cd ${shQuote(opts.cwd)} && ` : '';
  if (who === ctx.loginUser && (who === 'root' || opts.env?.HOME)) {
    // no user switch and HOME known: the login shell's assignments are exported to what it execs
    const assigns = Object.entries(env).map(([k, v]) => `${k}=${shQuote(v)}`);
    return `${cd}${assigns.join(' ')} exec ${limit}${words}`;
  }
  const pairs = Object.entries(env).map(([k, v]) => shQuote(`${k}=${v}`));
  const home =
    who !== 'root' && !opts.env?.HOME ? 'HOME="$(getent passwd "$(id -un)" | cut -d: -f6)"; export HOME; ' : '';
  const inner = `${home}${cd}exec env ${pairs.join(' ')} ${words}`;
  const run = `${limit}sh -c ${shQuote(inner)}`;
  if (ctx.loginUser === 'root') {
    return switched ? `exec runuser -u ${shQuote(user as string)} -- ${run}` : `exec ${run}`;
  }
  if (user && user === ctx.loginUser) return `exec ${run}`;
  return `exec sudo -n ${user ? `-u ${shQuote(user)} ` : ''}-- ${run}`;
}

/**
 * The same command as buildCommand's for a root login that switches no user, without its own
 * `timeout` and, for `sh -c SCRIPT [NAME ARGS...]`, without its own sh: the script is evaluated by
 * the subshell that runs it (the ssh command session's batch, ssh-session.ts, under one `timeout`
 * for the batch). null when the command needs a user switch: buildCommand's form then.
 */
export function inlineCommand(argv: string[], opts: ExecOptions, loginUser: string): string | null {
  if (!argv.length) throw new Error('exec: empty argv');
  if (loginUser !== 'root' || (opts.user && opts.user !== 'root')) return null;
  const env: Record<string, string> = {
    ...BASE_ENV,
    USER: 'root',
    LOGNAME: 'root',
    HOME: '/root',
    ...(opts.env ?? {}),
  };
  for (const k of Object.keys(env))
    if (!ENV_NAME.test(k)) throw new Error(`exec: bad environment variable name '${k}'`);
  const assigns = Object.entries(env).map(([k, v]) => `${k}=${shQuote(v)}`);
  const cd = opts.cwd ? `cd ${shQuote(opts.cwd)} && ` : '';
  const [a0, a1, script, , ...args] = argv;
  const body =
    a0 === 'sh' && a1 === '-c' && script !== undefined
      ? `set -- ${args.map(shQuote).join(' ')}; eval ${shQuote(script)}`
      : `exec ${argv.map(shQuote).join(' ')}`;
  return `${cd}export ${assigns.join(' ')} && ${body}`;
}
