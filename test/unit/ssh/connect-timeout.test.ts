// A host that accepts the TCP connection and never speaks SSH (a hung sshd, a tarpit): the connect
// gives up at --connect-timeout and says so in the option's unit, naming the address.
import { mkdtempSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { TransportError } from '../../../engine/errors.js';
import { openConnection } from '../../../engine/host/ssh-connect.js';

describe('ssh connect timeout', () => {
  it('says which address did not answer and after how many seconds of --connect-timeout', async () => {
    const held: Socket[] = [];
    const server = createServer((s) => held.push(s));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      const t = { alias: 'mute', hostname: '127.0.0.1', port, user: 'root', identityFiles: [], identitiesOnly: false };
      const key = join(mkdtempSync(join(tmpdir(), 'brine-connect-')), 'id');
      await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
      const err = await openConnection('root@mute', t, {
        connectTimeoutMs: 1000,
        agent: null,
        knownHostsPath: '/dev/null',
        identityFiles: [key],
      })
        .then(() => undefined)
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TransportError);
      expect((err as TransportError).reason).toBe(
        `connect to 127.0.0.1:${port} timed out after 1 s (--connect-timeout)`,
      );
    } finally {
      for (const s of held) s.destroy();
      server.close();
    }
  });
});
