// /etc/hosts as text: which names each address has, and the file with a name added to or removed
// from an address. Lines brine does not touch stay as they are (Salt rewrites the whole file in
// its own layout; brine edits only the lines of the addresses it changes).

interface HostLine {
  ip: string;
  names: string[];
  /** The `# comment` at the end of the line, with its leading whitespace. */
  tail: string;
}

function parseLine(line: string): HostLine | null {
  const hash = line.indexOf('#');
  const body = hash >= 0 ? line.slice(0, hash) : line;
  const words = body.trim().split(/\s+/).filter(Boolean);
  if (words.length < 1) return null;
  return { ip: words[0]!, names: words.slice(1), tail: hash >= 0 ? line.slice(body.trimEnd().length) : '' };
}

const render = (h: HostLine): string => `${h.ip}\t\t${h.names.join(' ')}${h.tail}`;

const linesOf = (text: string): string[] => {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
};
const join = (lines: string[]): string => (lines.length ? `${lines.join('\n')}\n` : '');

/** The addresses `name` is listed under. */
export function addressesOf(text: string, name: string): string[] {
  return linesOf(text).flatMap((l) => {
    const h = parseLine(l);
    return h && h.names.includes(name) ? [h.ip] : [];
  });
}

/** The file with `name` on `ip`: added to the first line of that address, or on a new line. */
export function withHost(text: string, ip: string, name: string): string {
  const lines = linesOf(text);
  if (addressesOf(text, name).includes(ip)) return text;
  const i = lines.findIndex((l) => parseLine(l)?.ip === ip);
  if (i >= 0) {
    const h = parseLine(lines[i]!)!;
    lines[i] = render({ ...h, names: [...h.names, name] });
  } else lines.push(`${ip}\t\t${name}`);
  return join(lines);
}

/** The file without `name` on `ip` (a line left with no name goes). */
export function withoutHost(text: string, ip: string, name: string): string {
  const out: string[] = [];
  for (const l of linesOf(text)) {
    const h = parseLine(l);
    if (!h || h.ip !== ip || !h.names.includes(name)) {
      out.push(l);
      continue;
    }
    const names = h.names.filter((n) => n !== name);
    if (names.length) out.push(render({ ...h, names }));
  }
  return join(out);
}

/**
 * The file with exactly `names` on `ip` (Salt's hosts.set_host): its first line gets them, other lines of it go; none:
 * no line.
 */
export function withOnly(text: string, ip: string, names: string[]): string {
  const out: string[] = [];
  let done = false;
  for (const l of linesOf(text)) {
    const h = parseLine(l);
    if (!h || h.ip !== ip) out.push(l);
    else if (!done && names.length) {
      out.push(h.names.join(' ') === names.join(' ') ? l : render({ ...h, names }));
      done = true;
    }
  }
  if (!done && names.length) out.push(`${ip}\t\t${names.join(' ')}`);
  return join(out);
}
