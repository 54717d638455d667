// The credentials a URL carries in its user-info part (`scheme://user:password@host/...`), found in
// any text, leniently: operators paste passwords with `/`, `@` or `:` in them unencoded (an S3
// secret key, `sftp://u:p@ss/w@host/`), which a strict URL parser reads as a host or a path. Every
// reading that could be the password is returned (over-redacting a path is harmless; missing a
// password is not), and the URL-decoded form of each as well.

/** One URL in a text and what of it is a credential. */
export interface UrlCredentials {
  /** The whole URL as written (up to the first blank or quote). */
  url: string;
  /** The user name, as written. */
  user: string;
  /** Every reading of the password (as written and URL-decoded); empty when the URL has none. */
  passwords: string[];
  /** `user:password` as written, for each reading with a password. */
  userinfos: string[];
}

const SCHEME_RUN = /[a-z][a-z0-9+.-]*:\/\/([^\s'"<>`]+)/gi;
/** A user name: no path, query, fragment, colon or at sign. */
const USER = /^[^/?#:@]+$/;
/**
 * What may follow the `@` of the user-info: a host (name, IPv4, [IPv6]; empty for a local socket,
 * `postgres://u:pw@/db`), then a port, path, query or the end.
 */
const HOST_THEN = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._~%!$&'()*+,;=-]*)(?=$|[:/?#])/;

function decoded(s: string): string | undefined {
  if (!s.includes('%')) return undefined;
  try {
    const d = decodeURIComponent(s);
    return d === s ? undefined : d;
  } catch {
    return undefined;
  }
}

/** Every URL with user-info in `text` (at most 200, for texts that are mostly URLs). */
export function urlCredentials(text: string): UrlCredentials[] {
  const out: UrlCredentials[] = [];
  if (!text.includes('://') || !text.includes('@')) return out;
  for (const m of text.matchAll(SCHEME_RUN)) {
    if (out.length >= 200) break;
    const run = m[1]!;
    let user: string | undefined;
    const passwords = new Set<string>();
    const userinfos = new Set<string>();
    for (let at = run.indexOf('@'); at > 0; at = run.indexOf('@', at + 1)) {
      if (!HOST_THEN.test(run.slice(at + 1))) continue;
      const info = run.slice(0, at);
      const colon = info.indexOf(':');
      const u = colon < 0 ? info : info.slice(0, colon);
      if (!USER.test(u)) continue;
      user ??= u;
      if (colon < 0) continue;
      const pw = info.slice(colon + 1);
      if (!pw) continue;
      passwords.add(pw);
      userinfos.add(info);
      const d = decoded(pw);
      if (d) passwords.add(d);
    }
    if (user !== undefined) out.push({ url: m[0], user, passwords: [...passwords], userinfos: [...userinfos] });
  }
  return out;
}
