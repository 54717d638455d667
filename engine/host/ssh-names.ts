// uid/gid <-> name maps read from the target's /etc/passwd and /etc/group, so sftp stat results can
// carry owner names and atomic writes can chown by id without an extra command. Re-read when the
// files changed (checked lazily after any command ran, since a command may add users).

export interface NameFiles {
  /** size and mtime of a file, or null when missing. */
  statSig(path: string): Promise<string | null>;
  read(path: string): Promise<Buffer | null>;
}

interface Table {
  sig: string | null;
  byId: Map<number, string>;
  byName: Map<string, number>;
}

function parse(text: string): Omit<Table, 'sig'> {
  const byId = new Map<number, string>();
  const byName = new Map<string, number>();
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f.length < 3 || !f[0]) continue;
    const id = Number(f[2]);
    if (!Number.isInteger(id)) continue;
    if (!byId.has(id)) byId.set(id, f[0]);
    byName.set(f[0], id);
  }
  return { byId, byName };
}

export class NameCache {
  private tables = new Map<string, Table>();
  private dirty = true;
  constructor(private readonly files: NameFiles) {}

  /** Something ran on the host that may have changed users or groups. */
  invalidate(): void {
    this.dirty = true;
  }

  private async refresh(force = false): Promise<void> {
    if (!this.dirty && !force) return;
    this.dirty = false;
    await Promise.all(
      ['/etc/passwd', '/etc/group'].map(async (p) => {
        const sig = await this.files.statSig(p);
        const cur = this.tables.get(p);
        if (cur && cur.sig === sig && !force) return;
        const data = await this.files.read(p);
        this.tables.set(p, { sig, ...parse(data ? data.toString('utf8') : '') });
      }),
    );
  }

  private async lookup<T>(file: string, get: (t: Table) => T | undefined): Promise<T | undefined> {
    await this.refresh();
    let t = this.tables.get(file);
    let v = t ? get(t) : undefined;
    if (v === undefined) {
      await this.refresh(true);
      t = this.tables.get(file);
      v = t ? get(t) : undefined;
    }
    return v;
  }

  async userName(uid: number): Promise<string> {
    return (await this.lookup('/etc/passwd', (t) => t.byId.get(uid))) ?? String(uid);
  }
  async groupName(gid: number): Promise<string> {
    return (await this.lookup('/etc/group', (t) => t.byId.get(gid))) ?? String(gid);
  }
  /** Numeric id for a user name (or a numeric string); undefined when unknown. */
  async uid(name: string): Promise<number | undefined> {
    if (/^\d+$/.test(name)) return Number(name);
    return this.lookup('/etc/passwd', (t) => t.byName.get(name));
  }
  async gid(name: string): Promise<number | undefined> {
    if (/^\d+$/.test(name)) return Number(name);
    return this.lookup('/etc/group', (t) => t.byName.get(name));
  }
}
