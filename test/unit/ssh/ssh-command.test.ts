// The command string an exec channel runs, checked by running it through a real sh (as root here:
// the runuser path), so quoting, env, cwd, stdin and the timeout are behaviour, not text. A root
// login's command is run by the login shell itself (bash or dash), without `sh -c` and `env`.
import { execFileSync, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { buildCommand } from '../../../engine/host/ssh-command.js';

const run = (cmd: string, input = '') => spawnSync('sh', ['-c', cmd], { input, encoding: 'utf8' });

describe('ssh exec command', () => {
  it('quotes every word and passes env, cwd and stdin', () => {
    const cmd = buildCommand(
      ['sh', '-c', 'printf "%s|%s|%s|%s|" "$1" "$X" "$PWD" "$LANG"; cat', 'sh', "it's $HOME `x`"],
      { env: { X: 'a b;c' }, cwd: '/tmp' },
      { loginUser: 'root', timeoutMs: 0 },
    );
    const r = run(cmd, 'stdin!');
    expect(r.stdout).toBe("it's $HOME `x`|a b;c|/tmp|C.UTF-8|stdin!");
  });
  for (const shell of ['/bin/dash', '/bin/bash']) {
    it(`a root login's command gets its env, cwd and timeout from ${shell} alone (no sh -c, no env)`, () => {
      const cmd = buildCommand(
        ['sh', '-c', 'printf "%s|" "$PATH" "$LANG" "$USER" "$LOGNAME" "$HOME" "$PWD" "$X" "$1"', 'sh', "a'b"],
        { env: { X: "it's $HOME" }, cwd: '/tmp' },
        { loginUser: 'root', timeoutMs: 60_000 },
      );
      expect(cmd).toMatch(/^cd \/tmp && PATH=.* exec timeout -k 5 60 sh -c /);
      expect(cmd).not.toMatch(/exec env /);
      // sshd's environment has another PATH and HOME (no ~/.bashrc): the command gets brine's
      const env = { PATH: '/nonexistent', HOME: '/nonexistent' };
      const r = spawnSync(shell, ['-c', cmd], { encoding: 'utf8', env });
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe(
        "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin|C.UTF-8|root|root|/root|/tmp|it's $HOME|a'b|",
      );
    });
  }
  it('a missing cwd or program fails the command (exit 2 or 127), as it did through sh -c', () => {
    expect(run(buildCommand(['true'], { cwd: '/nonexistent' }, { loginUser: 'root', timeoutMs: 0 })).status).not.toBe(
      0,
    );
    expect(run(buildCommand(['brine-no-such-program'], {}, { loginUser: 'root', timeoutMs: 5000 })).status).toBe(127);
    expect(run(buildCommand(['brine-no-such-program'], {}, { loginUser: 'root', timeoutMs: 0 })).status).toBe(127);
  });
  it('switches user with runuser when logged in as root', () => {
    const cmd = buildCommand(
      ['sh', '-c', 'echo "$(id -un) $USER $HOME"'],
      { user: 'nobody' },
      { loginUser: 'root', timeoutMs: 0 },
    );
    expect(cmd).toMatch(/^exec runuser -u nobody -- /);
    expect(run(cmd).stdout.trim()).toBe(
      `nobody nobody ${execFileSync('sh', ['-c', 'getent passwd nobody | cut -d: -f6'], { encoding: 'utf8' }).trim()}`,
    );
  });
  it('uses sudo -n for a non-root login, with -u for another user', () => {
    expect(buildCommand(['true'], {}, { loginUser: 'deploy', timeoutMs: 0 })).toMatch(/^exec sudo -n -- sh -c /);
    expect(buildCommand(['true'], { user: 'postgres' }, { loginUser: 'deploy', timeoutMs: 0 })).toMatch(
      /^exec sudo -n -u postgres -- sh -c /,
    );
    expect(buildCommand(['true'], { user: 'deploy' }, { loginUser: 'deploy', timeoutMs: 0 })).toMatch(/^exec sh -c /);
  });
  it('kills a command on the target after the timeout (exit 124)', () => {
    const t = Date.now();
    const r = run(buildCommand(['sleep', '5'], {}, { loginUser: 'root', timeoutMs: 1000 }));
    expect(r.status).toBe(124);
    expect(Date.now() - t).toBeLessThan(4000);
  });
  it('refuses environment names a shell cannot carry', () => {
    expect(() => buildCommand(['true'], { env: { 'A B': 'x' } }, { loginUser: 'root', timeoutMs: 0 })).toThrow(
      /bad environment variable name 'A B'/,
    );
  });
});
