// One-line apt sources (`deb [opts] URI SUITE COMPONENT...`): parsing, the file and keyring names
// brine derives from them, the .list and deb822 .sources renderings, and apt's list-file prefix.

export interface RepoLine {
  type: 'deb' | 'deb-src';
  /** Bracketed options: arch=amd64, signed-by=/path, trusted=yes... */
  options: Array<[string, string]>;
  uri: string;
  suite: string;
  components: string[];
}

/** Parses a one-line source; returns a reason string when it is not one. */
export function parseRepoLine(line: string): RepoLine | string {
  const m = /^\s*(deb|deb-src)\s+(?:\[([^\]]*)\]\s+)?(\S+)\s+(\S+)((?:\s+\S+)*)\s*$/.exec(line);
  if (!m) return 'expected "deb [options] URI SUITE [COMPONENT...]"';
  const options: Array<[string, string]> = [];
  for (const opt of (m[2] ?? '').split(/\s+/).filter(Boolean)) {
    const eq = opt.indexOf('=');
    if (eq <= 0) return `option '${opt}' is not key=value`;
    options.push([opt.slice(0, eq), opt.slice(eq + 1)]);
  }
  const uri = m[3]!;
  if (!/^[a-z][a-z0-9+.-]*:/.test(uri)) return `'${uri}' is not a URI`;
  const suite = m[4]!;
  const components = (m[5] ?? '').trim().split(/\s+/).filter(Boolean);
  if (!suite.endsWith('/') && !components.length) return 'a suite that does not end in / needs at least one component';
  return { type: m[1] as RepoLine['type'], options, uri, suite, components };
}

function hostPath(uri: string): string {
  return uri
    .replace(/^[a-z][a-z0-9+.-]*:(\/\/)?/, '')
    .replace(/^[^/@]*@/, '')
    .replace(/\/+$/, '');
}

/** A file-name-safe slug for the repo: host/path + suite (deb.debian.org_debian_bookworm-backports). */
export function repoSlug(r: RepoLine): string {
  const suite = r.suite.replace(/^(\.\/)+|\/+$/g, '').replace(/^\.$/, '');
  const raw = `${hostPath(r.uri)}_${suite || 'flat'}`;
  return raw.replace(/[^A-Za-z0-9.-]+/g, '_').replace(/^[_.]+|_+$/g, '') || 'repo';
}

/** apt's URItoFileName prefix for this URI: the lists under /var/lib/apt/lists start with it. */
export function listPrefix(uri: string): string {
  const quoted = hostPath(uri).replace(
    /[\\|{}[\]<>"^~_=!@#$%&*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
  return `${quoted}/`.replace(/\//g, '_');
}

export function optionValue(r: RepoLine, key: string): string | undefined {
  return r.options.find(([k]) => k === key)?.[1];
}

/** The line with signed-by set (when a key is managed). */
/** What a rendering adds to the source: a trailing comment, and a disabled source (Salt's `disabled`). */
export interface RepoExtras {
  comment?: string;
  disabled?: boolean;
}

export function renderList(r: RepoLine, signedBy: string | undefined, header?: string, x: RepoExtras = {}): string {
  const opts = r.options.filter(([k]) => !(signedBy && k === 'signed-by'));
  if (signedBy) opts.push(['signed-by', signedBy]);
  const optStr = opts.length ? ` [${opts.map(([k, v]) => `${k}=${v}`).join(' ')}]` : '';
  const line = `${r.type}${optStr} ${r.uri} ${r.suite}${r.components.length ? ` ${r.components.join(' ')}` : ''}`;
  // a disabled source is the line commented out, as python-apt's SourceEntry writes it
  return `${header ? `# ${header}\n` : ''}${x.disabled ? '# ' : ''}${line}${x.comment ? ` ${x.comment}` : ''}\n`;
}

const DEB822_KEYS: Record<string, string> = {
  arch: 'Architectures',
  lang: 'Languages',
  target: 'Targets',
  pdiffs: 'PDiffs',
  'by-hash': 'By-Hash',
  'allow-insecure': 'Allow-Insecure',
  'allow-weak': 'Allow-Weak',
  'allow-downgrade-to-insecure': 'Allow-Downgrade-To-Insecure',
  trusted: 'Trusted',
  'signed-by': 'Signed-By',
  'check-valid-until': 'Check-Valid-Until',
  'valid-until-min': 'Valid-Until-Min',
  'valid-until-max': 'Valid-Until-Max',
  'check-date': 'Check-Date',
  'date-max-future': 'Date-Max-Future',
  'inrelease-path': 'InRelease-Path',
};

/** The same source as a deb822 stanza (`.sources`). */
export function renderSources(r: RepoLine, signedBy: string | undefined, header?: string, x: RepoExtras = {}): string {
  const lines = [`Types: ${r.type}`, `URIs: ${r.uri}`, `Suites: ${r.suite}`];
  if (r.components.length) lines.push(`Components: ${r.components.join(' ')}`);
  for (const [k, v] of r.options) {
    if (signedBy && k === 'signed-by') continue;
    const key = DEB822_KEYS[k] ?? k.replace(/(^|-)([a-z])/g, (_s, d: string, c: string) => `${d}${c.toUpperCase()}`);
    lines.push(`${key}: ${v.replace(/,/g, ' ')}`);
  }
  if (signedBy) lines.push(`Signed-By: ${signedBy}`);
  if (x.disabled) lines.push('Enabled: no');
  // deb822 has no trailing comments: the comment is a line of its own above the stanza
  return `${header ? `# ${header}\n` : ''}${x.comment ? `${x.comment}\n` : ''}${lines.join('\n')}\n`;
}
