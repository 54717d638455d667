// http:// and https:// sources (file.managed, archive.extracted), fetched on the controller as
// the run compiles: redirects followed, a time limit, and the URL's credentials never shown.
import { StateError } from './errors.js';

export const isHttpSource = (s: string): boolean => /^https?:\/\//i.test(s);

/** The URL for messages: user:password@ taken out. */
export function shownUrl(url: string): string {
  return url.replace(/^(https?:\/\/)[^/@]*@/i, '$1');
}

/** The body, or null when the server says there is no such file (404, 410); other failures throw. */
export async function fetchHttp(url: string, state: string, timeoutMs = 120_000): Promise<Buffer | null> {
  let res: Response;
  // fetch takes no credentials in the URL: they go in an Authorization header (basic auth)
  const u = new URL(url);
  const headers: Record<string, string> = {};
  if (u.username || u.password) {
    const pair = `${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`;
    headers.authorization = `Basic ${Buffer.from(pair).toString('base64')}`;
    u.username = '';
    u.password = '';
  }
  try {
    res = await fetch(u, { redirect: 'follow', headers, signal: AbortSignal.timeout(timeoutMs) });
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    const why = (cause?.code ?? cause?.message ?? (e as Error).message).split(url).join(shownUrl(url));
    throw new StateError(state, `cannot fetch ${shownUrl(url)}: ${why}`);
  }
  if (res.status === 404 || res.status === 410) return null;
  if (!res.ok) throw new StateError(state, `cannot fetch ${shownUrl(url)}: HTTP ${res.status} ${res.statusText}`);
  return Buffer.from(await res.arrayBuffer());
}
