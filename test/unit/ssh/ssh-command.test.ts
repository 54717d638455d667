// The command string an exec channel runs, checked by running it through a real sh (as root here:
// the runuser path), so quoting, env, cwd, stdin and the timeout are behaviour, not text.
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
