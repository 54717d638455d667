// A small HTTP/1.0 client that runs ON the host (bash's /dev/tcp, bounded by coreutils'
// `timeout`), so metadata is read from the machine being configured, local or over SSH, with
// nothing beyond what every Debian has. Metadata services speak plain http only.
import type { Host } from '../../host/host.js';

export interface HttpResult {
  status: number;
  body: string;
}

const SCRIPT = [
  'exec 3<>"/dev/tcp/$1/$2" || exit 7',
  `printf '%s %s HTTP/1.0\\r\\nHost: %s\\r\\nConnection: close\\r\\n%s\\r\\n' "$3" "$4" "$1" "$5" >&3`,
  'cat <&3',
].join('\n');

/** GET/PUT `url` on the host; null when it cannot be reached in time. */
export async function httpOnHost(
  host: Host,
  url: string,
  o: { method?: 'GET' | 'PUT'; headers?: Record<string, string>; timeoutMs: number },
): Promise<HttpResult | null> {
  const u = new URL(url);
  if (u.protocol !== 'http:') throw new Error(`metadata URL must be http://: ${url}`);
  const hostname = u.hostname.replace(/^\[|\]$/g, '');
  const port = u.port || '80';
  const headers = Object.entries(o.headers ?? {})
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  const secs = (o.timeoutMs / 1000).toFixed(2);
  const r = await host.exec(
    ['timeout', secs, 'bash', '-c', SCRIPT, 'bash', hostname, port, o.method ?? 'GET', u.pathname + u.search, headers],
    { timeoutMs: o.timeoutMs + 2000 },
  );
  if (r.exitCode !== 0 || !r.stdout) return null;
  const sep = r.stdout.indexOf('\r\n\r\n');
  const head = sep < 0 ? r.stdout : r.stdout.slice(0, sep);
  const m = /^HTTP\/\d(?:\.\d)? (\d{3})/.exec(head);
  if (!m) return null;
  return { status: Number(m[1]), body: sep < 0 ? '' : r.stdout.slice(sep + 4) };
}
