// The floor of a fan-out without connections kept between runs: every target at once, an ssh2 login,
// one exec channel running `true`, close. No SSH client that opens a connection per host per run can
// do a no-op for less; the fleet bench prints it beside brine's no-op.
import { readFileSync } from 'node:fs';
import ssh2 from 'ssh2';

export interface LoginTarget {
  host: string;
  port: number;
}

function loginRunTrue(t: LoginTarget, privateKey: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const c = new ssh2.Client();
    c.on('ready', () => {
      c.exec('true', (err, ch) => {
        if (err) return reject(err);
        ch.on('close', (code: number) => {
          c.end();
          code === 0 ? resolve() : reject(new Error(`${t.host}: true exited ${code}`));
        });
        ch.resume();
        ch.stderr.resume();
      });
    });
    c.on('error', (e) => reject(new Error(`${t.host}: ${e.message}`)));
    // the bench's own targets on this machine: their keys are not what is measured here
    c.connect({ host: t.host, port: t.port, username: 'root', privateKey, hostVerifier: () => true });
  });
}

/** Wall time (ms) of logging in to every target at once and running `true` on each. */
export async function bareLogins(targets: LoginTarget[], keyPath: string): Promise<number> {
  const key = readFileSync(keyPath);
  const t0 = process.hrtime.bigint();
  await Promise.all(targets.map((t) => loginRunTrue(t, key)));
  return Number(process.hrtime.bigint() - t0) / 1e6;
}
