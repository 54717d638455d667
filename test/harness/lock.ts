// An exclusive lock across processes (test files, engineers) held by a `flock` child: the child
// takes the lock, says so, and keeps it until its stdin closes. When this process dies, its end
// of the pipe closes and the kernel releases the lock, so a killed test run never leaves it held.
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/** Runs fn while holding the exclusive lock on `path` (created when missing). */
export async function withLock<T>(path: string, fn: () => Promise<T>, timeoutMs = 900_000): Promise<T> {
  mkdirSync(dirname(path), { recursive: true });
  const holder = spawn(
    'flock',
    ['-x', '-w', String(Math.ceil(timeoutMs / 1000)), path, 'sh', '-c', 'echo locked; cat >/dev/null'],
    {
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  holder.stderr.on('data', (d) => (stderr += String(d)));
  await new Promise<void>((resolve, reject) => {
    let out = '';
    holder.stdout.on('data', (d) => {
      out += String(d);
      if (out.includes('locked')) resolve();
    });
    holder.once('error', (e) => reject(new Error(`test harness: flock ${path}: ${e.message}`)));
    holder.once('exit', (code) =>
      reject(new Error(`test harness: could not lock ${path} (flock exit ${code}) ${stderr.trim()}`)),
    );
  });
  try {
    return await fn();
  } finally {
    holder.stdin.end();
    await new Promise<void>((resolve) => {
      if (holder.exitCode !== null) resolve();
      else holder.once('exit', () => resolve());
    });
  }
}
