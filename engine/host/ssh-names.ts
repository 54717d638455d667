// uid/gid <-> name maps read from the target's /etc/passwd and /etc/group, so sftp stat results can
// carry owner names and atomic writes can chown by id without an extra command. Loaded once (one
// command), then re-read only when the files changed (checked lazily after any command ran,
// since a command may add users).

export interface NameSource {
  /** Signature (size:mtime of /etc/passwd and /etc/group) and both files' text, in one round trip. */
  load(): Promise<{ sig: string; passwd: string; group: string }>;
  /** The signature alone (cheap). */
  sig(): Promise<string>;
}

interface Table {
  byId: Map<number, string>;
  byName: Map<string, number>;
}

function parse(text: string): Table {
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
  private users: Table | undefined;
  private groups: Table | undefined;
  private sig: string | undefined;
  private dirty = true;
  private inflight: Promise<void> | undefined;
  constructor(private readonly src: NameSource) {}

  /** Something ran on the host that may have changed users or groups. */
  invalidate(): void {
    this.dirty = true;
  }

  /** One refresh at a time: concurrent lookups share it. */
  private refresh(force = false): Promise<void> {
    if (!this.dirty && !force) return Promise.resolve();
    if (this.inflight) return this.inflight;
    this.dirty = false;
    this.inflight = (async () => {
      if (this.users && !force && (await this.src.sig()) === this.sig) return;
      const r = await this.src.load();
      this.sig = r.sig;
      this.users = parse(r.passwd);
      this.groups = parse(r.group);
    })().then(
      () => {
        this.inflight = undefined;
      },
      (e: unknown) => {
        this.inflight = undefined;
        this.dirty = true;
        throw e;
      },
    );
    return this.inflight;
  }

  private async lookup<T>(which: 'users' | 'groups', get: (t: Table) => T | undefined): Promise<T | undefined> {
    await this.refresh();
    let t = this[which];
    let v = t ? get(t) : undefined;
    if (v === undefined) {
      await this.refresh(true);
      t = this[which];
      v = t ? get(t) : undefined;
    }
    return v;
  }

  async userName(uid: number): Promise<string> {
    return (await this.lookup('users', (t) => t.byId.get(uid))) ?? String(uid);
  }
  async groupName(gid: number): Promise<string> {
    return (await this.lookup('groups', (t) => t.byId.get(gid))) ?? String(gid);
  }
  /** Numeric id for a user name (or a numeric string); undefined when unknown. */
  async uid(name: string): Promise<number | undefined> {
    if (/^\d+$/.test(name)) return Number(name);
    return this.lookup('users', (t) => t.byName.get(name));
  }
  async gid(name: string): Promise<number | undefined> {
    if (/^\d+$/.test(name)) return Number(name);
    return this.lookup('groups', (t) => t.byName.get(name));
  }
}
