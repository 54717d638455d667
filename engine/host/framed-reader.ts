// Reads what the target-side scripts print when their outputs are framed by their lengths: a line
// (up to its line end) says what comes and how many bytes, then those bytes as they are. Used for
// the ops stream (ssh-ops.ts) and coalesced read-only commands (ssh-coalesce.ts). A stream cut short
// never reads as a shorter output: a line without its line end, or fewer bytes than a line said,
// read as undefined. Bytes are taken by count, so an output may hold anything, lines that look like
// records included. (The command session, ssh-session.ts, frames its outputs by a random marker
// instead of lengths; it reads them there.)

export class FramedReader {
  private at = 0;
  constructor(private readonly buf: Buffer) {}

  /** The next whole line, without its line end (UTF-8); undefined at the end or in a line cut short. */
  line(): string | undefined {
    const nl = this.buf.indexOf(10, this.at);
    if (nl < 0) return undefined;
    const l = this.buf.toString('utf8', this.at, nl);
    this.at = nl + 1;
    return l;
  }

  /** The next `n` bytes; undefined (and nothing taken) when fewer are left. */
  bytes(n: number): Buffer | undefined {
    if (!Number.isSafeInteger(n) || n < 0 || this.at + n > this.buf.length) return undefined;
    const b = this.buf.subarray(this.at, this.at + n);
    this.at += n;
    return b;
  }

  /** Whatever is left (a last line cut short, or nothing), taken whole. */
  rest(): Buffer {
    const b = this.buf.subarray(this.at);
    this.at = this.buf.length;
    return b;
  }

  /** Bytes not read yet. */
  get left(): number {
    return this.buf.length - this.at;
  }
}

/** A line's decimal integers, one between each `sep`; undefined when it is anything else (or missing). */
export function integersOf(line: string | undefined, sep = ' '): number[] | undefined {
  if (line === undefined) return undefined;
  const parts = line.split(sep);
  return parts.every((p) => /^-?\d+$/.test(p)) ? parts.map(Number) : undefined;
}
